import { formatCents } from "../src-shared/money";

const locale = typeof navigator !== "undefined" ? navigator.language : "en-US";

export const formatMoney = (cents: number | null | undefined): string => (cents == null ? "" : formatCents(cents, locale));
export const formatNumber = (n: number | null | undefined): string => (n == null ? "" : n.toLocaleString(locale));
export const formatTimestamp = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" }) : "";
