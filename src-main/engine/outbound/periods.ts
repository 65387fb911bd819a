import type { PeriodInfo } from "../../../src-shared/api/outbound";
import { isPeriod } from "../../../src-shared/period";
import { appendAudit } from "../audit/auditLog";
import { UserError } from "../handlerRegistry";
import type { Store } from "../store/store";

export function assertPeriodText(period: string, field = "period"): void {
  if (!isPeriod(period)) {
    throw new UserError("INVALID_PERIOD", `${field}: expected YYYY-MM, found "${period}"`, {
      where: { field },
      expected: "YYYY-MM",
      found: period,
    });
  }
}

/** A period is open unless it was closed in Tieout, for that ledger or for every ledger ("*"). */
export function isPeriodClosed(store: Store, ledger: string | null, period: string): boolean {
  const row = store.sqlite
    .prepare("SELECT 1 FROM accounting_period WHERE period = ? AND ledger IN (?, '*') AND status = 'closed' LIMIT 1")
    .get(period, ledger ?? "*");
  return row !== undefined;
}

/** Periods seen in GL journal lines and adjustments, plus every period closed or reopened here. */
export function listPeriods(store: Store): PeriodInfo[] {
  const rows = store.sqlite
    .prepare(
      `SELECT p.ledger, p.period, ap.status, ap.closed_by, ap.closed_at FROM (
         SELECT COALESCE(ledger, '*') AS ledger, period FROM journal_line
         UNION SELECT COALESCE(ledger, '*'), period FROM adjustment WHERE period IS NOT NULL
         UNION SELECT ledger, period FROM accounting_period
       ) p LEFT JOIN accounting_period ap ON ap.ledger = p.ledger AND ap.period = p.period
       ORDER BY p.period DESC, p.ledger`,
    )
    .all() as { ledger: string; period: string; status: "open" | "closed" | null; closed_by: string | null; closed_at: string | null }[];
  return rows.map((r) => ({
    ledger: r.ledger,
    period: r.period,
    status: r.status ?? (isPeriodClosed(store, r.ledger, r.period) ? "closed" : "open"),
    closedBy: r.closed_by,
    closedAt: r.closed_at,
  }));
}

function setPeriodStatus(
  store: Store,
  actor: string,
  ledger: string,
  period: string,
  status: "open" | "closed",
  reason: string | null,
): PeriodInfo {
  assertPeriodText(period);
  if (typeof ledger !== "string" || ledger.trim() === "")
    throw new UserError("INVALID_LEDGER", "ledger is required (use * for every ledger)");
  const now = new Date().toISOString();
  return store.sqlite
    .transaction((): PeriodInfo => {
      const before = store.sqlite.prepare("SELECT status FROM accounting_period WHERE ledger = ? AND period = ?").get(ledger, period) as
        { status: string } | undefined;
      store.sqlite
        .prepare(
          `INSERT INTO accounting_period (ledger, period, status, closed_by, closed_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(ledger, period) DO UPDATE SET status = excluded.status, closed_by = excluded.closed_by, closed_at = excluded.closed_at`,
        )
        .run(ledger, period, status, status === "closed" ? actor : null, status === "closed" ? now : null);
      appendAudit(store, {
        actor,
        action: status === "closed" ? "close period" : "reopen period",
        entityType: "accounting-period",
        entityId: `${ledger}:${period}`,
        before: { status: before?.status ?? "open" },
        after: { status },
        reason,
      });
      return { ledger, period, status, closedBy: status === "closed" ? actor : null, closedAt: status === "closed" ? now : null };
    })
    .immediate();
}

export const closePeriod = (store: Store, actor: string, ledger: string, period: string): PeriodInfo =>
  setPeriodStatus(store, actor, ledger, period, "closed", null);

export function reopenPeriod(store: Store, actor: string, ledger: string, period: string, reason: string): PeriodInfo {
  if (typeof reason !== "string" || reason.trim() === "")
    throw new UserError("REASON_REQUIRED", "Reopening a closed period needs a reason.");
  return setPeriodStatus(store, actor, ledger, period, "open", reason.trim());
}
