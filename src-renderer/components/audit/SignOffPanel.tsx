import { useCallback, useState } from "react";
import { hasRole, type UserInfo } from "../../../src-shared/api";
import { unexplainedIn, type SignoffInfo, type SignoffRole, type SignoffStatus } from "../../../src-shared/api/audit";
import { formatCents } from "../../../src-shared/money";
import { call } from "../../api/client";
import { useApiQuery, useEvent } from "../../api/hooks";
import { formatTimestamp } from "../../format";

const ROLE_LABEL: Record<SignoffRole, string> = { preparer: "Prepared", reviewer: "Reviewed" };

function Signer({
  role,
  status,
  user,
  onDone,
}: {
  role: SignoffRole;
  status: SignoffStatus;
  user: UserInfo;
  onDone: (message: string | null, error?: boolean) => void;
}) {
  const [withdrawing, setWithdrawing] = useState(false);
  const [reason, setReason] = useState("");
  // Signing works the figures out again: on a large reconciliation that takes a while.
  const [busy, setBusy] = useState<string | null>(null);
  const standing = role === "preparer" ? status.preparer : status.reviewer;
  const mayAct = hasRole(user, role);
  const unexplained = status.figuresAvailable ? unexplainedIn(status.figures) : null;
  const blocked = !status.figuresAvailable
    ? "no run to sign yet"
    : unexplained
      ? `${unexplained.count} row${unexplained.count === 1 ? "" : "s"} not yet classified (unexplained difference ${formatCents(unexplained.differenceCents)})`
      : role === "reviewer" && !status.preparer
        ? "needs the preparer's sign-off first"
        : role === "reviewer" && status.preparer?.userId === user.userId
          ? "you prepared it; someone else reviews"
          : null;
  const sign = () => {
    setBusy("Signing off: checking the figures still hold…");
    return call("signoff/sign", { reconId: status.reconId, period: status.period, role, expectedFingerprint: status.fingerprint })
      .then(
        () => onDone(`Signed off as ${role}.`),
        (e: Error) => onDone(e.message, true),
      )
      .finally(() => setBusy(null));
  };
  const withdraw = () => {
    setBusy("Withdrawing…");
    return call("signoff/void", { reconId: status.reconId, period: status.period, role, reason })
      .then(
        () => {
          setWithdrawing(false);
          setReason("");
          onDone(`The ${role} sign-off was withdrawn.`);
        },
        (e: Error) => onDone(e.message, true),
      )
      .finally(() => setBusy(null));
  };
  return (
    <div className="signer" data-testid={`signoff-${role}`}>
      <span className="signer-role">{ROLE_LABEL[role]}</span>
      {standing ? (
        <span>
          ✔ {standing.displayName} <span className="muted">{formatTimestamp(standing.signedAt)}</span>
          {standing.comment && <span className="muted"> — {standing.comment}</span>}
          {(standing.userId === user.userId || user.roles.includes("admin")) && !withdrawing && (
            <button type="button" className="link" onClick={() => setWithdrawing(true)}>
              Withdraw…
            </button>
          )}
          {withdrawing && (
            <span className="inline-form">
              <input
                aria-label={`Why withdraw the ${role} sign-off`}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                placeholder="reason"
              />
              <button type="button" disabled={reason.trim() === "" || busy !== null} onClick={() => void withdraw()}>
                Withdraw
              </button>
              <button type="button" onClick={() => setWithdrawing(false)}>
                Cancel
              </button>
            </span>
          )}
        </span>
      ) : (
        <span>
          <span className="muted">not signed</span>
          {mayAct && (
            <button
              type="button"
              className="primary"
              disabled={blocked !== null || busy !== null}
              title={blocked ?? undefined}
              onClick={() => void sign()}
            >
              Sign off as {role}
            </button>
          )}
          {mayAct && blocked && <span className="muted"> ({blocked})</span>}
        </span>
      )}
      {busy && (
        <span className="muted" role="status">
          {" "}
          {busy}
        </span>
      )}
    </div>
  );
}

function Voided({ history }: { history: SignoffInfo[] }) {
  const voided = history.filter((h) => h.voidedAt !== null).slice(0, 3);
  if (voided.length === 0) return null;
  return (
    <ul className="signoff-voided" aria-label="Voided sign-offs">
      {voided.map((v) => (
        <li key={v.id}>
          <strong>
            {v.role} sign-off by {v.displayName} voided
          </strong>{" "}
          {formatTimestamp(v.voidedAt)}: {v.voidReason}
        </li>
      ))}
    </ul>
  );
}

/**
 * Preparer and reviewer sign-off of one reconciliation and period. A sign-off whose figures
 * changed afterwards shows as voided, with the changed figures.
 */
export function SignOffPanel({ reconId, period, user }: { reconId: string; period: string; user: UserInfo }) {
  const status = useApiQuery("signoff/status", { reconId, period });
  // A match, unmatch or explanation moves the figures a sign-off covers: show the ones in force now.
  const reloadStatus = status.reload;
  useEvent(
    "recon/changed",
    useCallback(
      (change: { templateId: string; period: string }) => change.templateId === reconId && change.period === period && reloadStatus(),
      [reconId, period, reloadStatus],
    ),
  );
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const onDone = (text: string | null, error = false) => {
    setMessage(text ? { text, error } : null);
    status.reload();
  };
  return (
    <section className="signoff-panel" aria-label="Sign-off">
      <h3>
        Sign-off{" "}
        <span className="muted">
          {reconId} · {period}
        </span>
      </h3>
      {status.error && <p className="error">{status.error}</p>}
      {status.loading && !status.data && <p className="muted">Working out the figures…</p>}
      {status.data && (
        <>
          <Signer role="preparer" status={status.data} user={user} onDone={onDone} />
          <Signer role="reviewer" status={status.data} user={user} onDone={onDone} />
          <Voided history={status.data.history} />
          <div className="muted signoff-fingerprint" title={status.data.fingerprint}>
            figures fingerprint {status.data.fingerprint.slice(0, 12)}…
          </div>
        </>
      )}
      {message && (
        <p role="status" className={message.error ? "error" : "form-message"}>
          {message.text}
        </p>
      )}
    </section>
  );
}
