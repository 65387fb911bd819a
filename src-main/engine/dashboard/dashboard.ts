import type { DashboardSummary } from "../../../src-shared/api";
import type { Store } from "../store/store";

const LATE_AFTER_DAYS = 3;

/** Lag buckets an analyst reads at a glance; charge lag targets are 1–3 days (STANDARDS B5). */
const BUCKETS: { label: string; minDays: number; maxDays: number | null }[] = [
  { label: "same day", minDays: 0, maxDays: 0 },
  { label: "1 day", minDays: 1, maxDays: 1 },
  { label: "2 days", minDays: 2, maxDays: 2 },
  { label: "3 days", minDays: 3, maxDays: 3 },
  { label: "4–7 days", minDays: 4, maxDays: 7 },
  { label: "8–14 days", minDays: 8, maxDays: 14 },
  { label: "15+ days", minDays: 15, maxDays: null },
];

export function dashboardSummary(store: Store): DashboardSummary {
  const lagRows = store.sqlite
    .prepare(
      `SELECT CAST(julianday(posting_date) - julianday(service_date) AS INTEGER) AS lag, COUNT(*) AS n, SUM(amount_cents) AS cents
       FROM charge WHERE system = 'ehr' AND posting_date IS NOT NULL GROUP BY lag`,
    )
    .all() as { lag: number | null; n: number; cents: number }[];
  const buckets = BUCKETS.map((b) => ({ ...b, charges: 0, amountCents: 0 }));
  let total = 0;
  let late = 0;
  for (const row of lagRows) {
    const lag = Math.max(0, row.lag ?? 0);
    const bucket = buckets.find((b) => lag >= b.minDays && (b.maxDays === null || lag <= b.maxDays))!;
    bucket.charges += row.n;
    bucket.amountCents += row.cents;
    total += row.n;
    if (lag > LATE_AFTER_DAYS) late += row.n;
  }
  const intake = store.sqlite
    .prepare(
      `SELECT substr(received_at, 1, 10) AS date,
              SUM(status = 'loaded') AS loaded, SUM(status = 'ignored') AS ignored, SUM(status = 'quarantined') AS quarantined
       FROM raw_record WHERE status != 'replayed' GROUP BY date ORDER BY date DESC LIMIT 31`,
    )
    .all() as { date: string; loaded: number; ignored: number; quarantined: number }[];
  return {
    chargeLag: { buckets, charges: total, lateRate: total === 0 ? 0 : late / total, lateAfterDays: LATE_AFTER_DAYS },
    intake: intake.reverse(),
  };
}
