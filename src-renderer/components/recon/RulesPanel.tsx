import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { hasRole, type UserInfo } from "../../../src-shared/api";
import type { RuleVersionInfo } from "../../../src-shared/api/recon";
import { centsToDecimal } from "../../../src-shared/money";
import { describeRuleChanges, validateTemplate, type PassSpec, type ReconTemplate } from "../../../src-shared/reconRules";
import { call } from "../../api/client";
import { useApiQuery, useEvent } from "../../api/hooks";
import { formatTimestamp } from "../../format";

/** "1.50" → 150: exact, no floating point. Null when it is not an amount of dollars and cents ≥ 0. */
export function parseDollars(text: string): number | null {
  const m = /^\s*\$?(\d{1,9})(?:\.(\d{0,2}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
}

/**
 * A number typed into the rules: kept as text while it is typed, handed on only when it parses.
 * An entry that does not parse is marked and holds the save back.
 */
function RuleNumber({
  label,
  value,
  parse,
  format = String,
  disabled,
  onValue,
  onValid,
  width = 70,
}: {
  label: string;
  value: number;
  parse: (text: string) => number | null;
  format?: (n: number) => string;
  disabled: boolean;
  onValue: (n: number) => void;
  onValid: (valid: boolean) => void;
  width?: number;
}) {
  const [text, setText] = useState<string | null>(null);
  const shown = text ?? format(value);
  const bad = text !== null && parse(text) === null;
  return (
    <input
      aria-label={label}
      title={bad ? `${label}: not a valid value` : label}
      className={bad ? "invalid" : undefined}
      aria-invalid={bad}
      style={{ width }}
      value={shown}
      disabled={disabled}
      onChange={(e) => {
        setText(e.target.value);
        const n = parse(e.target.value);
        onValid(n !== null);
        if (n !== null) onValue(n);
      }}
      onBlur={() => {
        if (!bad) setText(null);
      }}
    />
  );
}

const wholeDays = (t: string) => (/^\s*-?\d{1,4}\s*$/.test(t) ? Number(t) : null);
const positive = (t: string) => (/^\s*\d{1,3}\s*$/.test(t) && Number(t) >= 1 ? Number(t) : null);
const percent = (t: string) => (/^\s*\d{1,3}(\.\d{1,4})?\s*$/.test(t) && Number(t) <= 100 ? Number(t) : null);
const similarity = (t: string) => (/^\s*(0(\.\d{1,3})?|1(\.0{1,3})?)\s*$/.test(t) ? Number(t) : null);

function PassRow({
  pass,
  index,
  count,
  disabled,
  onChange,
  onMove,
  onValid,
}: {
  pass: PassSpec;
  index: number;
  count: number;
  disabled: boolean;
  onChange: (change: (p: PassSpec) => void) => void;
  onMove: (by: -1 | 1) => void;
  onValid: (field: string, valid: boolean) => void;
}) {
  const at = `Pass ${pass.id}`;
  const valid = (field: string) => (ok: boolean) => onValid(`${pass.id}.${field}`, ok);
  return (
    <tr data-testid={`rule-pass-${pass.id}`}>
      <td className="num">{index + 1}</td>
      <td>
        <strong>{pass.id}</strong>
        <div className="muted">{pass.label}</div>
        <div className="muted">
          {pass.cardinality} · keys {pass.keys.map((k) => k.label).join(" + ")}
        </div>
      </td>
      <td>
        <select
          aria-label={`${at}: results`}
          value={pass.mode}
          disabled={disabled}
          onChange={(e) => onChange((p) => (p.mode = e.target.value as PassSpec["mode"]))}
        >
          <option value="auto">auto-confirmed</option>
          <option value="suggest">suggested</option>
        </select>
      </td>
      <td>
        {pass.amount ? (
          <span className="rule-fields">
            $
            <RuleNumber
              label={`${at}: amount tolerance in dollars`}
              value={pass.amount.absCents}
              parse={parseDollars}
              format={centsToDecimal}
              disabled={disabled}
              onValue={(n) => onChange((p) => (p.amount = { ...p.amount!, absCents: n }))}
              onValid={valid("abs")}
            />
            or
            <RuleNumber
              label={`${at}: amount tolerance in percent`}
              value={pass.amount.pct ?? 0}
              parse={percent}
              disabled={disabled}
              onValue={(n) =>
                onChange((p) => {
                  const { pct: _pct, ...rest } = p.amount!;
                  p.amount = n === 0 ? rest : { ...rest, pct: n };
                })
              }
              onValid={valid("pct")}
              width={56}
            />
            %
          </span>
        ) : (
          <span className="muted">not compared</span>
        )}
      </td>
      <td>
        {pass.date ? (
          <span className="rule-fields">
            <RuleNumber
              label={`${at}: date window from (days)`}
              value={pass.date.minDays}
              parse={wholeDays}
              disabled={disabled}
              onValue={(n) => onChange((p) => (p.date = { ...p.date!, minDays: n }))}
              onValid={valid("minDays")}
              width={52}
            />
            to
            <RuleNumber
              label={`${at}: date window to (days)`}
              value={pass.date.maxDays}
              parse={wholeDays}
              disabled={disabled}
              onValue={(n) => onChange((p) => (p.date = { ...p.date!, maxDays: n }))}
              onValid={valid("maxDays")}
              width={52}
            />
            days
          </span>
        ) : (
          <span className="muted">none</span>
        )}
      </td>
      <td>
        {(pass.text ?? []).length === 0 && <span className="muted">none</span>}
        {(pass.text ?? []).map((t, j) => (
          <span className="rule-fields" key={t.label}>
            {t.label} ≥
            <RuleNumber
              label={`${at}: ${t.label} similarity at least`}
              value={t.min}
              parse={similarity}
              disabled={disabled}
              onValue={(n) => onChange((p) => (p.text![j] = { ...p.text![j]!, min: n }))}
              onValid={valid(`text${j}`)}
              width={56}
            />
          </span>
        ))}
      </td>
      <td>
        {pass.cardinality === "1:1" ? (
          <span className="muted">1</span>
        ) : (
          <RuleNumber
            label={`${at}: largest group`}
            value={pass.maxGroup ?? 0}
            format={(n) => (n === 0 ? "" : String(n))}
            parse={positive}
            disabled={disabled}
            onValue={(n) => onChange((p) => (p.maxGroup = n))}
            onValid={valid("maxGroup")}
            width={52}
          />
        )}
      </td>
      <td className="rule-order">
        <button type="button" aria-label={`Move ${pass.id} earlier`} disabled={disabled || index === 0} onClick={() => onMove(-1)}>
          ↑
        </button>
        <button type="button" aria-label={`Move ${pass.id} later`} disabled={disabled || index === count - 1} onClick={() => onMove(1)}>
          ↓
        </button>
      </td>
    </tr>
  );
}

function Versions({
  versions,
  mayEdit,
  busy,
  onUse,
}: {
  versions: RuleVersionInfo[];
  mayEdit: boolean;
  busy: boolean;
  onUse: (v: RuleVersionInfo) => void;
}) {
  if (versions.length === 0) return <p className="muted">No version stored yet: the first run or save stores the rules it uses.</p>;
  return (
    <table className="rule-versions" aria-label="Rule versions">
      <thead>
        <tr>
          <th>Version</th>
          <th>Origin</th>
          <th>Saved by</th>
          <th>When</th>
          <th>Why</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {versions.map((v) => (
          <tr key={v.hash} className={v.active ? "active" : undefined} data-testid={`rule-version-${v.version}-${v.origin}`}>
            <td title={v.hash}>
              v{v.version} {v.active && <strong>· in use</strong>}
            </td>
            <td>{v.origin}</td>
            <td>{v.createdBy ?? "Tieout"}</td>
            <td>{formatTimestamp(v.createdAt)}</td>
            <td>{v.note ?? ""}</td>
            <td>
              {mayEdit && !v.active && (
                <button type="button" disabled={busy} onClick={() => onUse(v)}>
                  Use v{v.version}
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A problem in a draft, with the pass named by its id rather than its place: "pass near, date: …". */
function issueInWords(t: ReconTemplate, issue: { path: string; message: string }): string {
  const path = issue.path.replace(/^passes\[(\d+)\]\.?/, (_, i: string) => `pass ${t.passes[Number(i)]?.id ?? Number(i) + 1}, `);
  return `${path.replace(/, $/, "")}: ${issue.message}`;
}

/**
 * A template's matching rules as runs use them, and their versions. A reviewer tunes the passes
 * (results auto-confirmed or suggested, amount tolerance, date window, text similarity, largest
 * group, order) or edits the whole definition as JSON, says why, and saves a new version; or
 * goes back to a stored version or the built-in rules. Others see the rules read-only.
 */
export function RulesPanel({ templateId, user, onChanged }: { templateId: string; user: UserInfo; onChanged: () => void }) {
  const rules = useApiQuery("recon/rules", { templateId });
  useEvent("recon/rulesChanged", rules.reload);
  const mayEdit = hasRole(user, "reviewer");
  const [draft, setDraft] = useState<ReconTemplate | null>(null);
  /** The rules (by hash) the draft started from: a save is refused if another reviewer saved since. */
  const [base, setBase] = useState<string | null>(null);
  const [json, setJson] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<ReadonlySet<string>>(new Set());
  const [note, setNote] = useState("");
  /** The version a reviewer chose to use (null hash: the built-in rules), waiting for the reason. */
  const [switching, setSwitching] = useState<{ hash: string | null; label: string } | null>(null);
  const [switchNote, setSwitchNote] = useState("");
  const switchInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (switching) switchInput.current?.focus();
  }, [switching]);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  // Bumped when the draft is dropped: the number fields start again from the rules' values.
  const [formKey, setFormKey] = useState(0);
  const active = rules.data?.active ?? null;
  const working = draft ?? active;

  const fromJson = useMemo((): { template: ReconTemplate | null; error: string | null; issues: string[] } => {
    if (json === null) return { template: null, error: null, issues: [] };
    try {
      const parsed = JSON.parse(json) as unknown;
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
        return { template: null, error: "expected a JSON object", issues: [] };
      // The form shows only rules whose every part is there: what is not, is said here.
      const issues = validateTemplate(parsed as ReconTemplate).map((i) => `${i.path}: ${i.message}`);
      return { template: parsed as ReconTemplate, error: null, issues };
    } catch (e) {
      return { template: null, error: (e as Error).message, issues: [] };
    }
  }, [json]);
  // Rules in use that no longer validate cannot be shown in the form; JSON still shows them. A
  // draft half-way through an edit (a date window whose "from" passes its "to" while typing) keeps
  // the form, with what is wrong said under it.
  const formable = useMemo(() => active !== null && validateTemplate(active).length === 0, [active]);
  const draftIssues = useMemo(
    () => (draft !== null && json === null ? validateTemplate(draft).map((i) => issueInWords(draft, i)) : []),
    [draft, json],
  );
  const proposed = json !== null ? fromJson.template : working;
  const changes = useMemo(() => {
    if (!active || !proposed) return [];
    try {
      return describeRuleChanges(active, { ...proposed, version: active.version });
    } catch {
      // A JSON draft missing parts: the engine's check says what.
      return ["definition changed"];
    }
  }, [active, proposed]);

  const edit = useCallback(
    (change: (t: ReconTemplate) => void) => {
      if (!working) return;
      const next = structuredClone(working);
      change(next);
      if (draft === null && rules.data) setBase(rules.data.activeHash);
      setDraft(next);
      setMessage(null);
    },
    [working, draft, rules.data],
  );
  const setValid = useCallback((field: string, valid: boolean) => {
    setInvalid((current) => {
      if (valid === !current.has(field)) return current;
      const next = new Set(current);
      if (valid) next.delete(field);
      else next.add(field);
      return next;
    });
  }, []);
  const reset = () => {
    setDraft(null);
    setBase(null);
    setJson(null);
    setInvalid(new Set());
    setNote("");
    setSwitching(null);
    setSwitchNote("");
    setFormKey((k) => k + 1);
  };

  /** Sends a change of the rules in use; on success the draft goes and the panel says what happened. */
  const apply = <T,>(request: () => Promise<T>, saying: (result: T) => string) => {
    setBusy(true);
    setMessage(null);
    request()
      .then(
        (result) => {
          reset();
          setMessage({ text: saying(result), error: false });
          rules.reload();
          onChanged();
        },
        (e: Error) => setMessage({ text: e.message, error: true }),
      )
      .finally(() => setBusy(false));
  };
  const save = () => {
    if (!proposed || busy) return;
    apply(
      () => call("recon/saveRules", { templateId, definition: proposed, note, ...(base ? { basedOn: base } : {}) }),
      (saved) => `Saved as v${saved.version}. The next run uses these rules; re-run to apply them.`,
    );
  };
  /** Asks why first: like a save, a switch of the rules in use goes into the audit trail with its reason. */
  const askToUse = (hash: string | null, label: string) => {
    setSwitching({ hash, label });
    setSwitchNote("");
    setMessage(null);
  };
  const use = () => {
    if (!switching || busy || switchNote.trim() === "") return;
    const { hash, label } = switching;
    apply(
      () => call("recon/useRules", { templateId, hash, note: switchNote.trim() }),
      () => `Runs now use ${label}; re-run to apply them.`,
    );
  };

  const data = rules.data;
  const current = data?.versions.find((v) => v.active);
  const disabled = !mayEdit || busy;
  const canSave =
    mayEdit &&
    !busy &&
    changes.length > 0 &&
    invalid.size === 0 &&
    draftIssues.length === 0 &&
    note.trim() !== "" &&
    fromJson.error === null;
  return (
    <section className="rules-panel" aria-label="Matching rules">
      <h3>
        Matching rules{" "}
        {data && (
          <span className="muted" data-testid="rules-in-use">
            v{data.active.version} ({data.activeOrigin}
            {current?.createdBy && data.activeOrigin === "edited" ? `, saved by ${current.createdBy}` : ""})
          </span>
        )}
      </h3>
      {rules.error && <p className="error">{rules.error}</p>}
      {rules.loading && !data && <p className="muted">Loading the rules…</p>}
      {!mayEdit && data && <p className="muted">Only a reviewer or an administrator can change the rules.</p>}
      {data?.activeProblem && <p className="error">{data.activeProblem}</p>}
      {working && json === null && !formable && (
        <p className="muted">These rules cannot be shown as a form: edit them as JSON, or choose another version.</p>
      )}
      {working && json === null && formable && (
        <div key={formKey}>
          <label className="rule-fields">
            Run-out days after the period end
            <RuleNumber
              label="Run-out days"
              value={working.runOutDays}
              parse={(t) => (/^\s*\d{1,3}\s*$/.test(t) ? Number(t) : null)}
              disabled={disabled}
              onValue={(n) => edit((t) => (t.runOutDays = n))}
              onValid={(ok) => setValid("runOutDays", ok)}
              width={52}
            />
          </label>
          <table className="rule-passes" aria-label="Passes, in the order they run">
            <thead>
              <tr>
                <th>#</th>
                <th>Pass</th>
                <th>Results</th>
                <th>Amount tolerance</th>
                <th>Date window</th>
                <th>Text similarity</th>
                <th>Largest group</th>
                <th>Order</th>
              </tr>
            </thead>
            <tbody>
              {working.passes.map((p, i) => (
                <PassRow
                  key={p.id}
                  pass={p}
                  index={i}
                  count={working.passes.length}
                  disabled={disabled}
                  onChange={(change) => edit((t) => change(t.passes[i]!))}
                  onMove={(by) =>
                    edit((t) => {
                      const [moved] = t.passes.splice(i, 1);
                      t.passes.splice(i + by, 0, moved!);
                    })
                  }
                  onValid={setValid}
                />
              ))}
            </tbody>
          </table>
          <p className="muted">
            Exception rules: {working.exceptions.map((e) => e.reason).join(", ") || "none"} · expected rules:{" "}
            {working.expected.map((e) => e.reason).join(", ") || "none"}. The side queries and these rules are edited as JSON.
          </p>
          {draftIssues.length > 0 && (
            <ul className="error" aria-label="Problems in the rules">
              {draftIssues.map((i) => (
                <li key={i}>{i}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {json !== null && (
        <div className="rule-json">
          <textarea
            aria-label="Rules as JSON"
            value={json}
            spellCheck={false}
            disabled={disabled}
            onChange={(e) => {
              setJson(e.target.value);
              setMessage(null);
            }}
          />
          {fromJson.error && <p className="error">Not JSON: {fromJson.error}</p>}
          {fromJson.issues.length > 0 && (
            <ul className="error" aria-label="Problems in the rules">
              {fromJson.issues.slice(0, 8).map((i) => (
                <li key={i}>{i}</li>
              ))}
              {fromJson.issues.length > 8 && <li>and {fromJson.issues.length - 8} more</li>}
            </ul>
          )}
        </div>
      )}
      {data && mayEdit && (
        <div className="rule-actions">
          {json === null ? (
            <button
              type="button"
              disabled={busy}
              onClick={() => {
                if (base === null && rules.data) setBase(rules.data.activeHash);
                // The JSON holds the last valid value of every field: nothing stays marked.
                setInvalid(new Set());
                setFormKey((k) => k + 1);
                setJson(JSON.stringify(working, null, 2));
              }}
            >
              Edit as JSON…
            </button>
          ) : (
            <button
              type="button"
              disabled={busy || fromJson.template === null || fromJson.issues.length > 0}
              onClick={() => {
                setDraft(fromJson.template);
                setJson(null);
              }}
            >
              Back to the form
            </button>
          )}
          {(draft !== null || json !== null) && (
            <button type="button" disabled={busy} onClick={reset}>
              Discard changes
            </button>
          )}
          {data.activeHash !== data.builtInHash && (
            <button type="button" disabled={busy} onClick={() => askToUse(null, `the built-in rules v${data.builtIn.version}`)}>
              Use the built-in rules
            </button>
          )}
        </div>
      )}
      {changes.length > 0 && (
        <form
          className="rule-save"
          aria-label="Save the rules"
          onSubmit={(e) => {
            e.preventDefault();
            if (canSave) save();
          }}
        >
          <p>Changes from v{active?.version}:</p>
          <ul data-testid="rule-changes">
            {changes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <span className="inline-form">
            <input
              aria-label="Why the rules change"
              placeholder="Why (for the audit trail), e.g. billing posts up to 3 days after service"
              value={note}
              onChange={(e) => setNote(e.target.value)}
            />
            <button type="submit" className="primary" disabled={!canSave}>
              {busy ? "Saving…" : "Save as a new version"}
            </button>
          </span>
          {invalid.size > 0 && <p className="error">Some values are not valid: fix the marked fields.</p>}
        </form>
      )}
      {switching && (
        <form
          className="rule-save"
          aria-label="Switch the rules in use"
          onSubmit={(e) => {
            e.preventDefault();
            use();
          }}
        >
          <span className="inline-form">
            <label htmlFor="rules-switch-note">Why use {switching.label}?</label>
            <input
              id="rules-switch-note"
              ref={switchInput}
              placeholder="Why (for the audit trail), e.g. the wider window matched charges to the wrong day"
              value={switchNote}
              onChange={(e) => setSwitchNote(e.target.value)}
            />
            <button type="submit" className="primary" disabled={busy || switchNote.trim() === ""}>
              {busy ? "Switching…" : `Use ${switching.label}`}
            </button>
            <button type="button" disabled={busy} onClick={() => setSwitching(null)}>
              Cancel
            </button>
          </span>
          {(draft !== null || json !== null) && (
            <p className="warn" role="status" data-testid="rules-switch-drops-draft">
              Your unsaved changes to these rules are discarded when you switch: save them as a new version first to keep them.
            </p>
          )}
        </form>
      )}
      {base !== null && data && base !== data.activeHash && (
        <p className="warn" role="status" data-testid="rules-stale">
          Someone changed the rules while you edited them (now v{data.active.version}). Discard your changes to see theirs.
        </p>
      )}
      {message && (
        <p role="status" className={message.error ? "error" : "form-message"} data-testid="rules-message">
          {message.text}
        </p>
      )}
      {data && (
        <details className="rule-history">
          <summary>Versions ({data.versions.length})</summary>
          <Versions versions={data.versions} mayEdit={mayEdit} busy={busy} onUse={(v) => askToUse(v.hash, `rules v${v.version}`)} />
        </details>
      )}
    </section>
  );
}
