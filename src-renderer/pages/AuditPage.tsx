import { useState, type FormEvent } from "react";
import type { AuditChainCheck, AuditEntryInfo, AuditFilter } from "../../src-shared/api/audit";
import { call } from "../api/client";
import { useApiQuery } from "../api/hooks";
import { ExceptionsRoundtrip } from "../components/audit/ExceptionsRoundtrip";
import { ExportWorkpaperButton } from "../components/audit/ExportWorkpaperButton";
import { SignOffPanel } from "../components/audit/SignOffPanel";
import { formatNumber, formatTimestamp } from "../format";
import type { PageProps } from "./pageProps";

const PAGE = 50;

function VerifyChain() {
  const [result, setResult] = useState<AuditChainCheck | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const verify = () => {
    setBusy(true);
    setError(null);
    call("audit/verify", {}).then(
      (r) => {
        setResult(r);
        setBusy(false);
      },
      (e: Error) => {
        setError(e.message);
        setBusy(false);
      },
    );
  };
  return (
    <div className="audit-verify">
      <button type="button" className="primary" onClick={verify} disabled={busy}>
        {busy ? "Verifying…" : "Verify the hash chain"}
      </button>
      {error && <span className="error">{error}</span>}
      {result && (
        <span role="status" data-testid="audit-verify-result" className={result.ok ? "audit-ok" : "audit-broken"}>
          {result.ok
            ? `Chain intact: ${formatNumber(result.entries)} entries recomputed, last hash ${result.lastHash.slice(0, 12)}…`
            : `Chain broken at entry ${result.firstBadSeq}: ${result.problem}`}
        </span>
      )}
    </div>
  );
}

function Change({ label, value }: { label: string; value: unknown }) {
  if (value === null || value === undefined) return null;
  return (
    <div>
      <strong>{label}</strong>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </div>
  );
}

function EntryRow({ entry }: { entry: AuditEntryInfo }) {
  const [open, setOpen] = useState(false);
  const hasDetail = entry.before !== null || entry.after !== null;
  return (
    <>
      <tr>
        <td className="num">{entry.seq}</td>
        <td title={entry.at}>{formatTimestamp(entry.at)}</td>
        <td>{entry.actor}</td>
        <td>{entry.action}</td>
        <td>
          <span className="muted">{entry.entityType}</span> {entry.entityId}
        </td>
        <td>{entry.reason ?? ""}</td>
        <td>
          {hasDetail && (
            <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
              {open ? "Hide" : "Before / after"}
            </button>
          )}
        </td>
      </tr>
      {open && (
        <tr className="audit-detail">
          <td />
          <td colSpan={6}>
            <Change label="Before" value={entry.before} />
            <Change label="After" value={entry.after} />
            <div className="muted">hash {entry.hash}</div>
          </td>
        </tr>
      )}
    </>
  );
}

function RecentExports() {
  const exports = useApiQuery("workpaper/list", { limit: 10 });
  if (!exports.data || exports.data.length === 0) return null;
  return (
    <details className="audit-exports">
      <summary>Recent workpapers and exception workbooks ({exports.data.length})</summary>
      <table className="plain" data-testid="exports-table">
        <thead>
          <tr>
            <th>Written</th>
            <th>Kind</th>
            <th>Reconciliation</th>
            <th>Period</th>
            <th className="num">Rows</th>
            <th>By</th>
            <th>File</th>
          </tr>
        </thead>
        <tbody>
          {exports.data.map((e) => (
            <tr key={e.id}>
              <td>{formatTimestamp(e.createdAt)}</td>
              <td>
                {e.kind}
                {e.phiUnmasked && <span className="badge">PHI</span>}
              </td>
              <td>{e.reconId}</td>
              <td>{e.period}</td>
              <td className="num">{formatNumber(e.rows)}</td>
              <td>{e.createdBy}</td>
              <td title={e.sha256 ?? ""}>{e.path}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** `/audit/signoff/<reconId>/<period>`: sign-off, workpaper and round trip of one reconciliation. */
function SignoffView({ reconId, period, user }: { reconId: string; period: string; user: PageProps["user"] }) {
  return (
    <section>
      <div className="page-head">
        <h2>Audit</h2>
        <span className="muted">
          {reconId} · {period}
        </span>
      </div>
      <SignOffPanel reconId={reconId} period={period} user={user} />
      <ExportWorkpaperButton reconId={reconId} period={period} user={user} />
      <ExceptionsRoundtrip reconId={reconId} period={period} />
    </section>
  );
}

/** The audit trail: every recorded action, filtered and paged in the engine, with a chain check. */
export function AuditPage(props: PageProps) {
  const signoff = /^signoff\/([^/]+)\/(\d{4}-\d{2})$/.exec(props.sub ?? "");
  if (signoff) return <SignoffView reconId={decodeURIComponent(signoff[1]!)} period={signoff[2]!} user={props.user} />;
  return <AuditTrail />;
}

function AuditTrail() {
  const [draft, setDraft] = useState<AuditFilter>({});
  const [filter, setFilter] = useState<AuditFilter>({});
  const [offset, setOffset] = useState(0);
  const page = useApiQuery("audit/list", { ...filter, offset, limit: PAGE });
  const apply = (event: FormEvent) => {
    event.preventDefault();
    const cleaned = Object.fromEntries(Object.entries(draft).filter(([, v]) => typeof v === "string" && v.trim() !== "")) as AuditFilter;
    setFilter(cleaned);
    setOffset(0);
  };
  const set = (key: keyof AuditFilter) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const data = page.data;
  return (
    <section>
      <div className="page-head">
        <h2>Audit</h2>
        <VerifyChain />
      </div>
      <RecentExports />
      <form className="audit-filters" aria-label="Filter the audit trail" onSubmit={apply}>
        <label>
          Who
          <select value={draft.actor ?? ""} onChange={(e) => set("actor")(e.target.value)}>
            <option value="">anyone</option>
            {data?.actors.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          Action
          <select value={draft.action ?? ""} onChange={(e) => set("action")(e.target.value)}>
            <option value="">any</option>
            {data?.actions.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          Entity type
          <input value={draft.entityType ?? ""} onChange={(e) => set("entityType")(e.target.value)} placeholder="signoff" size={12} />
        </label>
        <label>
          Entity
          <input value={draft.entityId ?? ""} onChange={(e) => set("entityId")(e.target.value)} placeholder="cash/2026-10*" size={16} />
        </label>
        <label>
          From
          <input type="date" value={draft.from ?? ""} onChange={(e) => set("from")(e.target.value)} />
        </label>
        <label>
          To
          <input type="date" value={draft.to ?? ""} onChange={(e) => set("to")(e.target.value)} />
        </label>
        <label>
          Text
          <input type="search" value={draft.search ?? ""} onChange={(e) => set("search")(e.target.value)} size={14} />
        </label>
        <button type="submit">Filter</button>
        <button
          type="button"
          onClick={() => {
            setDraft({});
            setFilter({});
            setOffset(0);
          }}
        >
          Clear
        </button>
      </form>
      {page.error && <p className="error">{page.error}</p>}
      {!data && !page.error && <p aria-busy="true">Loading…</p>}
      {data && data.total === 0 && <p className="empty-state">No audit entries match.</p>}
      {data && data.total > 0 && (
        <>
          <table className="plain" data-testid="audit-table">
            <thead>
              <tr>
                <th className="num">#</th>
                <th>When</th>
                <th>Who</th>
                <th>Action</th>
                <th>Entity</th>
                <th>Reason</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.entries.map((entry) => (
                <EntryRow key={entry.seq} entry={entry} />
              ))}
            </tbody>
          </table>
          <div className="audit-pager">
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              Newer
            </button>
            <span>
              {formatNumber(offset + 1)}–{formatNumber(offset + data.entries.length)} of {formatNumber(data.total)}
            </span>
            <button type="button" disabled={offset + PAGE >= data.total} onClick={() => setOffset(offset + PAGE)}>
              Older
            </button>
          </div>
        </>
      )}
    </section>
  );
}
