/**
 * BAI2 record splitter: text → logical records (a record plus its 88 continuations).
 *
 * Records are "NN,field,field,.../" (BAI Cash Management Balance Reporting Specifications
 * v2). Files in the wild also put several records on one physical line ("block" style,
 * records padded and separated by "/" and spaces), wrap a record across physical lines with
 * no 88, leave the "/" off, write "88:" for "88,", and carry "/" and "," inside the free
 * text of a 16 record. The rules, in order:
 * - A physical line that starts (after spaces) with two digits and "," or ":" starts a record.
 * - A record without free text (01, 02, 03, 49, 98, 99 and the 88s that continue them) ends
 *   at its first "/"; a 16 (and the 88s that continue it) ends at the end of the line, or at a
 *   "/" followed by spaces and another record code (01 02 03 16 49 88 98 99) — so "08/18/23"
 *   and "AB/GS/X" inside a text stay text.
 * - A physical line that does not start with a record code continues the previous record if
 *   that record was not closed by "/"; the line break is transport framing and is dropped.
 */

export interface Bai2PhysicalRecord {
  code: string;
  /** The record after "NN," with the closing "/" removed. */
  body: string;
  line: number;
  /** Offsets of the record in the file: first character of the code, and just past its "/" or last character. */
  start: number;
  end: number;
}

export interface Bai2LogicalRecord extends Bai2PhysicalRecord {
  /** Bodies of the 88 records that continue this one, in order. */
  continuations: string[];
  /** 1 + number of 88s: what the 49/98/99 record counts count. */
  recordCount: number;
}

export interface Bai2Junk {
  line: number;
  text: string;
}

const SPLIT_CODES = new Set(["01", "02", "03", "16", "49", "88", "98", "99"]);

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 0xfeff || c === 0xa0 || c === 26 || c === 0;
}

function recordStartAt(s: string, i: number): boolean {
  if (i + 2 >= s.length) return false;
  const sep = s.charCodeAt(i + 2);
  return isDigit(s.charCodeAt(i)) && isDigit(s.charCodeAt(i + 1)) && (sep === 44 || sep === 58);
}

/** In a free-text record: the next "/" that is followed by spaces and a known record code, or -1. */
function textRecordEnd(s: string, from: number): number {
  let i = s.indexOf("/", from);
  while (i >= 0) {
    let j = i + 1;
    while (j < s.length && isSpace(s.charCodeAt(j))) j++;
    if (j > i + 1 && recordStartAt(s, j) && SPLIT_CODES.has(s.slice(j, j + 2))) return i;
    i = s.indexOf("/", i + 1);
  }
  return -1;
}

export function splitBai2Records(text: string): { records: Bai2LogicalRecord[]; junk: Bai2Junk[] } {
  const physical: Array<Bai2PhysicalRecord & { textual: boolean; closed: boolean }> = [];
  const junk: Bai2Junk[] = [];
  const len = text.length;
  let pos = 0;
  let lineNo = 0;
  // Whether the record an 88 would continue carries free text (a 16).
  let lastBaseCode = "";
  while (pos < len) {
    lineNo++;
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = len;
    let lineEnd = nl;
    while (lineEnd > pos && (text.charCodeAt(lineEnd - 1) === 13 || text.charCodeAt(lineEnd - 1) === 0)) lineEnd--;
    const line = text.slice(pos, lineEnd);
    const lineOffset = pos;
    pos = nl + 1;
    let c = 0;
    const L = line.length;
    while (c < L) {
      while (c < L && isSpace(line.charCodeAt(c))) c++;
      if (c >= L) break;
      let current = physical.length > 0 ? physical[physical.length - 1]! : null;
      let bodyStart: number;
      if (recordStartAt(line, c)) {
        const code = line.slice(c, c + 2);
        const textual = code === "16" || (code === "88" && lastBaseCode === "16");
        if (code !== "88") lastBaseCode = code;
        current = { code, body: "", line: lineNo, start: lineOffset + c, end: lineOffset + c + 3, textual, closed: false };
        physical.push(current);
        bodyStart = c + 3;
      } else if (current !== null && !current.closed) {
        bodyStart = c; // a physical line wrap inside a record
      } else {
        junk.push({ line: lineNo, text: line.slice(c) });
        break;
      }
      if (current.textual) {
        const split = textRecordEnd(line, bodyStart);
        const e = split >= 0 ? split : L;
        let piece = line.slice(bodyStart, e);
        if (split >= 0) {
          current.closed = true;
          current.end = lineOffset + split + 1;
          c = split + 1;
        } else {
          let t = piece.length;
          while (t > 0 && isSpace(piece.charCodeAt(t - 1))) t--;
          if (t > 0 && piece.charCodeAt(t - 1) === 47) {
            piece = piece.slice(0, t - 1);
            current.closed = true;
          }
          current.end = lineOffset + L;
          c = L;
        }
        current.body += piece;
      } else {
        const slash = line.indexOf("/", bodyStart);
        const e = slash >= 0 ? slash : L;
        current.body += line.slice(bodyStart, e);
        if (slash >= 0) {
          current.closed = true;
          current.end = lineOffset + slash + 1;
          c = slash + 1;
        } else {
          current.end = lineOffset + L;
          c = L;
        }
      }
    }
  }

  const records: Bai2LogicalRecord[] = [];
  for (const p of physical) {
    const last = records.length > 0 ? records[records.length - 1]! : null;
    if (p.code === "88" && last !== null) {
      last.continuations.push(p.body);
      last.recordCount++;
      last.end = p.end;
    } else {
      records.push({ code: p.code, body: p.body, line: p.line, start: p.start, end: p.end, continuations: [], recordCount: 1 });
    }
  }
  return { records, junk };
}
