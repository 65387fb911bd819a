import { useState } from "react";
import { hasRole, type UserInfo } from "../../../src-shared/api";
import type { AdjustmentDetail } from "../../../src-shared/api/outbound";
import { call } from "../../api/client";
import { formatMoney, formatTimestamp } from "../../format";
import type { Route } from "../../routes";
import { JournalEditor } from "./JournalEditor";
import { StatusBadge } from "./StatusBadge";

/** One adjustment: its content, what blocks it, its approvals, its outbox status and the actions open to this user. */
export function AdjustmentView({
  detail,
  user,
  navigate,
  reload,
}: {
  detail: AdjustmentDetail;
  user: UserInfo;
  navigate: (route: Route) => void;
  reload: () => void;
}) {
  const [reason, setReason] = useState("");
  const [reverseDate, setReverseDate] = useState(new Date().toISOString().slice(0, 10));
  const [message, setMessage] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const isPreparer = detail.preparedBy === user.userId;
  const can = (role: "approver" | "preparer") => hasRole(user, role);

  const act = (promise: Promise<AdjustmentDetail>, done?: (d: AdjustmentDetail) => void) => {
    setMessage(null);
    promise.then(
      (d) => {
        setReason("");
        if (done) done(d);
        else reload();
      },
      (e: Error) => setMessage(e.message),
    );
  };

  if (editing && detail.kind === "journal") {
    return (
      <JournalEditor
        existing={detail}
        onSaved={() => {
          setEditing(false);
          reload();
        }}
        onCancel={() => setEditing(false)}
      />
    );
  }

  return (
    <article className="ob-detail" aria-label={`Adjustment ${detail.number}`}>
      <div className="page-head">
        <h3>
          {detail.number} <StatusBadge status={detail.status} />
        </h3>
        <button type="button" className="link" onClick={() => navigate({ page: "adjustments" })}>
          Back to the list
        </button>
      </div>
      <dl className="ob-facts">
        <dt>Kind</dt>
        <dd>{detail.kind}</dd>
        <dt>Prepared by</dt>
        <dd>
          {detail.preparedBy}, {formatTimestamp(detail.createdAt)}
        </dd>
        <dt>Amount</dt>
        <dd className="num">{formatMoney(detail.amountCents)}</dd>
        <dt>Approvals</dt>
        <dd data-testid="approvals">
          {detail.approvals} of {detail.requiredApprovals}
        </dd>
        {detail.description && (
          <>
            <dt>Description</dt>
            <dd>{detail.description}</dd>
          </>
        )}
        {(detail.reconRef || detail.exceptionRef) && (
          <>
            <dt>From</dt>
            <dd>
              {detail.reconRef ?? ""} {detail.exceptionRef ? `exception ${detail.exceptionRef}` : ""}
            </dd>
          </>
        )}
        {detail.reversalOf !== null && (
          <>
            <dt>Reverses</dt>
            <dd>
              <button type="button" className="link" onClick={() => navigate({ page: "adjustments", sub: String(detail.reversalOf) })}>
                ADJ-{String(detail.reversalOf).padStart(6, "0")}
              </button>
            </dd>
          </>
        )}
        {detail.reversedBy !== null && (
          <>
            <dt>Reversed by</dt>
            <dd>
              <button type="button" className="link" onClick={() => navigate({ page: "adjustments", sub: String(detail.reversedBy) })}>
                ADJ-{String(detail.reversedBy).padStart(6, "0")}
              </button>
            </dd>
          </>
        )}
        <dt>ERP</dt>
        <dd data-testid="adjustment-outbox">
          {detail.outbox ? (
            <>
              <StatusBadge status={detail.outbox.status} /> {detail.outbox.erpDocumentId ? `document ${detail.outbox.erpDocumentId}` : ""}
            </>
          ) : (
            <span className="muted">not queued (queued when approved)</span>
          )}
        </dd>
      </dl>

      {detail.journal && (
        <table className="plain ob-lines" aria-label="Journal lines">
          <caption>
            Ledger {detail.journal.ledger}, period {detail.journal.period}, accounting date {detail.journal.accountingDate}
          </caption>
          <thead>
            <tr>
              <th>#</th>
              <th>Account</th>
              <th>Cost center</th>
              <th>Department</th>
              <th className="num">Debit</th>
              <th className="num">Credit</th>
              <th>Description</th>
            </tr>
          </thead>
          <tbody>
            {detail.journal.lines.map((l) => (
              <tr key={l.lineNumber}>
                <td className="muted">{l.lineNumber}</td>
                <td>{l.account}</td>
                <td>{l.costCenter}</td>
                <td>{l.departmentCode}</td>
                <td className="num">{l.debitCents ? formatMoney(l.debitCents) : ""}</td>
                <td className="num">{l.creditCents ? formatMoney(l.creditCents) : ""}</td>
                <td>{l.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {detail.inventory && (
        <dl className="ob-facts">
          <dt>Item</dt>
          <dd>{detail.inventory.item}</dd>
          <dt>Location</dt>
          <dd>{detail.inventory.location}</dd>
          <dt>Quantity</dt>
          <dd className="num">{detail.inventory.quantity}</dd>
          <dt>Unit cost</dt>
          <dd className="num">{formatMoney(detail.inventory.unitCostCents)}</dd>
          <dt>Reason</dt>
          <dd>{detail.inventory.reason}</dd>
        </dl>
      )}
      {detail.masterData && (
        <dl className="ob-facts">
          <dt>Change</dt>
          <dd>
            {detail.masterData.entity} {detail.masterData.key}: {detail.masterData.field} from “{detail.masterData.oldValue ?? ""}” to “
            {detail.masterData.newValue ?? ""}”
          </dd>
        </dl>
      )}

      {detail.problems.length > 0 && (
        <div className="ob-problems" role="alert">
          <strong>Cannot be submitted yet:</strong>
          <ul>
            {detail.problems.map((p, i) => (
              <li key={i}>{p.message}</li>
            ))}
          </ul>
        </div>
      )}
      {detail.rejectionReason && detail.status === "rejected" && <p className="warn">Rejected: {detail.rejectionReason}</p>}

      <div className="ob-actions">
        {(detail.status === "draft" || detail.status === "rejected") && (isPreparer || user.roles.includes("admin")) && (
          <>
            {detail.kind === "journal" && (
              <button type="button" onClick={() => setEditing(true)}>
                Edit
              </button>
            )}
            <button type="button" className="primary" onClick={() => act(call("adjustments/submit", { id: detail.id }))}>
              Submit for approval
            </button>
          </>
        )}
        {detail.status === "submitted" && can("approver") && !isPreparer && (
          <>
            <button type="button" className="primary" onClick={() => act(call("adjustments/approve", { id: detail.id }))}>
              Approve
            </button>
            <label>
              Reason for rejecting <input value={reason} onChange={(e) => setReason(e.target.value)} />
            </label>
            <button type="button" onClick={() => act(call("adjustments/reject", { id: detail.id, reason }))}>
              Reject
            </button>
          </>
        )}
        {detail.status === "submitted" && isPreparer && <span className="muted">Waiting for another approver: you prepared it.</span>}
        {detail.status === "approved" && detail.reversedBy === null && can("preparer") && (
          <>
            <label>
              Reversal date <input type="date" value={reverseDate} onChange={(e) => setReverseDate(e.target.value)} />
            </label>
            <label>
              Reason <input value={reason} onChange={(e) => setReason(e.target.value)} />
            </label>
            <button
              type="button"
              onClick={() =>
                act(call("adjustments/reverse", { id: detail.id, accountingDate: reverseDate, reason }), (d) =>
                  navigate({ page: "adjustments", sub: String(d.id) }),
                )
              }
            >
              Reverse
            </button>
          </>
        )}
        {can("preparer") && (
          <button
            type="button"
            className="link"
            onClick={() =>
              act(call("adjustments/duplicate", { id: detail.id }), (d) => navigate({ page: "adjustments", sub: String(d.id) }))
            }
          >
            Copy to a new draft
          </button>
        )}
      </div>
      {message && (
        <p className="error" role="alert">
          {message}
        </p>
      )}

      {detail.approvalHistory.length > 0 && (
        <>
          <h4>Approvals</h4>
          <ul className="ob-history">
            {detail.approvalHistory.map((a, i) => (
              <li key={i}>
                {formatTimestamp(a.at)}: {a.approver} {a.decision === "approve" ? "approved" : "rejected"}
                {a.reason ? ` — ${a.reason}` : ""}
              </li>
            ))}
          </ul>
        </>
      )}
    </article>
  );
}
