import { useEffect, useState } from "react";
import { hasRole, type UserInfo } from "../../../src-shared/api";
import type { ProposedCorrection } from "../../../src-shared/api/recon";
import { call } from "../../api/client";
import { useApiQuery, useEvent } from "../../api/hooks";
import { formatMoney, formatNumber, formatTimestamp } from "../../format";
import type { Route } from "../../routes";
import { reasonLabel } from "./reconLabels";

/** One exception: what broke, its history of comments, the fix a run proposed, and its actions. */
const WITHDRAWN_BECAUSE: Record<NonNullable<ProposedCorrection["withdrawnReason"]>, string> = {
  "break-cleared": "the break was no longer found",
  "break-settled": "the break was settled by a match or an explanation",
  "break-resolved": "the break was resolved",
};

/** A correction's state in words; a withdrawn one says why, so nobody posts it by another route. */
function correctionState(c: ProposedCorrection): string {
  if (c.status !== "withdrawn") return c.status;
  return c.withdrawnReason ? `withdrawn: ${WITHDRAWN_BECAUSE[c.withdrawnReason]}` : "withdrawn by hand";
}

export function ExceptionDrawer({
  exceptionId,
  user,
  users,
  templateName,
  navigate,
  onChanged,
  onClose,
  version,
}: {
  exceptionId: number;
  /** Bumped by the queue after a bulk action, so the open exception is read again. */
  version: number;
  user: UserInfo;
  users: UserInfo[];
  templateName: (id: string) => string;
  navigate: (route: Route) => void;
  onChanged: (message: string) => void;
  onClose: () => void;
}) {
  const detail = useApiQuery("exceptions/get", { exceptionId });
  // The adjustments made for this exception, with their approval and outbox status (issue 6).
  const adjustments = useApiQuery("adjustments/list", { exceptionRef: String(exceptionId) });
  useEvent("outbox/changed", adjustments.reload);
  useEvent("adjustments/changed", adjustments.reload);
  const reload = detail.reload;
  useEffect(() => {
    if (version > 0) reload();
  }, [version, reload]);
  useEvent("recon/changed", reload);
  /** Assign, resolve and reopen need the preparer role (comments only a sign-in); an auditor reads. */
  const mayWork = hasRole(user, "preparer");
  const [comment, setComment] = useState("");
  const [resolution, setResolution] = useState("");
  const [error, setError] = useState<string | null>(null);
  const act = (action: () => Promise<string>) =>
    action().then(
      (text) => {
        setError(null);
        detail.reload();
        onChanged(text);
      },
      (e: Error) => setError(e.message),
    );
  const name = (id: string | null) => (id ? (users.find((u) => u.userId === id)?.displayName ?? id) : "unassigned");

  const e = detail.data?.exception;
  return (
    <aside className="recon-drawer docked" aria-label={`Exception ${exceptionId}`} data-testid="exception-drawer">
      <header className="drawer-head">
        <h3>
          Exception {exceptionId}
          {e && <span className={`status-badge exc-${e.status}`}>{e.status}</span>}
        </h3>
        <button type="button" aria-label="Close" title="Close (Esc)" onClick={onClose}>
          ×
        </button>
      </header>
      {detail.error && <p className="error">{detail.error}</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {e && detail.data && (
        <>
          <p className="group-explanation">{e.message}</p>
          <dl className="ob-facts">
            <dt>Reconciliation</dt>
            <dd>
              <button
                type="button"
                className="link"
                onClick={() => navigate({ page: "reconciliations", sub: `${e.templateId}/${e.period}` })}
              >
                {templateName(e.templateId)} · {e.period}
              </button>
            </dd>
            <dt>Reason</dt>
            <dd>
              {reasonLabel(e.reason)}
              {e.reasonCode && <span className="muted"> (CARC {e.reasonCode})</span>}
            </dd>
            <dt>Amount</dt>
            <dd>{formatMoney(e.amountCents)}</dd>
            {e.lagDays !== null && (
              <>
                <dt>Lag</dt>
                <dd>{formatNumber(e.lagDays)} days</dd>
              </>
            )}
            {(e.expected || e.found) && (
              <>
                <dt>Expected / found</dt>
                <dd>
                  {e.expected ?? "—"} / {e.found ?? "—"}
                </dd>
              </>
            )}
            <dt>Rows</dt>
            <dd>
              {e.leftKeys.length > 0 && <>left {e.leftKeys.join(", ")} </>}
              {e.rightKeys.length > 0 && <>right {e.rightKeys.join(", ")}</>}
            </dd>
            <dt>Age</dt>
            <dd data-testid="exception-age">
              {formatNumber(e.ageDays)} days{" "}
              <span className="muted">
                {e.itemDate ? `(oldest record ${e.itemDate}` : "(since it was raised"}
                {e.status === "resolved" ? ", to its resolution)" : ")"}
              </span>
            </dd>
            <dt>Opened</dt>
            <dd>{formatTimestamp(e.openedAt)}</dd>
            <dt>Owner</dt>
            <dd data-testid="exception-owner">{name(e.owner)}</dd>
            {e.resolvedAt && (
              <>
                <dt>Resolved</dt>
                <dd>
                  {name(e.resolvedBy)} {formatTimestamp(e.resolvedAt)}: {e.resolution}
                </dd>
              </>
            )}
          </dl>
          <div className="drawer-actions">
            {e.owner !== user.userId && mayWork && (
              <button
                type="button"
                onClick={() =>
                  act(() => call("exceptions/assign", { exceptionIds: [e.exceptionId], owner: user.userId }).then(() => "Assigned to you."))
                }
              >
                Assign to me
              </button>
            )}
            {e.status === "resolved" && mayWork && (
              <button
                type="button"
                onClick={() => act(() => call("exceptions/reopen", { exceptionIds: [e.exceptionId] }).then(() => "Reopened."))}
              >
                Reopen
              </button>
            )}
          </div>
          {e.status === "open" && mayWork && (
            <form
              className="drawer-form"
              aria-label="Resolve this exception"
              onSubmit={(ev) => {
                ev.preventDefault();
                void act(() =>
                  call("exceptions/resolve", { exceptionIds: [e.exceptionId], resolution: resolution.trim() }).then(() => {
                    setResolution("");
                    return `Exception ${e.exceptionId} resolved.`;
                  }),
                );
              }}
            >
              <label htmlFor="resolve-one">Resolution</label>
              <input id="resolve-one" value={resolution} onChange={(ev) => setResolution(ev.target.value)} placeholder="what was done" />
              <button type="submit" className="primary" disabled={resolution.trim() === ""}>
                Resolve
              </button>
            </form>
          )}
          {detail.data.corrections.length > 0 && (
            <section>
              <h4>Proposed corrections</h4>
              <ul className="plain-list">
                {detail.data.corrections.map((c) => (
                  <li key={c.correctionId}>
                    {c.summary} <span className="muted">({correctionState(c)})</span>{" "}
                    {c.amountCents !== null && <span className="num">{formatMoney(c.amountCents)}</span>}{" "}
                    {c.status === "proposed" && hasRole(user, "preparer") && (
                      <button
                        type="button"
                        onClick={() =>
                          act(async () => {
                            const created = await call("adjustments/createFromCorrection", { correctionId: c.correctionId });
                            adjustments.reload();
                            return `Draft ${created.map((a) => a.number).join(", ")} created from the proposed correction`;
                          })
                        }
                      >
                        Create adjustment
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            </section>
          )}
          {adjustments.data && adjustments.data.length > 0 && (
            <section data-testid="exception-adjustments">
              <h4>Adjustments</h4>
              <ul className="plain-list">
                {adjustments.data.map((a) => (
                  <li key={a.id}>
                    <button type="button" className="link" onClick={() => navigate({ page: "adjustments", sub: String(a.id) })}>
                      {a.number}
                    </button>{" "}
                    {a.status}
                    {a.outbox && (
                      <span className="muted">
                        {" "}
                        · outbox {a.outbox.status}
                        {a.outbox.erpDocumentId ? ` (ERP ${a.outbox.erpDocumentId})` : ""}
                      </span>
                    )}{" "}
                    <span className="num">{formatMoney(a.amountCents)}</span>
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section>
            <h4>Comments ({formatNumber(detail.data.comments.length)})</h4>
            <ul className="plain-list comments" data-testid="exception-comments">
              {detail.data.comments.map((c) => (
                <li key={c.commentId}>
                  <strong>{name(c.author)}</strong> <span className="muted">{formatTimestamp(c.at)}</span>
                  <div>{c.text}</div>
                </li>
              ))}
            </ul>
            <form
              className="drawer-form"
              aria-label="Add a comment"
              onSubmit={(ev) => {
                ev.preventDefault();
                void act(() =>
                  call("exceptions/comment", { exceptionId: e.exceptionId, text: comment.trim() }).then(() => {
                    setComment("");
                    return "Comment added.";
                  }),
                );
              }}
            >
              <label htmlFor="comment-text">Comment</label>
              <input id="comment-text" value={comment} onChange={(ev) => setComment(ev.target.value)} />
              <button type="submit" disabled={comment.trim() === ""}>
                Add comment
              </button>
            </form>
          </section>
        </>
      )}
    </aside>
  );
}
