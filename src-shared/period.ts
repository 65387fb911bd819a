/** A reconciliation or accounting period: "YYYY-MM", month 01 to 12. */
export const isPeriod = (text: unknown): text is string => typeof text === "string" && /^\d{4}-(0[1-9]|1[0-2])$/.test(text);

/** The last day of a period ("2026-02" → "2026-02-28"). */
export function lastDayOf(period: string): string {
  const [y, m] = period.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** The period before ("2026-01" → "2025-12"). */
export function periodBefore(period: string): string {
  const [y, m] = period.split("-").map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
}
