/**
 * HL7 v2 syntax: encoding characters, segments, fields, repetitions, components,
 * sub-components and escape sequences. No knowledge of message types lives here;
 * `parseHl7.ts` splits a file into messages and `mapHl7.ts` maps them.
 *
 * Segments keep their raw field text and are split further only when a value is
 * read, so a 70 KB ORU costs one split per segment and nothing more.
 */

import type { ParseIssue } from "../../src-shared/model";

/** The five delimiters of one message (MSH-1, MSH-2). An empty string means "not defined". */
export interface Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
  /** v2.7+ truncation character (5th encoding character), or "". */
  truncation: string;
}

export const DEFAULT_DELIMITERS: Delimiters = {
  field: "|",
  component: "^",
  repetition: "~",
  escape: "\\",
  subcomponent: "&",
  truncation: "",
};

export interface Segment {
  /** Segment id as written (e.g. "PID", "ZPA"); may be invalid, see `isValidSegmentId`. */
  readonly id: string;
  /** 1-based physical line of the segment in the file. */
  readonly line: number;
  /**
   * Raw (still escaped) field text indexed by HL7 field number: `fields[0]` is the id,
   * `fields[3]` is PID-3. For MSH (and FHS/BHS) `fields[1]` is the field separator and
   * `fields[2]` the encoding characters, so MSH-10 is `fields[10]` as the standard counts.
   */
  readonly fields: string[];
}

/** HL7 segment ids are three upper-case letters or digits (Z-segments included). */
export function isValidSegmentId(id: string): boolean {
  return /^[A-Z0-9]{3}$/.test(id);
}

export interface DelimiterResult {
  delimiters: Delimiters;
  /** Human-readable problem with MSH-1/MSH-2, or null. */
  problem: string | null;
}

/**
 * Reads MSH-1 and MSH-2 from a header line (MSH, FHS or BHS). MSH-2 normally holds
 * `^~\&`; v2.7+ may add a fifth, the truncation character (`^~\&#`). Senders in the
 * wild use other characters (`^~\}`, `!@%*`) or leave one out (`^~}`): we take what
 * is declared, position by position.
 */
export function readDelimiters(headerLine: string): DelimiterResult {
  const field = headerLine.charAt(3);
  if (field === "" || /[A-Za-z0-9\s]/.test(field)) {
    return {
      delimiters: DEFAULT_DELIMITERS,
      problem: `expected a field separator after "${headerLine.slice(0, 3)}", found ${field === "" ? "end of line" : `"${field}"`}`,
    };
  }
  const end = headerLine.indexOf(field, 4);
  const declared = end === -1 ? headerLine.slice(4) : headerLine.slice(4, end);
  let problem: string | null = null;
  let chars = declared;
  // Duplicates make the grammar ambiguous (seen: `^~\\&` from a string literal that
  // kept its Java escaping). Keep the first occurrence of each and say so.
  const seen = new Set<string>([field]);
  let unique = "";
  for (const c of chars) {
    if (seen.has(c)) continue;
    seen.add(c);
    unique += c;
  }
  if (unique !== chars) {
    problem = `MSH-2 repeats an encoding character ("${declared}"); used "${unique}"`;
    chars = unique;
  }
  // Fewer than four characters (`^~}` in hapi's messages.txt) is not fatal: the
  // missing delimiters are simply not used by that message.
  if (chars.length === 0) {
    problem = `expected encoding characters in MSH-2 (e.g. "^~\\&"), found none; assumed "^~\\&"`;
    return { delimiters: { ...DEFAULT_DELIMITERS, field }, problem };
  }
  return {
    delimiters: {
      field,
      component: chars.charAt(0),
      repetition: chars.charAt(1),
      escape: chars.charAt(2),
      subcomponent: chars.charAt(3),
      truncation: chars.charAt(4),
    },
    problem,
  };
}

/**
 * One segment, split into fields only when a field is first read: most segments of
 * the messages we do not map (a 70 KB newborn-screening ORU) are never looked into.
 */
class LazySegment implements Segment {
  readonly id: string;
  readonly line: number;
  private readonly text: string;
  private readonly d: Delimiters;
  private readonly isHeader: boolean;
  private cache: string[] | null = null;

  constructor(text: string, line: number, d: Delimiters) {
    this.text = text;
    this.line = line;
    this.d = d;
    this.isHeader = /^(MSH|FHS|BHS)/.test(text) && text.charAt(3) === d.field;
    if (this.isHeader) this.id = text.slice(0, 3);
    else {
      const end = text.indexOf(d.field);
      this.id = end === -1 ? text : text.slice(0, end);
    }
  }

  get fields(): string[] {
    if (this.cache === null) {
      // For a header, MSH-1 is the separator itself and the text after it starts at MSH-2.
      this.cache = this.isHeader ? [this.id, this.d.field, ...this.text.slice(4).split(this.d.field)] : this.text.split(this.d.field);
    }
    return this.cache;
  }
}

/** Splits one segment's text into fields numbered as the standard numbers them. */
export function splitSegment(text: string, line: number, d: Delimiters): Segment {
  return new LazySegment(text, line, d);
}

/** A position inside a field: repetition (0-based), component and sub-component (1-based). */
export interface ValuePath {
  rep?: number;
  comp?: number;
  sub?: number;
}

/**
 * The raw (escaped) text at a position, or "" when absent. Header fields 1 and 2
 * are returned verbatim: they hold the delimiters themselves.
 */
export function rawValue(seg: Segment, field: number, d: Delimiters, path: ValuePath = {}): string {
  const text = seg.fields[field];
  if (text === undefined || text === "") return "";
  if (field <= 2 && (seg.id === "MSH" || seg.id === "FHS" || seg.id === "BHS")) return text;
  const r = nthPart(text, d.repetition, path.rep ?? 0);
  if (r === undefined) return "";
  const c = nthPart(r, d.component, (path.comp ?? 1) - 1);
  if (c === undefined) return "";
  return nthPart(c, d.subcomponent, (path.sub ?? 1) - 1) ?? "";
}

/**
 * `text.split(separator)[n]` without the array: mapping a message reads dozens of positions,
 * and splitting every field at every level for each was most of an HL7 import's parsing time.
 */
function nthPart(text: string, separator: string, n: number): string | undefined {
  if (n < 0) return undefined;
  if (!separator) return n === 0 ? text : undefined;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const at = text.indexOf(separator, start);
    if (at < 0) return undefined;
    start = at + separator.length;
  }
  const end = text.indexOf(separator, start);
  return end < 0 ? text.slice(start) : text.slice(start, end);
}

/** Number of repetitions a field holds (0 when empty). */
export function repetitionCount(seg: Segment, field: number, d: Delimiters): number {
  const text = seg.fields[field];
  if (text === undefined || text === "") return 0;
  return d.repetition ? text.split(d.repetition).length : 1;
}

/**
 * The unescaped value at a position, trimmed, or null when empty. `""` (HL7's explicit
 * null, "delete this value") also reads as null: canonical records have no way to say
 * "deleted" other than null.
 */
export function value(seg: Segment | undefined, field: number, d: Delimiters, path: ValuePath = {}): string | null {
  if (!seg) return null;
  const raw = rawValue(seg, field, d, path);
  if (raw === "" || raw === '""') return null;
  const text = unescapeHl7(raw, d).trim();
  return text === "" ? null : text;
}

/** True when the whole field is HL7's explicit null `""`. */
export function isExplicitNull(seg: Segment | undefined, field: number): boolean {
  return seg?.fields[field] === '""';
}

const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;

function decodeHexBytes(hex: string): string | null {
  if (hex.length === 0 || hex.length % 2 !== 0) return null;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    const pair = hex.slice(i * 2, i * 2 + 2);
    if (!HEX_PAIR.test(pair)) return null;
    bytes[i] = parseInt(pair, 16);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // Not UTF-8: the bytes are in the message's single-byte character set; Latin-1
    // maps every byte to a character and never loses one.
    return new TextDecoder("latin1").decode(bytes);
  }
}

/**
 * Replaces HL7 escape sequences (v2.5.1 §2.7) in one leaf value:
 * \F\ \S\ \T\ \R\ \E\ delimiters, \P\ truncation (v2.7), \Xhh…\ hex data,
 * \.br\ and \.sp\ line breaks, \H\ \N\ highlighting (dropped), \.in \.ti \.sk \.ce \.fi \.nf
 * formatting (dropped), \Cxxyy\ \Mxxyyzz\ character-set switches (dropped: the text
 * has already been decoded as a whole), \Zxx\ locally defined (kept verbatim).
 * An unknown or unterminated sequence is kept as written: losing text is worse than
 * showing a backslash.
 */
export function unescapeHl7(text: string, d: Delimiters): string {
  const e = d.escape;
  if (!e || !text.includes(e)) return text;
  let out = "";
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf(e, i);
    if (start === -1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, start);
    const end = text.indexOf(e, start + 1);
    if (end === -1) {
      out += text.slice(start);
      break;
    }
    const body = text.slice(start + 1, end);
    const replaced = escapeBody(body, d);
    if (replaced === null) {
      // Not an escape we know: keep the escape character and go on after it, so that
      // its closing partner can still open a real sequence.
      out += e;
      i = start + 1;
      continue;
    }
    out += replaced;
    i = end + 1;
  }
  return out;
}

function escapeBody(body: string, d: Delimiters): string | null {
  switch (body) {
    case "F":
      return d.field;
    case "S":
      return d.component;
    case "T":
      return d.subcomponent;
    case "R":
      return d.repetition;
    case "E":
      return d.escape;
    case "P":
      return d.truncation || null;
    case "H":
    case "N":
      return "";
    case ".br":
      return "\n";
    case ".fi":
    case ".nf":
      return "";
  }
  if (body === "") return null;
  const head = body.charAt(0);
  if (head === "X") return decodeHexBytes(body.slice(1));
  if (head === "C" && /^C[0-9A-Fa-f]{4}$/.test(body)) return "";
  if (head === "M" && /^M[0-9A-Fa-f]{4}([0-9A-Fa-f]{2})?$/.test(body)) return "";
  if (head === "Z") return d.escape + body + d.escape;
  const fmt = /^\.(sp|in|ti|sk|ce)([+-]?\d*)$/.exec(body);
  if (fmt) {
    if (fmt[1] === "sp") {
      const n = fmt[2] ? Math.max(1, Math.min(Number(fmt[2]) || 1, 100)) : 1;
      return "\n".repeat(n);
    }
    return fmt[1] === "ce" ? "\n" : "";
  }
  return null;
}

// ---------------------------------------------------------------- dates and numbers

/** `YYYYMMDD[...]` → `YYYY-MM-DD`, or null when the text is not a calendar date. */
export function hl7Date(text: string | null): string | null {
  if (!text) return null;
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, da] = m;
  if (!validYmd(Number(y), Number(mo), Number(da))) return null;
  return `${y}-${mo}-${da}`;
}

function validYmd(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/**
 * HL7 TS/DTM `YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]` → ISO-8601.
 * With an offset the instant is converted to UTC (`…Z`); without one it is a local
 * timestamp as given (no `Z`): we do not know the sender's zone and will not guess.
 * A bare date gives `YYYY-MM-DD`. Returns null for text that is not a timestamp.
 */
export function hl7Timestamp(text: string | null): string | null {
  if (!text) return null;
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})?(\d{2})?(?:\.(\d{1,4}))?)?\s*([+-]\d{4})?$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, da, hh, mi, ss, frac, zone] = m;
  if (!validYmd(Number(y), Number(mo), Number(da))) return null;
  if (hh === undefined) return `${y}-${mo}-${da}`;
  const H = Number(hh);
  const M = Number(mi ?? "0");
  const S = Number(ss ?? "0");
  if (H > 23 || M > 59 || S > 59) return null;
  const ms = frac ? Number(frac.padEnd(3, "0").slice(0, 3)) : 0;
  if (zone) {
    const sign = zone.startsWith("-") ? -1 : 1;
    const offMin = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
    const utc = Date.UTC(Number(y), Number(mo) - 1, Number(da), H, M, S, ms) - offMin * 60_000;
    const iso = new Date(utc).toISOString();
    return frac ? iso : iso.replace(/\.\d{3}Z$/, "Z");
  }
  const base = `${y}-${mo}-${da}T${hh}:${mi ?? "00"}:${ss ?? "00"}`;
  return frac ? `${base}.${String(ms).padStart(3, "0")}` : base;
}

/**
 * A decimal number (HL7 NM) as text → number, or null. Accepts a trailing minus.
 * Used for quantities only; money goes through `parseDecimalToCents`.
 */
export function hl7Number(text: string | null): number | null {
  if (text === null) return null;
  let t = text.trim();
  if (t.endsWith("-") && !t.startsWith("-")) t = "-" + t.slice(0, -1);
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

// ---------------------------------------------------------------- messages and issues

/** One HL7 message, tokenised, with what the mappers need to name places in errors. */
export interface Hl7Message {
  fileName: string;
  delimiters: Delimiters;
  segments: Segment[];
  /** MSH-12.1, e.g. "2.5.1"; null when absent. */
  version: string | null;
  /** MSH-9.1, e.g. "ADT". */
  messageType: string | null;
  /** MSH-9.2, or EVN-1 when MSH-9 carries no trigger (v2.1/2.2 style). */
  trigger: string | null;
  /** MSH-10. */
  controlId: string | null;
  /** 1-based line of the MSH segment. */
  line: number;
}

/** How a user would name a field: "FT1-11", "PV1-3.4". */
export function fieldRef(segmentId: string, field: number, comp?: number): string {
  return comp && comp > 1 ? `${segmentId}-${field}.${comp}` : `${segmentId}-${field}`;
}

/**
 * A problem tied to one field of one segment, worded as CONVENTIONS asks:
 * `adt.hl7 line 12, FT1-11: expected a decimal amount, found "12,50"`.
 */
export function fieldIssue(
  msg: Hl7Message,
  seg: Segment | undefined,
  field: string,
  code: string,
  severity: "error" | "warning",
  expected: string,
  found: string | null,
  note?: string,
): ParseIssue {
  const line = seg?.line ?? msg.line;
  const shown = found === null || found === "" ? "empty" : `"${found.length > 80 ? found.slice(0, 77) + "..." : found}"`;
  const message = `${msg.fileName} line ${line}, ${field}: expected ${expected}, found ${shown}${note ? `; ${note}` : ""}`;
  return {
    code,
    severity,
    message,
    where: { file: msg.fileName, line, segment: seg?.id ?? field.slice(0, 3), field },
    expected,
    found: found ?? "",
  };
}
