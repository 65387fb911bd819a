import type { MatchGroupInfo, ReconRow } from "../../../src-shared/api/recon";
import { formatMoney, formatTimestamp } from "../../format";
import { STATUS_LABEL, reasonLabel } from "./reconLabels";

function RowsTable({ rows, caption }: { rows: ReconRow[]; caption: string }) {
  return (
    <table className="plain group-rows">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th>Key</th>
          <th>Date</th>
          <th className="num">Amount</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.itemId}>
            <td>{row.rowKey}</td>
            <td>{row.rowDate}</td>
            <td className="num">{formatMoney(row.amountCents)}</td>
          </tr>
        ))}
        {rows.length === 0 && (
          <tr>
            <td colSpan={3} className="muted">
              none
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

/** A match group with its rows on both sides and the rule's explanation of why they match. */
export function GroupPanel({
  group,
  mayAct,
  onUnmatch,
  onConfirm,
  onClose,
}: {
  group: MatchGroupInfo;
  /** The user may confirm and unmatch (the preparer role); otherwise the panel only reads. */
  mayAct: boolean;
  onUnmatch: () => void;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const variance = group.leftCents - group.rightCents;
  const decided = group.decidedLeftCents - group.decidedRightCents;
  return (
    <aside className="recon-drawer" aria-label={`Match group ${group.groupId}`} data-testid="group-panel">
      <header className="drawer-head">
        <h3>
          Match group {group.groupId}{" "}
          <span className={`status-badge status-${group.kind === "suggested" ? "suggested" : "matched"}`}>{group.kind}</span>
        </h3>
        <button type="button" aria-label="Close" title="Close (Esc)" onClick={onClose}>
          ×
        </button>
      </header>
      <p className="group-explanation" data-testid="group-explanation">
        {group.explanation}
      </p>
      <dl className="ob-facts">
        <dt>Pass</dt>
        <dd>{group.passId ?? "manual"}</dd>
        {group.score !== null && (
          <>
            <dt>Score</dt>
            <dd>{group.score}</dd>
          </>
        )}
        <dt>By</dt>
        <dd>
          {group.createdBy} <span className="muted">{formatTimestamp(group.createdAt)}</span>
        </dd>
        {group.note && (
          <>
            <dt>Note</dt>
            <dd>{group.note}</dd>
          </>
        )}
        <dt>Left − right</dt>
        <dd className={variance === 0 ? "tie-ok" : "warn"}>
          {formatMoney(group.leftCents)} − {formatMoney(group.rightCents)} = <strong>{formatMoney(variance)}</strong>
        </dd>
        {decided !== variance && (
          <>
            <dt>When decided</dt>
            <dd className="warn" data-testid="group-decided">
              {formatMoney(group.decidedLeftCents)} − {formatMoney(group.decidedRightCents)} = {formatMoney(decided)}: a row changed or left
              since
            </dd>
          </>
        )}
        {group.locked && (
          <>
            <dt>Locked</dt>
            <dd>yes (signed off; re-runs leave it)</dd>
          </>
        )}
      </dl>
      <div className="group-sides">
        <RowsTable rows={group.left} caption="Left" />
        <RowsTable rows={group.right} caption="Right" />
      </div>
      {group.exceptions.length > 0 && (
        <ul className="group-exceptions">
          {group.exceptions.map((e) => (
            <li key={e.exceptionId}>
              <strong>{reasonLabel(e.reason)}</strong> ({e.status}) {e.message}
            </li>
          ))}
        </ul>
      )}
      <div className="drawer-actions" hidden={!mayAct}>
        {group.kind === "suggested" && (
          <button type="button" className="primary" onClick={onConfirm} title="Confirm this suggestion (C)" aria-keyshortcuts="C">
            Confirm match
          </button>
        )}
        <button type="button" onClick={onUnmatch} disabled={group.locked} title="Break this group apart (U)" aria-keyshortcuts="U">
          Unmatch
        </button>
      </div>
    </aside>
  );
}

/** A row that is in no group: its status, reason and fields. */
export function RowPanel({ row, onClose }: { row: ReconRow; onClose: () => void }) {
  return (
    <aside className="recon-drawer" aria-label={`Row ${row.rowKey}`} data-testid="row-panel">
      <header className="drawer-head">
        <h3>
          {row.side === "left" ? "Left" : "Right"} row {row.rowKey}
        </h3>
        <button type="button" aria-label="Close" title="Close (Esc)" onClick={onClose}>
          ×
        </button>
      </header>
      <dl className="ob-facts">
        <dt>Status</dt>
        <dd>
          <span className={`status-badge status-${row.status}`}>{STATUS_LABEL[row.status]}</span>
        </dd>
        {row.reason && (
          <>
            <dt>Reason</dt>
            <dd>{reasonLabel(row.reason)}</dd>
          </>
        )}
        {row.explainedNote && (
          <>
            <dt>Explained</dt>
            <dd>{row.explainedNote}</dd>
          </>
        )}
        <dt>Amount</dt>
        <dd>{formatMoney(row.amountCents)}</dd>
        <dt>Date</dt>
        <dd>{row.rowDate}</dd>
        {Object.entries(row.fields).map(([name, value]) => (
          <div key={name} style={{ display: "contents" }}>
            <dt>{name.replace(/_/g, " ")}</dt>
            <dd>{name.endsWith("_cents") && typeof value === "number" ? formatMoney(value) : String(value ?? "")}</dd>
          </div>
        ))}
      </dl>
      <p className="muted">
        Not in a match group. Select it (Space) with rows on the other side and press M to match, or E to mark it explained.
      </p>
    </aside>
  );
}
