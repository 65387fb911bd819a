import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { hasRole, type JobInfo, type UserInfo } from "../../../src-shared/api";
import type { MatchGroupInfo, ReconRow, ReconSide } from "../../../src-shared/api/recon";
import { call } from "../../api/client";
import { useApiQuery, useEvent } from "../../api/hooks";
import { formatMoney, formatNumber } from "../../format";
import type { Route } from "../../routes";
import { ExportWorkpaperButton } from "../audit/ExportWorkpaperButton";
import { SignOffPanel } from "../audit/SignOffPanel";
import { BalancePanel } from "./BalancePanel";
import { GroupPanel, RowPanel } from "./GroupPanel";
import { ReconSideGrid, type ReconSideGridHandle, type SideFilter } from "./ReconSideGrid";
import { RulesPanel } from "./RulesPanel";
import { exceptionsSub, rememberPeriod, signoffSub } from "./reconLabels";
import { ShortcutHelp, keyLabel, useShortcuts, type Shortcut } from "./shortcuts";
import { RunProgress, useReconRun } from "./useReconRun";

const NO_FILTER: SideFilter = { status: [], reason: null, search: "" };
const EXPLAIN_REASONS = [
  "Timing: posts next period",
  "Write-off approved",
  "Duplicate in source, corrected there",
  "Known system difference",
  "Below materiality",
];

type Selection = ReadonlyMap<string, ReconRow>;
/** No row ticked on either side (read-only maps: every selection change makes new ones). */
const NO_SELECTION: Record<ReconSide, Selection> = { left: new Map(), right: new Map() };
/** How long the period picker waits after a change before it opens that period (arrow keys step through months). */
const PERIOD_SETTLE_MS = 600;
/** Set when this page was left through its own period picker: the next one focuses its picker again. */
let refocusPeriodPicker = false;
const sum = (rows: Selection) => [...rows.values()].reduce((s, r) => s + (r.amountCents ?? 0), 0);

/**
 * One reconciliation for one period: the balance, both sides side by side, the match group of
 * the row in focus, and the analyst's actions (run, match, unmatch, explain, confirm).
 */
export function ReconDetail({
  templateId,
  period,
  user,
  dark,
  navigate,
}: {
  templateId: string;
  period: string;
  user: UserInfo;
  dark: boolean;
  navigate: (route: Route) => void;
}) {
  const templates = useApiQuery("recon/templates", {});
  useEvent("recon/rulesChanged", templates.reload);
  const template = templates.data?.find((t) => t.id === templateId);
  const list = useApiQuery("recon/list", { period });
  const info = list.data?.find((r) => r.templateId === templateId);
  const hasRun = !!info?.lastRun;
  const [balance, setBalance] = useState<Awaited<ReturnType<typeof call<"recon/balance">>> | null>(null);
  const [balanceError, setBalanceError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);

  const [filters, setFilters] = useState<Record<ReconSide, SideFilter>>({ left: NO_FILTER, right: NO_FILTER });
  const [selected, setSelected] = useState<Record<ReconSide, Selection>>(NO_SELECTION);
  const [openGroup, setOpenGroup] = useState<MatchGroupInfo | null>(null);
  const [openRow, setOpenRow] = useState<ReconRow | null>(null);
  const [explaining, setExplaining] = useState(false);
  const [explainNote, setExplainNote] = useState("");
  const [help, setHelp] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const leftGrid = useRef<ReconSideGridHandle>(null);
  const rightGrid = useRef<ReconSideGridHandle>(null);
  const leftSearch = useRef<HTMLInputElement>(null);
  const explainInput = useRef<HTMLInputElement>(null);
  const headTools = useRef<HTMLSpanElement>(null);
  const periodInput = useRef<HTMLInputElement>(null);
  // Running, matching, explaining and confirming change the reconciliation: they need the preparer role (the engine refuses them too).
  const mayPrepare = hasRole(user, "preparer");
  const [periodDraft, setPeriodDraft] = useState(period);
  const periodTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const openPeriod = useCallback(
    (next: string) => {
      if (periodTimer.current) clearTimeout(periodTimer.current);
      periodTimer.current = null;
      if (!/^\d{4}-\d{2}$/.test(next) || next === period) return;
      refocusPeriodPicker = document.activeElement === periodInput.current;
      rememberPeriod(next);
      navigate({ page: "reconciliations", sub: `${templateId}/${next}` });
    },
    [navigate, period, templateId],
  );
  useEffect(() => {
    if (refocusPeriodPicker) periodInput.current?.focus();
    refocusPeriodPicker = false;
    return () => {
      if (periodTimer.current) clearTimeout(periodTimer.current);
    };
  }, []);
  /** After a panel or form closes, the keyboard goes back to the grid rather than to nowhere. */
  const refocus = () =>
    setTimeout(() => {
      if (document.activeElement === document.body || document.activeElement === null) leftGrid.current?.focusGrid();
    }, 0);
  const reloadList = list.reload;
  const refreshAll = useCallback(() => {
    setGeneration((g) => g + 1);
    reloadList();
    leftGrid.current?.refresh();
    rightGrid.current?.refresh();
  }, [reloadList]);

  useEffect(() => {
    if (!hasRun) return;
    let live = true;
    call("recon/balance", { templateId, period }).then(
      (b) => live && (setBalance(b), setBalanceError(null)),
      (e: Error) => live && setBalanceError(e.message),
    );
    return () => {
      live = false;
    };
  }, [templateId, period, hasRun, generation]);

  // The open group is re-read after every change so it never shows rows that left it.
  const openGroupId = openGroup?.groupId ?? null;
  useEffect(() => {
    if (openGroupId === null || generation === 0) return;
    let live = true; // a re-read that answers after another group was opened is dropped
    call("recon/group", { groupId: openGroupId }).then(
      (group) => live && setOpenGroup(group),
      () => live && setOpenGroup(null),
    );
    return () => {
      live = false;
    };
  }, [generation, openGroupId]);

  useEvent(
    "recon/changed",
    useCallback(
      (change: { templateId: string; period: string }) => change.templateId === templateId && change.period === period && refreshAll(),
      [templateId, period, refreshAll],
    ),
  );

  const runner = useReconRun(
    useCallback(
      (job: JobInfo) => {
        refreshAll();
        // A finished run re-classifies the period: ticked rows would carry the groups and amounts read before it.
        if (job.status === "succeeded") setSelected(NO_SELECTION);
        setMessage(
          job.status === "succeeded"
            ? { text: "Run finished.", error: false }
            : job.status === "cancelled"
              ? { text: "Run cancelled; what it had committed stays.", error: false }
              : { text: `Run failed: ${job.error ?? "unknown error"}`, error: true },
        );
      },
      [refreshAll],
    ),
  );
  const running = runner.runningFor(templateId, period);
  const run = () => {
    if (running) return;
    setMessage(null);
    runner.start(templateId, period).catch((e: Error) => setMessage({ text: e.message, error: true }));
  };

  const toggle = useCallback((row: ReconRow) => {
    setSelected((current) => {
      const next = new Map(current[row.side]);
      if (next.has(row.rowKey)) next.delete(row.rowKey);
      else next.set(row.rowKey, row);
      return { ...current, [row.side]: next };
    });
  }, []);
  const toggleLeft = toggle;
  const toggleRight = toggle;
  const clearSelection = () => setSelected(NO_SELECTION);

  // Only the row opened last is shown: a slower answer for a row clicked before it is dropped.
  const lastOpened = useRef(0);
  const openRowDetail = useCallback(
    (row: ReconRow) => {
      const request = ++lastOpened.current;
      if (row.groupId !== null) {
        setOpenRow(null);
        call("recon/group", { groupId: row.groupId }).then(
          (group) => request === lastOpened.current && setOpenGroup(group),
          (e: Error) => request === lastOpened.current && setMessage({ text: e.message, error: true }),
        );
      } else {
        setOpenGroup(null);
        setOpenRow(row);
      }
    },
    [setOpenRow, setOpenGroup, setMessage],
  );

  const act = async (label: string, action: () => Promise<string>) => {
    try {
      const text = await action();
      setMessage({ text, error: false });
      refreshAll();
    } catch (e) {
      setMessage({ text: `${label}: ${(e as Error).message}`, error: true });
    }
  };

  const leftSum = sum(selected.left);
  const rightSum = sum(selected.right);
  const runningDifference = leftSum - rightSum;
  const selectedCount = selected.left.size + selected.right.size;
  // The engine matches at least one row of each side.
  const canMatch = mayPrepare && hasRun && selected.left.size > 0 && selected.right.size > 0;
  const selectedGroupIds = useMemo(() => {
    const ids = new Set<number>();
    for (const side of [selected.left, selected.right]) for (const row of side.values()) if (row.groupId !== null) ids.add(row.groupId);
    return [...ids];
  }, [selected]);
  // U, the toolbar's Unmatch and the panel's act on the same groups: the open group's when a
  // group panel is open (it says "(U)"), otherwise the selected rows' groups.
  const unmatchIds = !mayPrepare ? [] : openGroup ? (openGroup.locked ? [] : [openGroup.groupId]) : selectedGroupIds;

  const match = () =>
    void act("Match", async () => {
      const group = await call("recon/matchManual", {
        templateId,
        period,
        leftKeys: [...selected.left.keys()],
        rightKeys: [...selected.right.keys()],
      });
      clearSelection();
      setOpenRow(null);
      setOpenGroup(group);
      return `Matched ${group.left.length} ↔ ${group.right.length} rows as group ${group.groupId}; left − right ${formatMoney(group.leftCents - group.rightCents)}.`;
    });
  /** Unmatches the selected rows' groups (or the open group); the group panel passes its own group. */
  const unmatch = (groupIds: number[] = unmatchIds) =>
    void act("Unmatch", async () => {
      const { unmatched } = await call("recon/unmatch", { groupIds });
      clearSelection();
      setOpenGroup(null);
      refocus();
      return `Unmatched ${formatNumber(unmatched)} group${unmatched === 1 ? "" : "s"}; the rows are unmatched again.`;
    });
  const confirmSuggested = () => {
    const ids = openGroup?.kind === "suggested" ? [openGroup.groupId] : selectedGroupIds;
    void act("Confirm", async () => {
      const { confirmed } = await call("recon/confirm", { groupIds: ids });
      return `Confirmed ${formatNumber(confirmed)} suggested group${confirmed === 1 ? "" : "s"}.`;
    });
  };
  const startExplain = () => {
    if (selectedCount === 0 || !mayPrepare) return;
    setExplaining(true);
    setTimeout(() => explainInput.current?.focus(), 0);
  };
  const explain = () => {
    const note = explainNote.trim();
    if (!note) return;
    void act("Explain", async () => {
      let explained = 0;
      for (const side of ["left", "right"] as const) {
        const keys = [...selected[side].keys()];
        if (keys.length > 0) explained += (await call("recon/explain", { templateId, period, side, keys, note })).explained;
      }
      clearSelection();
      setExplaining(false);
      setExplainNote("");
      refocus();
      return `Marked ${formatNumber(explained)} row${explained === 1 ? "" : "s"} explained: ${note}.`;
    });
  };

  const shortcuts: Shortcut[] = [
    { key: "r", label: "Run this reconciliation", run, enabled: !running && mayPrepare },
    { key: "m", label: "Match the selected rows", run: match, enabled: canMatch },
    {
      key: "u",
      label: "Unmatch the open group (with none open, the selected rows' groups)",
      run: () => unmatch(),
      enabled: unmatchIds.length > 0,
    },
    { key: "e", label: "Mark the selected rows explained, with a reason", run: startExplain, enabled: mayPrepare && selectedCount > 0 },
    {
      key: "c",
      label: "Confirm the open suggested match",
      run: confirmSuggested,
      enabled: mayPrepare && (openGroup?.kind === "suggested" || selectedGroupIds.length > 0),
    },
    { key: "/", label: "Search the left side", run: () => leftSearch.current?.focus() },
    { key: "g", label: "Focus the left grid", run: () => leftGrid.current?.focusGrid() },
    {
      key: "Escape",
      label: "Close the panel (rules, sign-off, group), then clear the selection",
      run: () => {
        // The Rules or Sign-off fold in the header closes first.
        const fold = headTools.current?.querySelector<HTMLDetailsElement>(":scope > details[open]");
        if (help) setHelp(false);
        else if (fold) fold.open = false;
        else if (explaining) setExplaining(false);
        else if (openGroup || openRow) {
          setOpenGroup(null);
          setOpenRow(null);
        } else clearSelection();
        refocus();
      },
    },
    { key: "?", label: "Show this list", run: () => setHelp(true) },
  ];
  useShortcuts(shortcuts);
  const tip = (key: string, text: string) => `${text} (${keyLabel(key)})`;

  const reasons = useMemo(() => {
    const all = new Set<string>([...(template?.exceptionReasons ?? []), ...(template?.expectedReasons ?? [])]);
    for (const line of balance?.reconciling ?? []) all.add(line.reason);
    return [...all];
  }, [template, balance]);
  const setLeftFilter = useCallback((f: SideFilter) => setFilters((c) => ({ ...c, left: f })), []);
  const setRightFilter = useCallback((f: SideFilter) => setFilters((c) => ({ ...c, right: f })), []);
  const showReason = (reason: string) => setFilters({ left: { ...NO_FILTER, reason }, right: { ...NO_FILTER, reason } });

  const title = template?.name ?? templateId;
  return (
    <section className="recon-page recon-detail">
      <div className="page-head recon-head">
        <button type="button" className="link" onClick={() => navigate({ page: "reconciliations" })}>
          ← Reconciliations
        </button>
        <h2>{title}</h2>
        <label className="period-picker">
          Period {/* A period opens once the picker settles (or on Enter or leaving it), so arrow keys can step several months. */}
          <input
            ref={periodInput}
            type="month"
            aria-label="Period"
            value={periodDraft}
            onChange={(e) => {
              const next = e.target.value;
              setPeriodDraft(next);
              if (periodTimer.current) clearTimeout(periodTimer.current);
              if (next) periodTimer.current = setTimeout(() => openPeriod(next), PERIOD_SETTLE_MS);
            }}
            onKeyDown={(e) => e.key === "Enter" && openPeriod(periodDraft)}
            onBlur={() => (periodDraft ? openPeriod(periodDraft) : setPeriodDraft(period))}
          />
        </label>
        {running ? (
          <RunProgress
            run={running}
            onCancel={() =>
              running.jobId && runner.cancel(running.jobId).catch((e: Error) => setMessage({ text: `Cancel: ${e.message}`, error: true }))
            }
          />
        ) : (
          <button
            type="button"
            className="primary"
            onClick={run}
            disabled={!mayPrepare}
            title={mayPrepare ? tip("r", "Run the matching rules for this period") : "Running a reconciliation needs the preparer role"}
            aria-keyshortcuts="R"
          >
            {hasRun ? "Re-run" : "Run"}
          </button>
        )}
        <button type="button" onClick={() => setHelp(true)} title="Keyboard shortcuts (?)" aria-keyshortcuts="?">
          ?
        </button>
        {/* The rules, sign-off and workpaper export sit in the header, folded so the grids keep the room. */}
        <span className="recon-head-tools" ref={headTools}>
          <details className="recon-audit recon-rules">
            <summary>Rules{template ? ` v${template.version}${template.rulesOrigin === "edited" ? " (edited)" : ""}` : ""}</summary>
            <div className="recon-audit-body rules-body">
              <RulesPanel templateId={templateId} user={user} onChanged={templates.reload} />
            </div>
          </details>
          <details className="recon-audit">
            <summary>Sign-off &amp; workpaper</summary>
            <div className="recon-audit-body">
              <SignOffPanel reconId={templateId} period={period} user={user} />
              <ExportWorkpaperButton reconId={templateId} period={period} user={user} />
              {mayPrepare && (
                <p className="recon-exceptions-link">
                  <button type="button" className="link" onClick={() => navigate({ page: "audit", sub: signoffSub(templateId, period) })}>
                    Open exceptions in Excel: export, or import a filled workbook →
                  </button>
                </p>
              )}
            </div>
          </details>
        </span>
      </div>
      {message && (
        <p role="status" className={`recon-message ${message.error ? "error" : "form-message"}`} data-testid="recon-message">
          {message.text}
        </p>
      )}
      {hasRun && template && info?.lastRun && info.lastRun.ruleHash !== template.ruleHash && (
        <p className="recon-rules-changed warn" role="status" data-testid="rules-changed">
          The rules changed since the last run (v{info.lastRun.ruleVersion} → v{template.version}). Re-run to apply them.
        </p>
      )}
      {(templates.error || list.error || balanceError) && <p className="error">{templates.error ?? list.error ?? balanceError}</p>}
      {list.data && !hasRun && (
        <div className="empty-state" data-testid="recon-no-run">
          <p>
            <strong>No run yet for {period}:</strong> press <kbd>R</kbd> or the Run button. The run reads{" "}
            {template?.leftLabel ?? "the left side"} and {template?.rightLabel ?? "the right side"} for the period and its run-out days,
            matches them pass by pass, and raises an exception for every break.
          </p>
        </div>
      )}
      {hasRun && balance && (
        <BalancePanel
          balance={balance}
          leftLabel={template?.leftLabel ?? "Left"}
          rightLabel={template?.rightLabel ?? "Right"}
          onReason={showReason}
        />
      )}
      {hasRun && info && info.openExceptions > 0 && (
        <p className="recon-exceptions-link">
          <button
            type="button"
            className="link"
            onClick={() => navigate({ page: "exceptions", sub: exceptionsSub({ templateId, period }) })}
          >
            {formatNumber(info.openExceptions)} open exceptions in the queue →
          </button>
        </p>
      )}
      {hasRun && (
        <>
          <div className="selection-bar" aria-label="Selection" data-testid="selection-bar">
            <span>
              Left selected <strong className="num">{formatNumber(selected.left.size)}</strong> ·{" "}
              <span className="num">{formatMoney(leftSum)}</span>
            </span>
            <span>
              Right selected <strong className="num">{formatNumber(selected.right.size)}</strong> ·{" "}
              <span className="num">{formatMoney(rightSum)}</span>
            </span>
            <span className={selectedCount === 0 ? "muted" : runningDifference === 0 ? "tie-ok" : "warn"}>
              Difference (left − right){" "}
              <strong className="num" data-testid="running-difference">
                {formatMoney(runningDifference)}
              </strong>
            </span>
            <span className="selection-actions">
              <button
                type="button"
                className="primary"
                disabled={!canMatch}
                onClick={match}
                title={tip("m", "Match the selected rows by hand")}
                aria-keyshortcuts="M"
              >
                Match
              </button>
              <button
                type="button"
                disabled={unmatchIds.length === 0}
                onClick={() => unmatch()}
                title={tip("u", "Break the open group apart (with none open, the selected rows' groups)")}
                aria-keyshortcuts="U"
              >
                Unmatch
              </button>
              <button
                type="button"
                disabled={!mayPrepare || selectedCount === 0}
                onClick={startExplain}
                title={tip("e", "Mark the selected rows explained, with a reason")}
                aria-keyshortcuts="E"
              >
                Explain…
              </button>
              <button type="button" disabled={selectedCount === 0} onClick={clearSelection} title="Clear the selection (Esc)">
                Clear
              </button>
            </span>
          </div>
          {explaining && (
            <form
              className="inline-form explain-form"
              aria-label="Explain the selected rows"
              onSubmit={(e) => {
                e.preventDefault();
                explain();
              }}
            >
              <label htmlFor="explain-note">Why are these {formatNumber(selectedCount)} rows explained?</label>
              <input
                id="explain-note"
                ref={explainInput}
                list="explain-reasons"
                value={explainNote}
                onChange={(e) => setExplainNote(e.target.value)}
                placeholder="e.g. Timing: posts next period"
              />
              <datalist id="explain-reasons">
                {EXPLAIN_REASONS.map((r) => (
                  <option key={r} value={r} />
                ))}
              </datalist>
              <button type="submit" className="primary" disabled={explainNote.trim() === ""}>
                Mark explained
              </button>
              <button
                type="button"
                onClick={() => {
                  setExplaining(false);
                  refocus();
                }}
              >
                Cancel
              </button>
            </form>
          )}
          <div className="recon-sides">
            <ReconSideGrid
              ref={leftGrid}
              templateId={templateId}
              period={period}
              side="left"
              title={template?.leftLabel ?? ""}
              dark={dark}
              filter={filters.left}
              onFilter={setLeftFilter}
              reasons={reasons}
              selected={selected.left}
              onToggle={toggleLeft}
              onOpen={openRowDetail}
              openGroupId={openGroupId}
              searchRef={leftSearch}
            />
            <ReconSideGrid
              ref={rightGrid}
              templateId={templateId}
              period={period}
              side="right"
              title={template?.rightLabel ?? ""}
              dark={dark}
              filter={filters.right}
              onFilter={setRightFilter}
              reasons={reasons}
              selected={selected.right}
              onToggle={toggleRight}
              onOpen={openRowDetail}
              openGroupId={openGroupId}
            />
          </div>
        </>
      )}
      {openGroup && (
        <GroupPanel
          group={openGroup}
          mayAct={mayPrepare}
          onUnmatch={() => unmatch([openGroup.groupId])}
          onConfirm={confirmSuggested}
          onClose={() => {
            setOpenGroup(null);
            refocus();
          }}
        />
      )}
      {openRow && !openGroup && (
        <RowPanel
          row={openRow}
          onClose={() => {
            setOpenRow(null);
            refocus();
          }}
        />
      )}
      {help && <ShortcutHelp shortcuts={shortcuts} onClose={() => setHelp(false)} />}
    </section>
  );
}
