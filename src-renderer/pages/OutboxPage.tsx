import { useState } from "react";
import type { OutboxItemInfo, OutboxStatus } from "../../src-shared/api/outbound";
import { call } from "../api/client";
import { useApiQuery, useEvent } from "../api/hooks";
import { OutboxSettingsPanel, PeriodsPanel } from "../components/outbound/OutboxSettingsPanel";
import { StatusBadge } from "../components/outbound/StatusBadge";
import { formatMoney, formatNumber, formatTimestamp } from "../format";
import type { PageProps } from "./pageProps";

const STATUS_ORDER: OutboxStatus[] = ["queued", "sending", "failed", "dead", "posted", "abandoned"];

function DeadItemActions({ item, onDone }: { item: OutboxItemInfo; onDone: () => void }) {
  const [reason, setReason] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const run = (method: "outbox/replay" | "outbox/abandon") =>
    call(method, { id: item.id, reason }).then(
      () => {
        setReason("");
        onDone();
      },
      (e: Error) => setMessage(e.message),
    );
  return (
    <div className="ob-dead-actions">
      <input
        aria-label={`What was fixed for ${item.adjustmentNumber}`}
        placeholder="What was fixed"
        value={reason}
        onChange={(e) => setReason(e.target.value)}
      />
      <button type="button" onClick={() => void run("outbox/replay")}>
        Replay
      </button>
      <button type="button" className="link" onClick={() => void run("outbox/abandon")}>
        Abandon
      </button>
      {message && <span className="error">{message}</span>}
    </div>
  );
}

/** The outbox: every approved adjustment on its way to the ERP, with retries, dead letters and replay. */
export function OutboxPage({ user, navigate }: PageProps) {
  const [filter, setFilter] = useState<OutboxStatus | "">("");
  const [tab, setTab] = useState<"items" | "settings" | "periods">("items");
  const items = useApiQuery("outbox/list", filter ? { status: filter } : {});
  const status = useApiQuery("outbox/status", {});
  const [message, setMessage] = useState<string | null>(null);
  const reload = () => {
    items.reload();
    status.reload();
  };
  useEvent("outbox/changed", reload);
  const isAdmin = user.roles.includes("admin");
  const isApprover = isAdmin || user.roles.includes("approver");

  const sendNow = () => {
    setMessage("Sending…");
    call("outbox/dispatch", {}).then(
      (r) => {
        setMessage(`Sent ${r.attempted}: ${r.posted} posted, ${r.retrying} will retry, ${r.dead} dead.`);
        reload();
      },
      (e: Error) => setMessage(e.message),
    );
  };

  return (
    <section className="ob-page">
      <div className="page-head">
        <h2>Outbox</h2>
        <div className="ob-actions">
          <button type="button" className="primary" onClick={sendNow}>
            Send now
          </button>
          {message && <span role="status">{message}</span>}
        </div>
      </div>
      <div className="ob-counts" data-testid="outbox-counts">
        {STATUS_ORDER.map((s) => (
          <button
            key={s}
            type="button"
            className={`ob-count ${filter === s ? "ob-count-on" : ""}`}
            aria-pressed={filter === s}
            onClick={() => setFilter(filter === s ? "" : s)}
          >
            <StatusBadge status={s} /> <span className="num">{formatNumber(status.data?.counts[s] ?? 0)}</span>
          </button>
        ))}
        {status.data?.nextAttemptAt && <span className="muted">next retry {formatTimestamp(status.data.nextAttemptAt)}</span>}
      </div>
      <div className="tabs" role="tablist">
        {(["items", "settings", "periods"] as const).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
            {t === "items" ? "Items" : t === "settings" ? "Settings" : "Periods"}
          </button>
        ))}
      </div>
      {tab === "settings" && <OutboxSettingsPanel isAdmin={isAdmin} />}
      {tab === "periods" && <PeriodsPanel canClose={isApprover} isAdmin={isAdmin} />}
      {tab === "items" &&
        (items.error ? (
          <p className="error">{items.error}</p>
        ) : items.data && items.data.length === 0 ? (
          <p className="empty-state">Nothing in the outbox. Approved adjustments are queued here.</p>
        ) : (
          <table className="plain ob-table" data-testid="outbox-table">
            <thead>
              <tr>
                <th>Item</th>
                <th>Adjustment</th>
                <th>Kind</th>
                <th className="num">Amount</th>
                <th>Status</th>
                <th className="num">Attempts</th>
                <th>ERP document</th>
                <th>Last answer</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {(items.data ?? []).map((item) => (
                <tr key={item.id} data-testid={`outbox-row-${item.adjustmentNumber}`}>
                  <td title={item.idempotencyKey}>{item.id}</td>
                  <td>
                    <button
                      type="button"
                      className="link"
                      onClick={() => navigate({ page: "adjustments", sub: String(item.adjustmentId) })}
                    >
                      {item.adjustmentNumber}
                    </button>
                    {item.exceptionRef && <div className="muted">exception {item.exceptionRef}</div>}
                  </td>
                  <td>{item.kind}</td>
                  <td className="num">{formatMoney(item.amountCents)}</td>
                  <td>
                    <StatusBadge status={item.status} />
                    {item.nextAttemptAt && item.status === "failed" && (
                      <div className="muted">retry {formatTimestamp(item.nextAttemptAt)}</div>
                    )}
                  </td>
                  <td className="num">{item.attempts}</td>
                  <td>{item.erpDocumentId}</td>
                  <td className="ob-error-cell">
                    {item.lastError && (
                      <>
                        {item.lastError.httpStatus !== null ? `${item.lastError.httpStatus} ` : ""}
                        {item.lastError.code}: {item.lastError.message}
                      </>
                    )}
                    {item.status === "dead" && isApprover && <DeadItemActions item={item} onDone={reload} />}
                  </td>
                  <td>{formatTimestamp(item.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
