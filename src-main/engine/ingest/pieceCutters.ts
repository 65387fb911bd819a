/**
 * Where a big HL7 v2 or X12 file can be cut into pieces that each parse on their own
 * exactly as they would inside the whole file, and how many lines a piece spans (so the
 * next piece's line numbers continue from it).
 */

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * The last offset in (0, before) where a line starts with segment `id` (MSH, BHS): the character
 * before is a CR or LF, and the id is not the start of a longer word (parseHl7's
 * isHeaderLine / envelopeId rule). -1 when there is none.
 */
export function lastHl7LineStart(text: string, id: string, before = text.length): number {
  let at = text.lastIndexOf(id, before - 1);
  while (at > 0) {
    const prev = text.charCodeAt(at - 1);
    const next = at + 3 < text.length ? text.charCodeAt(at + 3) : -1;
    if ((prev === 13 || prev === 10) && next !== -1 && !isAlnum(next)) return at;
    at = text.lastIndexOf(id, at - 1);
  }
  return -1;
}

/** Physical lines ended in `text` as parseHl7 counts them: CRLF, CR or LF each end one. */
export function hl7LineBreaks(text: string): number {
  return countOf(text, "\r") + countOf(text, "\n") - countOf(text, "\r\n");
}

export function countOf(text: string, needle: string): number {
  let n = 0;
  for (let k = text.indexOf(needle); k !== -1; k = text.indexOf(needle, k + needle.length)) n++;
  return n;
}

function isLayout(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0 || c === 26 || c === 0xa0 || c === 0xfeff;
}

/**
 * The last offset in (0, before) where an X12 interchange (ISA) starts right after the previous one's
 * IEA trailer (and layout): an interchange is never split. -1 when there is none.
 */
export function lastIsaAfterIea(text: string, before = text.length): number {
  let isa = text.lastIndexOf("ISA", before - 1);
  while (isa > 0) {
    const sep = isa + 3 < text.length ? text.charCodeAt(isa + 3) : -1;
    if (sep !== -1 && !isAlnum(sep) && !isLayout(sep) && !isAlnum(text.charCodeAt(isa - 1))) {
      // Step back over layout and the previous segment's terminator to that segment's start.
      let end = isa - 1;
      while (end > 0 && isLayout(text.charCodeAt(end))) end--;
      // text[end] is the terminator of the segment before; it must be an IEA segment.
      const segStart = Math.max(text.lastIndexOf(text.charAt(end), end - 1) + 1, 0);
      let s = segStart;
      while (s < end && isLayout(text.charCodeAt(s))) s++;
      if (text.startsWith("IEA", s) && s + 3 < end && !isAlnum(text.charCodeAt(s + 3))) return isa;
    }
    isa = text.lastIndexOf("ISA", isa - 1);
  }
  return -1;
}

/**
 * The line-break character parseX12's LineCounter counts for a text: LF, or CR in a file
 * with CRs and no LF. Decided once per file, from its first piece.
 */
export function x12LineBreak(text: string): string {
  return text.indexOf("\n") >= 0 || text.indexOf("\r") < 0 ? "\n" : "\r";
}
