/**
 * Exact money. Amounts travel as integer minor units (cents) inside Tieout and as
 * decimal strings on the wire; binary floating point never touches them.
 */

export type MoneyParse = { ok: true; cents: number } | { ok: false; reason: string };

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?$/;

/**
 * Parses a decimal string such as "1234.5", "-0.07", "+12", ".50" into integer cents.
 * Refuses more than two fraction digits unless they are zeros ("1.230" is fine,
 * "1.234" is not): silently rounding money is never acceptable.
 * Trailing minus ("12.50-", common in mainframe extracts) is accepted.
 */
export function parseDecimalToCents(input: string): MoneyParse {
  let text = input.trim();
  if (text.endsWith("-") && !text.startsWith("-")) text = "-" + text.slice(0, -1);
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === "" && (m[3] === undefined || m[3] === ""))) {
    return { ok: false, reason: `expected a decimal amount, found "${input}"` };
  }
  const sign = m[1] === "-" ? -1 : 1;
  const whole = m[2] === "" ? "0" : m[2]!;
  let frac = m[3] ?? "";
  if (frac.length > 2) {
    if (/[^0]/.test(frac.slice(2))) {
      return { ok: false, reason: `expected at most 2 decimal places, found "${input}"` };
    }
    frac = frac.slice(0, 2);
  }
  frac = frac.padEnd(2, "0");
  const cents = Number(whole) * 100 + Number(frac);
  if (!Number.isSafeInteger(cents)) {
    return { ok: false, reason: `amount out of range, found "${input}"` };
  }
  return { ok: true, cents: sign * cents || 0 };
}

/**
 * An amount as a person types it after reading it on screen ("$1,240.00", "-$12.50",
 * "($12.50)", "240"), in cents; null when the text is not an amount.
 */
export function parseDisplayedAmount(text: string): number | null {
  let t = text.trim().replace(/[$,\s]/g, "");
  if (/^\(.*\)$/.test(t)) t = `-${t.slice(1, -1)}`;
  const parsed = parseDecimalToCents(t);
  return parsed.ok ? parsed.cents : null;
}

/** Formats integer cents as a plain decimal string: 123456 → "1234.56", -5 → "-0.05". */
export function centsToDecimal(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`cents must be a safe integer, got ${cents}`);
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const frac = String(abs % 100).padStart(2, "0");
  return `${sign}${whole}.${frac}`;
}

/**
 * Formats cents for a person in their locale, never rounding: always two fraction digits.
 */
export function formatCents(cents: number, locale?: string, currency = "USD"): string {
  const whole = Math.trunc(cents / 100);
  const frac = Math.abs(cents % 100);
  const nf = new Intl.NumberFormat(locale, { style: "currency", currency, minimumFractionDigits: 2, maximumFractionDigits: 2 });
  // Format the whole part through Intl (grouping, symbol), then splice in the exact fraction.
  const parts = nf.formatToParts(cents < 0 && whole === 0 ? -0.5 : whole + (cents < 0 ? -0.5 : 0.5));
  return parts.map((p) => (p.type === "fraction" ? String(frac).padStart(2, "0") : p.value)).join("");
}

/** Sum of integer cents that throws rather than losing precision. */
export function sumCents(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) {
    total += v;
    if (!Number.isSafeInteger(total)) throw new RangeError("sum of cents exceeds the safe integer range");
  }
  return total;
}
