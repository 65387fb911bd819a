import type { Normalizer, NormalizerChain } from "../../../src-shared/reconRules";

/** Key values of one cell after normalisation; empty when the cell cannot be a key. */
export function normalizeKey(value: unknown, chain: NormalizerChain = "none"): string[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(chain)) return normalizeOne(String(value), chain);
  let values = [String(value)];
  for (const n of chain) values = values.flatMap((v) => normalizeOne(v, n));
  return values;
}

function normalizeOne(text: string, normalizer: Normalizer): string[] {
  switch (normalizer) {
    case "none":
      return text === "" ? [] : [text];
    case "trim": {
      const t = text.trim();
      return t === "" ? [] : [t];
    }
    case "upper": {
      const t = text.trim().toUpperCase();
      return t === "" ? [] : [t];
    }
    case "digits": {
      const t = text.replace(/\D+/g, "");
      return t === "" ? [] : [t];
    }
    case "stripLeadingZeros": {
      const t = text.trim().replace(/^0+(?=.)/, "");
      return t === "" ? [] : [t];
    }
    case "trnTraces": {
      // CCD+ addenda: TRN*1*<TRN02>*<TRN03>\ (CORE 370; STANDARDS.md B3). A bundled deposit carries several.
      const out: string[] = [];
      for (const m of text.matchAll(/TRN\*1\*([^*\\~]+)\*/g)) if (m[1]) out.push(m[1].trim());
      return out;
    }
    case "words": {
      const t = normalizeWords(text);
      return t === "" ? [] : [t];
    }
  }
}

/**
 * Lower case, accents folded ("José Müller" → "jose muller"), letters and digits of any
 * script kept, everything else one space: "NÚÑEZ, José" and "Jose Nunez" read alike, and
 * "Иванов" stays a word rather than becoming nothing.
 */
export function normalizeWords(text: string): string {
  // eslint-disable-next-line no-control-regex -- plain ASCII needs no Unicode folding (the common case, and fast)
  const folded = /^[\x00-\x7f]*$/.test(text) ? text : text.normalize("NFKD").replace(/\p{M}+/gu, "");
  return folded
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Jaro-Winkler similarity in [0, 1] (Winkler 1990, prefix scale 0.1, prefix up to 4). */
export function jaroWinkler(a: string, b: string): number {
  const la = a.length;
  const lb = b.length;
  // Nothing is no evidence of likeness: two blank names are not "1.00 similar".
  if (la === 0 || lb === 0) return 0;
  if (a === b) return 1;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  const aMatched = new Uint8Array(la);
  const bMatched = new Uint8Array(lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (bMatched[j] || a.charCodeAt(i) !== b.charCodeAt(j)) continue;
      aMatched[i] = 1;
      bMatched[j] = 1;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (!aMatched[i]) continue;
    while (!bMatched[k]) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  const m = matches;
  const jaro = (m / la + m / lb + (m - transpositions / 2) / m) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** Token-set similarity (Jaccard over normalised words), order-insensitive: "NOVAK, FATIMA" = "Fatima Novak". */
export function tokenSimilarity(a: string, b: string): number {
  const ta = new Set(normalizeWords(a).split(" ").filter(Boolean));
  const tb = new Set(normalizeWords(b).split(" ").filter(Boolean));
  if (ta.size === 0 || tb.size === 0) return 0;
  let common = 0;
  for (const t of ta) if (tb.has(t)) common++;
  return common / (ta.size + tb.size - common);
}

/** Whole days from one ISO date (or timestamp) to another; null when either is missing. */
export function daysBetween(from: unknown, to: unknown): number | null {
  const a = dayNumber(from);
  const b = dayNumber(to);
  return a === null || b === null ? null : b - a;
}

/** Days since 1970-01-01 of an ISO date (or timestamp); null when it is missing or no real day ("2026-02-30"). */
export function dayNumber(value: unknown): number | null {
  if (typeof value !== "string" || value.length < 10) return null;
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31)) return null;
  const t = Date.UTC(Number(value.slice(0, 4)), month - 1, day);
  if (Number.isNaN(t)) return null;
  // Date.UTC rolls an impossible day into the next month: a day past 28 must still be in its month.
  if (day > 28 && new Date(t).getUTCMonth() !== month - 1) return null;
  return Math.round(t / 86_400_000);
}

export function formatCents(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}$${whole}.${String(abs % 100).padStart(2, "0")}`;
}
