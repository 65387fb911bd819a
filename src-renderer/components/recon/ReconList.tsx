import { useCallback, useState } from "react";
import type { JobInfo } from "../../../src-shared/api";
import type { ReconciliationInfo, TemplateInfo } from "../../../src-shared/api/recon";
import { useApiQuery, useEvent } from "../../api/hooks";
import { formatMoney, formatNumber, formatTimestamp } from "../../format";
import type { Route } from "../../routes";
import { exceptionsSub, rememberPeriod } from "./reconLabels";
import { RunProgress, useReconRun } from "./useReconRun";

function LastRun({ templateId, period, info }: { templateId: string; period: string; info: ReconciliationInfo | undefined }) {
  const runs = useApiQuery("recon/runs", { templateId, period, limit: 1 });
  if (!info?.lastRun) return <span className="muted">not run yet</span>;
  const last = runs.data?.[0];
  return (
    <span title={last ? `by ${last.actor}, rule version ${last.ruleVersion}, input ${last.inputHash.slice(0, 12)}…` : undefined}>
      {last ? formatTimestamp(last.finishedAt) : "…"} <span className="muted">v{info.lastRun.ruleVersion}</span>
    </span>
  );
}

/** Every template for one period: its last run, balance difference and open exceptions, and a Run button. */
export function ReconList({
  period,
  onPeriod,
  navigate,
}: {
  period: string;
  onPeriod: (period: string) => void;
  navigate: (route: Route) => void;
}) {
  const templates = useApiQuery("recon/templates", {});
  const list = useApiQuery("recon/list", { period });
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [failures, setFailures] = useState<Record<string, string>>({});
  const reloadList = list.reload;
  const onFinished = useCallback(
    (job: JobInfo, templateId: string) => {
      reloadList();
      setFailures((f) => {
        const next = { ...f };
        if (job.status === "failed") next[templateId] = job.error ?? "unknown error";
        else delete next[templateId];
        return next;
      });
      setMessage(
        job.status === "succeeded"
          ? { text: `${job.label}: done.`, error: false }
          : job.status === "cancelled"
            ? { text: `${job.label}: cancelled.`, error: false }
            : { text: `${job.label}: failed — ${job.error ?? "unknown error"}`, error: true },
      );
    },
    [reloadList],
  );
  const runner = useReconRun(onFinished);
  useEvent("recon/changed", reloadList);

  const run = (t: TemplateInfo) => {
    setMessage(null);
    runner.start(t.id, period).catch((e: Error) => setMessage({ text: e.message, error: true }));
  };
  const runAll = () => {
    for (const t of templates.data ?? []) if (!runner.runningFor(t.id, period)) run(t);
  };

  const byTemplate = new Map((list.data ?? []).map((r) => [r.templateId, r]));
  const error = templates.error ?? list.error;
  return (
    <section className="recon-page">
      <div className="page-head">
        <h2>Reconciliations</h2>
        <label className="period-picker">
          Period{" "}
          <input
            type="month"
            aria-label="Period"
            value={period}
            onChange={(e) => {
              if (e.target.value) {
                rememberPeriod(e.target.value);
                onPeriod(e.target.value);
              }
            }}
          />
        </label>
        <button type="button" onClick={runAll} disabled={!templates.data || runner.running.length > 0}>
          Run all for {period}
        </button>
      </div>
      {error && <p className="error">Could not read the reconciliations: {error}</p>}
      {message && (
        <p role="status" className={message.error ? "error" : "form-message"}>
          {message.text}
        </p>
      )}
      {templates.data && (
        <table className="plain recon-list" data-testid="recon-list">
          <thead>
            <tr>
              <th>Reconciliation</th>
              <th>Left ↔ right</th>
              <th>Last run</th>
              <th className="num">Rows (left / right)</th>
              <th className="num">Difference</th>
              <th className="num">Unexplained</th>
              <th className="num">Open exceptions</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {templates.data.map((t) => {
              const info = byTemplate.get(t.id);
              const balance = info?.lastRun?.balance;
              const unexplained = info?.unexplainedCents ?? null;
              const running = runner.runningFor(t.id, period);
              return (
                <tr key={t.id} data-testid={`recon-${t.id}`}>
                  <td>
                    <a
                      href={`/reconciliations/${t.id}/${period}`}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate({ page: "reconciliations", sub: `${t.id}/${period}` });
                      }}
                      title={t.description}
                    >
                      {t.name}
                    </a>
                  </td>
                  <td className="muted">
                    {t.leftLabel} ↔ {t.rightLabel}
                  </td>
                  <td className="recon-last-run">
                    <LastRun templateId={t.id} period={period} info={info} />
                    {failures[t.id] && (
                      <div className="error" title={failures[t.id]}>
                        last attempt failed
                      </div>
                    )}
                  </td>
                  <td className="num">{balance ? `${formatNumber(balance.leftRows)} / ${formatNumber(balance.rightRows)}` : ""}</td>
                  <td className="num">{balance ? formatMoney(balance.differenceCents) : ""}</td>
                  {/* Now, not at the run: matches and explanations since then move it. */}
                  <td className={`num ${unexplained === null ? "" : unexplained === 0 ? "tie-ok" : "warn"}`}>
                    {unexplained === null ? "" : formatMoney(unexplained)}
                  </td>
                  <td className="num">
                    {info && info.lastRun ? (
                      <button
                        type="button"
                        className="link"
                        onClick={() => navigate({ page: "exceptions", sub: exceptionsSub({ templateId: t.id, period }) })}
                      >
                        {formatNumber(info.openExceptions)}
                      </button>
                    ) : (
                      ""
                    )}
                  </td>
                  <td className="recon-list-actions">
                    {running ? (
                      <RunProgress run={running} onCancel={() => running.jobId && void runner.cancel(running.jobId)} />
                    ) : (
                      <button type="button" onClick={() => run(t)} aria-label={`Run ${t.name}`}>
                        {info?.lastRun ? "Re-run" : "Run"}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {templates.data && list.data && list.data.length === 0 && (
        <p className="empty-state" data-testid="recon-empty">
          No reconciliation has run for {period} yet: press Run on a line above (or Run all), then open it to review its balance and breaks.
        </p>
      )}
    </section>
  );
}
