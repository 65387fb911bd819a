/**
 * Cell text → typed value, per a profile column's transform (src-shared/mapping.ts).
 * Each function returns the value, `null` for an empty cell, or a failure with what was
 * expected, so the caller can say "charges.csv line 17, Amount: expected a decimal amount,
 * found "12,50"".
 */
import type { ColumnTransform } from "../../src-shared/mapping";
import { parseDecimalToCents } from "../../src-shared/money";

export type CellResult<T> = { ok: true; value: T | null } | { ok: false; expected: string };

const GROUPED = /^\d{1,3}(,\d{3})+(\.\d*)?$/;

/**
 * "1,234.50", "(12.00)", "12.00-", "-12", "$1,234.50", "-$5", "$-5", "USD 5.00" → cents.
 * A comma is accepted only as a thousands separator ("12,50" is refused: it is a decimal
 * comma or a typo, and guessing which would be silently changing money).
 */
const PLAIN = /^(-?)(\d{1,13})(?:\.(\d{1,2}))?$/;

export function decimalCents(cell: string): CellResult<number> {
  // Fast path for the common plain spelling ("-1234.5"): no sign games, no grouping.
  const plain = PLAIN.exec(cell);
  if (plain) {
    const frac = plain[3] === undefined ? 0 : plain[3].length === 1 ? Number(plain[3]) * 10 : Number(plain[3]);
    const cents = Number(plain[2]) * 100 + frac;
    return { ok: true, value: plain[1] ? -cents || 0 : cents };
  }
  let s = cell.trim();
  if (s === "") return { ok: true, value: null };
  let negative = false;
  if (s.startsWith("(") && s.endsWith(")")) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  if (s.endsWith("-")) {
    negative = !negative;
    s = s.slice(0, -1).trim();
  }
  if (s.startsWith("-")) {
    negative = !negative;
    s = s.slice(1).trim();
  } else if (s.startsWith("+")) s = s.slice(1).trim();
  s = s.replace(/^(?:[$€£¥]|USD|EUR|GBP|AUD|CAD)\s*/i, "");
  if (s.startsWith("-")) {
    negative = !negative;
    s = s.slice(1);
  }
  if (s.includes(",")) {
    if (!GROUPED.test(s)) return { ok: false, expected: "a decimal amount" };
    s = s.replace(/,/g, "");
  }
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(s)) return { ok: false, expected: "a decimal amount" };
  const r = parseDecimalToCents(s);
  if (!r.ok)
    return {
      ok: false,
      expected: r.reason.startsWith("expected at most") ? "a decimal amount with at most 2 decimal places" : "a decimal amount",
    };
  return { ok: true, value: negative ? -r.cents || 0 : r.cents };
}

export function integerCents(cell: string): CellResult<number> {
  const s = cell.trim();
  if (s === "") return { ok: true, value: null };
  if (!/^[+-]?\d+$/.test(s)) return { ok: false, expected: "a whole number of cents" };
  const v = Number(s);
  if (!Number.isSafeInteger(v)) return { ok: false, expected: "a whole number of cents within range" };
  return { ok: true, value: v };
}

/** A plain number (quantities, line numbers): "3", "-1", "2.5", "1,000". */
export function plainNumber(cell: string): CellResult<number> {
  let s = cell.trim();
  if (s === "") return { ok: true, value: null };
  if (s.includes(",")) {
    if (!/^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) return { ok: false, expected: "a number" };
    s = s.replace(/,/g, "");
  }
  if (!/^[+-]?(\d+(\.\d+)?|\.\d+)$/.test(s)) return { ok: false, expected: "a number" };
  return { ok: true, value: Number(s) || 0 };
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function ymd(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1) return null;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = m === 2 && leap ? 29 : DAYS[m - 1]!;
  if (d > days) return null;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** Date formats a profile may name. Other values are refused when the profile is checked. */
export const DATE_FORMATS = ["YYYY-MM-DD", "MM/DD/YYYY", "DD/MM/YYYY", "YYYYMMDD", "DD-MMM-YYYY"] as const;

/**
 * A calendar date in `format` → YYYY-MM-DD. For YYYY-MM-DD a trailing time
 * ("1959-11-07T09:12:44Z", "2024-01-31 08:00") is accepted and the written date kept,
 * because ISO timestamps are what most extracts carry in date columns. Month and day may
 * be one digit in the slash formats (Excel writes 3/7/2024).
 */
export function calendarDate(cell: string, format: string): CellResult<string> {
  const s = cell.trim();
  if (s === "") return { ok: true, value: null };
  const expected = `a date as ${format}`;
  let m: RegExpExecArray | null;
  let out: string | null = null;
  switch (format) {
    case "YYYY-MM-DD":
      m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
      if (m) out = ymd(+m[1]!, +m[2]!, +m[3]!);
      break;
    case "MM/DD/YYYY":
      m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
      if (m) out = ymd(+m[3]!, +m[1]!, +m[2]!);
      break;
    case "DD/MM/YYYY":
      m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
      if (m) out = ymd(+m[3]!, +m[2]!, +m[1]!);
      break;
    case "YYYYMMDD":
      m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
      if (m) out = ymd(+m[1]!, +m[2]!, +m[3]!);
      break;
    case "DD-MMM-YYYY":
      m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(s);
      if (m && MONTHS[m[2]!.toLowerCase()]) out = ymd(+m[3]!, MONTHS[m[2]!.toLowerCase()]!, +m[1]!);
      break;
    default:
      return { ok: false, expected: `a supported date format (profile names "${format}")` };
  }
  return out ? { ok: true, value: out } : { ok: false, expected };
}

/** Y/N, yes/no, true/false, T/F, 1/0 (case-insensitive). */
export function booleanCell(cell: string): CellResult<boolean> {
  const s = cell.trim().toLowerCase();
  if (s === "") return { ok: true, value: null };
  if (["y", "yes", "true", "t", "1"].includes(s)) return { ok: true, value: true };
  if (["n", "no", "false", "f", "0"].includes(s)) return { ok: true, value: false };
  return { ok: false, expected: "Y/N, true/false or 1/0" };
}

export function textCell(cell: string): CellResult<string> {
  const s = cell.trim();
  return { ok: true, value: s === "" ? null : s };
}

export function applyTransform(transform: ColumnTransform, cell: string, dateFormat: string): CellResult<string | number | boolean> {
  switch (transform) {
    case "text":
      return textCell(cell);
    case "decimal-cents":
      return decimalCents(cell);
    case "integer-cents":
      return integerCents(cell);
    case "number":
      return plainNumber(cell);
    case "date":
      return calendarDate(cell, dateFormat);
    case "boolean":
      return booleanCell(cell);
  }
}
