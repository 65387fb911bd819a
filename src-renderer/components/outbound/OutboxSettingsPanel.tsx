import { useState, type FormEvent } from "react";
import type { OutboundSettings } from "../../../src-shared/api/outbound";
import { parseDecimalToCents } from "../../../src-shared/money";
import { call } from "../../api/client";
import { useApiQuery } from "../../api/hooks";
import { formatTimestamp } from "../../format";

const centsToText = (cents: number): string => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;

/** Where approved adjustments go (ERP address or file folder and format), the approval threshold and the retry policy. */
export function OutboxSettingsPanel({ isAdmin }: { isAdmin: boolean }) {
  const settings = useApiQuery("outbox/settings", {});
  if (settings.error) return <p className="error">{settings.error}</p>;
  if (!settings.data) return <p aria-busy="true">Loading…</p>;
  return <SettingsForm key={JSON.stringify(settings.data)} initial={settings.data} isAdmin={isAdmin} />;
}

function SettingsForm({ initial, isAdmin }: { initial: OutboundSettings; isAdmin: boolean }) {
  const [form, setForm] = useState<OutboundSettings>(initial);
  const [threshold, setThreshold] = useState(centsToText(initial.secondApprovalThresholdCents));
  const [chart, setChart] = useState(initial.chartOfAccounts.join(", "));
  const [message, setMessage] = useState<string | null>(null);
  const set = <K extends keyof OutboundSettings>(key: K, value: OutboundSettings[K]) => setForm({ ...form, [key]: value });
  const save = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseDecimalToCents(threshold);
    if (!parsed.ok) return setMessage(`second-approval threshold: ${parsed.reason}`);
    call("outbox/saveSettings", {
      ...form,
      secondApprovalThresholdCents: parsed.cents,
      chartOfAccounts: chart
        .split(/[,\s]+/)
        .map((a) => a.trim())
        .filter(Boolean),
    }).then(
      () => setMessage("Saved."),
      (e: Error) => setMessage(e.message),
    );
  };
  return (
    <form className="ob-settings" aria-label="Outbox settings" onSubmit={save}>
      <fieldset disabled={!isAdmin}>
        <legend>Where approved adjustments go{isAdmin ? "" : " (an administrator can change this)"}</legend>
        <label>
          Send by
          <select value={form.transport} onChange={(e) => set("transport", e.target.value as OutboundSettings["transport"])}>
            <option value="http">ERP API (HTTP/JSON)</option>
            <option value="file">File drop</option>
          </select>
        </label>
        <label>
          ERP address
          <input
            value={form.erpUrl ?? ""}
            placeholder="http://127.0.0.1:8080"
            onChange={(e) => set("erpUrl", e.target.value.trim() || null)}
          />
        </label>
        <label>
          File-drop folder
          <input value={form.fileFolder ?? ""} onChange={(e) => set("fileFolder", e.target.value.trim() || null)} />
        </label>
        <label>
          File format
          <select value={form.fileFormat} onChange={(e) => set("fileFormat", e.target.value as OutboundSettings["fileFormat"])}>
            <option value="fbdi">Oracle FBDI GL_INTERFACE (CSV)</option>
            <option value="d365">Dynamics 365 general journal (CSV)</option>
            <option value="csv">Generic CSV</option>
            <option value="xlsx">Generic XLSX</option>
          </select>
        </label>
        <label>
          Ledger id (FBDI)
          <input value={form.ledgerId} onChange={(e) => set("ledgerId", e.target.value)} />
        </label>
        <label>
          Second approver at or above
          <input className="num" value={threshold} onChange={(e) => setThreshold(e.target.value)} />
        </label>
        <label className="ob-wide">
          Chart of accounts (besides crosswalked and GL accounts)
          <input value={chart} onChange={(e) => setChart(e.target.value)} />
        </label>
        <label>
          Attempts before dead
          <input type="number" min={1} value={form.maxAttempts} onChange={(e) => set("maxAttempts", Number(e.target.value))} />
        </label>
        <label>
          Request timeout (ms)
          <input type="number" min={100} value={form.requestTimeoutMs} onChange={(e) => set("requestTimeoutMs", Number(e.target.value))} />
        </label>
        <label>
          <input type="checkbox" checked={form.autoDispatch} onChange={(e) => set("autoDispatch", e.target.checked)} /> Send in the
          background
        </label>
        <button type="submit">Save settings</button>
      </fieldset>
      {message && <p role="status">{message}</p>}
    </form>
  );
}

/** Accounting periods: closing one locks it for submit and approval. */
export function PeriodsPanel({ canClose, isAdmin }: { canClose: boolean; isAdmin: boolean }) {
  const periods = useApiQuery("periods/list", {});
  const [ledger, setLedger] = useState("*");
  const [period, setPeriod] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const run = (p: Promise<unknown>) =>
    p.then(
      () => {
        setMessage(null);
        periods.reload();
      },
      (e: Error) => setMessage(e.message),
    );
  return (
    <div className="ob-periods">
      <table className="plain" aria-label="Periods">
        <thead>
          <tr>
            <th>Ledger</th>
            <th>Period</th>
            <th>Status</th>
            <th>Closed</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(periods.data ?? []).map((p) => (
            <tr key={`${p.ledger}:${p.period}`}>
              <td>{p.ledger === "*" ? "all ledgers" : p.ledger}</td>
              <td>{p.period}</td>
              <td>{p.status}</td>
              <td>{p.closedBy ? `${p.closedBy}, ${formatTimestamp(p.closedAt)}` : ""}</td>
              <td>
                {p.status === "open" && canClose && (
                  <button type="button" className="link" onClick={() => run(call("periods/close", { ledger: p.ledger, period: p.period }))}>
                    Close
                  </button>
                )}
                {p.status === "closed" && isAdmin && (
                  <button
                    type="button"
                    className="link"
                    onClick={() => {
                      const reason = window.prompt(`Why reopen ${p.period}?`) ?? "";
                      void run(call("periods/reopen", { ledger: p.ledger, period: p.period, reason }));
                    }}
                  >
                    Reopen
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {canClose && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run(call("periods/close", { ledger, period }));
          }}
        >
          <label>
            Ledger <input value={ledger} onChange={(e) => setLedger(e.target.value)} />
          </label>
          <label>
            Period <input value={period} placeholder="YYYY-MM" onChange={(e) => setPeriod(e.target.value)} />
          </label>
          <button type="submit">Close period</button>
        </form>
      )}
      {message && <p className="error">{message}</p>}
    </div>
  );
}
