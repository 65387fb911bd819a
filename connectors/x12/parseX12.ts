/**
 * X12 interchange reader: ISA/GS/ST envelopes → one RawUnit per transaction set (ST..SE),
 * with 835 and 837 mapped to canonical records. Pure: text in, units and issues out; it
 * never throws.
 *
 * Separators come from each ISA (X12.5 interchange header): the element separator is the
 * character after "ISA", the component separator is ISA16, the segment terminator is the
 * character after ISA16, and ISA11 is the repetition separator from 00501 on. Every
 * interchange is read with its own separators. Whitespace (CR, LF, spaces, tabs, U+FEFF)
 * after a terminator and before the next segment is layout, not data, and is skipped.
 *
 * Unit text: the interchange's ISA segment and the group's GS segment, each exactly as in
 * the file with its terminator, followed by the exact text from ST through SE's terminator.
 * The ISA makes the unit self-describing (separators, sender, control number) so a
 * quarantined unit can be re-read on its own; GE and IEA are left out because their counts
 * describe the whole group, not this transaction. Re-reading a unit alone therefore reports
 * the missing GE/IEA as file-level issues, which belong to the replay, not the unit.
 *
 * Where problems land (and why):
 * - SE01 segment count, SE02 = ST02, a missing SE, a bad segment id inside ST..SE:
 *   an `error` on that transaction's unit. A 999 would reject that set (IK5 R); its
 *   content may be cut short or merged, so it is quarantined and the others go on.
 * - GE01/IEA01 counts, GE02 = GS06, IEA02 = ISA13, missing GE/IEA, anything outside an
 *   ST..SE: a file-level `error`. The envelope is wrong, but no single transaction can be
 *   blamed, and each transaction has already been checked against its own SE; the units
 *   keep loading. (A file-level issue never quarantines units.)
 * - An ISA that is not the fixed 106 characters but whose separators still read
 *   unambiguously: a file-level `warning`.
 */
import type { ParseIssue, ParseResult, RawUnit, SourceFormat } from "../../src-shared/model";
import { Claim837Mapper } from "./claim837";
import { Remittance835Mapper } from "./remittance835";
import { pushIssue, type X12Separators, type X12TransactionContext, type X12TransactionMapper } from "./x12Context";

export type { X12Separators } from "./x12Context";

export interface ParseX12Options {
  fileName: string;
  /**
   * Lines before `text` in its file, when `text` is one piece of a bigger file read in
   * pieces (whole interchanges): line numbers are counted from here. Default 0.
   */
  lineOffset?: number;
}

/** Fixed widths of ISA01..ISA16 (index = element number). */
const ISA_WIDTHS = [0, 2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isLayout(c: number): boolean {
  // space, tab, LF, CR, NUL, Ctrl-Z (DOS end of file), no-break space, U+FEFF (a BOM left by concatenated files)
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0 || c === 26 || c === 0xa0 || c === 0xfeff;
}

/** Segment ids are 2–3 characters, an upper-case letter then letters or digits. */
function validSegmentId(id: string): boolean {
  if (id.length < 2 || id.length > 3) return false;
  const c0 = id.charCodeAt(0);
  if (c0 < 65 || c0 > 90) return false;
  for (let i = 1; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90))) return false;
  }
  return true;
}

function describeChar(ch: string): string {
  if (ch === "\r") return "CR";
  if (ch === "\n") return "LF";
  if (ch === "\t") return "TAB";
  if (ch === " ") return "space";
  return `"${ch}"`;
}

function preview(s: string): string {
  const one = s.replace(/[\r\n]+/g, " ");
  return `"${one.length > 40 ? one.slice(0, 37) + "..." : one}"`;
}

/** 1-based line of an offset, for offsets that only move forward. O(file) in total. */
class LineCounter {
  private readonly text: string;
  private readonly nl: string;
  private line: number;
  private next: number;
  constructor(text: string, lineOffset = 0) {
    this.text = text;
    this.line = 1 + lineOffset;
    // CR-only files (classic Mac, or CR as the segment terminator with no LF) count CRs.
    this.nl = text.indexOf("\n") >= 0 || text.indexOf("\r") < 0 ? "\n" : "\r";
    this.next = text.indexOf(this.nl);
  }
  at(offset: number): number {
    while (this.next !== -1 && this.next < offset) {
      this.line++;
      this.next = this.text.indexOf(this.nl, this.next + 1);
    }
    return this.line;
  }
}

interface Interchange {
  elements: string[];
  separators: X12Separators;
  /** Exact ISA text including its terminator. */
  text: string;
  line: number;
  groupCount: number;
}

interface Group {
  elements: string[];
  text: string;
  line: number;
  transactionCount: number;
}

interface OpenTransaction {
  unit: RawUnit;
  ctx: X12TransactionContext;
  mapper: X12TransactionMapper | null;
  start: number;
  end: number;
  segmentCount: number;
}

export function parseX12(text: string, opts: ParseX12Options): ParseResult {
  const fileName = opts.fileName;
  const units: RawUnit[] = [];
  const issues: ParseIssue[] = [];
  let format: SourceFormat | null = null;
  try {
    format = readInterchanges(text, fileName, units, issues, opts.lineOffset ?? 0);
  } catch (err) {
    // Never throw at the caller: a bug here must still surface as a readable issue.
    issues.push({
      code: "x12.internal",
      severity: "error",
      message: `${fileName}: the X12 reader stopped unexpectedly (${err instanceof Error ? err.message : String(err)}); ${units.length} transaction sets were read before it`,
      where: { file: fileName },
    });
  }
  return { format: format ?? guessFormat(fileName), units, issues };
}

function guessFormat(fileName: string): SourceFormat {
  return /835/.test(fileName) ? "x12-835" : "x12-837";
}

function readInterchanges(text: string, fileName: string, units: RawUnit[], issues: ParseIssue[], lineOffset: number): SourceFormat | null {
  const len = text.length;
  const lines = new LineCounter(text, lineOffset);
  const fileCtx = { fileName, issues };
  let format: SourceFormat | null = null;
  const seenControl = new Map<string, { line: number; text: string }>();

  const fileError = (line: number, segment: string, field: string | null, message: string, expected?: string, found?: string) =>
    pushIssue(fileCtx, "error", field === null ? `x12.envelope` : `x12.envelope.${field}`, line, segment, field, message, expected, found);

  let pos = 0;
  while (pos < len && isLayout(text.charCodeAt(pos))) pos++;
  if (pos >= len) {
    issues.push({
      code: "x12.empty",
      severity: "error",
      message: `${fileName}: the file is empty; expected an X12 interchange starting with ISA`,
      where: { file: fileName, line: 1 },
      expected: "ISA",
      found: "",
    });
    return null;
  }
  if (!startsIsa(text, pos)) {
    const at = findIsa(text, pos);
    const firstLine = lines.at(pos);
    const found = text.slice(pos, Math.min(len, pos + 40));
    if (at < 0) {
      issues.push({
        code: "x12.no-isa",
        severity: "error",
        message: `${fileName} line ${firstLine}: expected an X12 interchange header (ISA) at the start of the file, found ${preview(found)}; without an ISA the separators are unknown, so nothing was read`,
        where: { file: fileName, line: firstLine, segment: "ISA" },
        expected: "ISA",
        found,
      });
      return null;
    }
    const isaLine = new LineCounter(text, lineOffset).at(at);
    issues.push({
      code: "x12.before-isa",
      severity: "error",
      message: `${fileName} line ${firstLine}: expected the file to start with ISA, found ${preview(found)}; everything before the ISA on line ${isaLine} was skipped`,
      where: { file: fileName, line: firstLine },
      expected: "ISA",
      found,
    });
    pos = at;
  }

  while (pos < len) {
    // ---- ISA at pos
    const isaLine = lines.at(pos);
    const isa = readIsa(text, pos, isaLine, fileCtx);
    if (isa === null) {
      const next = findIsa(text, pos + 3);
      if (next < 0) return format;
      pos = next;
      continue;
    }
    const interchange: Interchange = {
      elements: isa.elements,
      separators: isa.separators,
      text: text.slice(pos, isa.end),
      line: isaLine,
      groupCount: 0,
    };
    pos = isa.end;
    const sep = isa.separators;
    const term = sep.segment;
    let group: Group | null = null;
    let tx: OpenTransaction | null = null;
    let interchangeClosed = false;
    let restartAt = -1;

    const closeTransaction = (seElements: string[] | null, seLine: number) => {
      const t = tx!;
      tx = null;
      const st02 = t.ctx.st[2] ?? "";
      if (seElements === null) {
        pushIssue(
          t.ctx,
          "error",
          "x12.se-missing",
          seLine,
          "SE",
          null,
          `transaction set ${t.ctx.st[1] ?? ""} ${st02} (ST on line ${t.unit.line}) ends without an SE trailer; it may be cut short`,
          "SE",
          "",
        );
      } else {
        const declared = (seElements[1] ?? "").trim();
        if (!sameCount(declared, t.segmentCount)) {
          pushIssue(
            t.ctx,
            "error",
            "x12.se-count",
            seLine,
            "SE",
            "SE01",
            `expected the number of segments from ST to SE, ${t.segmentCount}, found "${declared}"`,
            String(t.segmentCount),
            declared,
          );
        }
        const se02 = (seElements[2] ?? "").trim();
        if (se02 !== st02.trim()) {
          pushIssue(
            t.ctx,
            "error",
            "x12.se-control",
            seLine,
            "SE",
            "SE02",
            `expected the transaction set control number from ST02, "${st02}", found "${se02}"`,
            st02,
            se02,
          );
        }
      }
      if (t.mapper !== null) t.mapper.finish();
      t.unit.text = interchange.text + (group?.text ?? "") + text.slice(t.start, t.end);
      const prior = seenControl.get(t.unit.controlId!);
      if (prior !== undefined) {
        const same = prior.text === t.unit.text;
        pushIssue(
          t.ctx,
          "warning",
          "x12.duplicate-control",
          t.unit.line,
          "ST",
          null,
          same
            ? `this transaction set repeats the one on line ${prior.line} (same control numbers ${t.unit.controlId}, same content)`
            : `this transaction set reuses the control numbers ${t.unit.controlId} of the one on line ${prior.line} with different content; the sender should not reuse control numbers`,
        );
      } else seenControl.set(t.unit.controlId!, { line: t.unit.line, text: t.unit.text });
      units.push(t.unit);
    };

    const closeGroup = (ge: string[] | null, geLine: number) => {
      const g = group!;
      group = null;
      const gs06 = (g.elements[6] ?? "").trim();
      if (ge === null) {
        fileError(geLine, "GE", null, `functional group ${gs06} (GS on line ${g.line}) ends without a GE trailer`, "GE", "");
        return;
      }
      const count = (ge[1] ?? "").trim();
      if (!sameCount(count, g.transactionCount)) {
        fileError(
          geLine,
          "GE",
          "GE01",
          `expected the number of transaction sets in group ${gs06}, ${g.transactionCount}, found "${count}"`,
          String(g.transactionCount),
          count,
        );
      }
      const ge02 = (ge[2] ?? "").trim();
      if (ge02 !== gs06)
        fileError(geLine, "GE", "GE02", `expected the group control number from GS06, "${gs06}", found "${ge02}"`, gs06, ge02);
    };

    while (pos < len) {
      while (pos < len && isLayout(text.charCodeAt(pos))) pos++;
      if (pos >= len) break;
      const start = pos;
      let idx = text.indexOf(term, pos);
      let end: number;
      if (idx < 0) {
        idx = len;
        end = len;
      } else end = idx + 1;
      let raw = text.slice(start, idx);
      // LF as the terminator after CRLF line ends leaves a CR behind; the last segment of a file
      // may lack its terminator and end in layout instead.
      const unterminated = idx === len;
      while (
        raw.length > 0 &&
        (unterminated
          ? isLayout(raw.charCodeAt(raw.length - 1))
          : raw.charCodeAt(raw.length - 1) === 13 || raw.charCodeAt(raw.length - 1) === 10)
      ) {
        raw = raw.slice(0, -1);
      }
      const line = lines.at(start);
      if (raw.length > 3 && raw.startsWith("ISA") && !isAlnum(raw.charCodeAt(3))) {
        // A new interchange, possibly with other separators: re-read from its first character.
        restartAt = start;
        break;
      }
      pos = end;
      if (raw.length === 0) continue;
      const els = raw.split(sep.element);
      const id = els[0]!;

      if (!validSegmentId(id)) {
        const message = `expected a segment id (2–3 capital letters or digits, starting with a letter), found ${preview(id === "" ? raw : id)}`;
        if (tx !== null) {
          tx.segmentCount++;
          tx.end = end;
          pushIssue(tx.ctx, "error", "x12.segment-id", line, id, null, message, "a segment id", id);
        } else fileError(line, id, null, message, "a segment id", id);
        continue;
      }

      if (interchangeClosed) {
        fileError(line, id, null, `expected a new interchange (ISA) after IEA, found ${preview(raw)}`, "ISA", raw);
        continue;
      }

      switch (id) {
        case "GS": {
          if (tx !== null) closeTransaction(null, line);
          if (group !== null) closeGroup(null, line);
          interchange.groupCount++;
          group = { elements: els, text: text.slice(start, end), line, transactionCount: 0 };
          break;
        }
        case "ST": {
          if (tx !== null) closeTransaction(null, line);
          if (group === null)
            fileError(line, "ST", null, "expected ST inside a functional group (after GS), found it outside one", "GS", "ST");
          else group.transactionCount++;
          const g: Group | null = group;
          const st01 = (els[1] ?? "").trim();
          const isa13 = (interchange.elements[13] ?? "").trim();
          const gs06 = (g?.elements[6] ?? "").trim();
          const st02 = (els[2] ?? "").trim();
          const unit: RawUnit = {
            kind: "x12-transaction",
            controlId: `${(interchange.elements[6] ?? "").trim()}|${isa13}|${gs06}|${st02}`,
            text: "",
            line,
            records: [],
            issues: [],
          };
          const ctx: X12TransactionContext = {
            fileName,
            separators: sep,
            isa: interchange.elements,
            gs: g?.elements ?? null,
            st: els,
            stLine: line,
            interchangeRef: `${isa13}/${gs06}/${st02}`,
            records: unit.records,
            issues: unit.issues,
          };
          let mapper: X12TransactionMapper | null = null;
          if (st01 === "835") {
            mapper = new Remittance835Mapper(ctx);
            format ??= "x12-835";
          } else if (st01 === "837") {
            mapper = new Claim837Mapper(ctx);
            format ??= "x12-837";
          } else {
            pushIssue(
              ctx,
              "warning",
              "x12.not-mapped",
              line,
              "ST",
              "ST01",
              `not mapped: ${st01 === "" ? "(no transaction set id)" : st01}; Tieout maps 835 and 837 transaction sets, this one is kept as received with no records`,
              "835 or 837",
              st01,
            );
          }
          if (st02 === "")
            pushIssue(
              ctx,
              "error",
              "x12.required",
              line,
              "ST",
              "ST02",
              "expected a transaction set control number, found nothing",
              "a control number",
              "",
            );
          tx = { unit, ctx, mapper, start, end, segmentCount: 1 };
          break;
        }
        case "SE": {
          if (tx === null) {
            fileError(line, "SE", null, "found an SE trailer with no open transaction set (no ST before it)", "ST", "SE");
            break;
          }
          tx.segmentCount++;
          tx.end = end;
          closeTransaction(els, line);
          break;
        }
        case "GE": {
          if (tx !== null) closeTransaction(null, line);
          if (group === null) fileError(line, "GE", null, "found a GE trailer with no open functional group (no GS before it)", "GS", "GE");
          else closeGroup(els, line);
          break;
        }
        case "IEA": {
          if (tx !== null) closeTransaction(null, line);
          if (group !== null) closeGroup(null, line);
          const count = (els[1] ?? "").trim();
          if (!sameCount(count, interchange.groupCount)) {
            fileError(
              line,
              "IEA",
              "IEA01",
              `expected the number of functional groups in the interchange, ${interchange.groupCount}, found "${count}"`,
              String(interchange.groupCount),
              count,
            );
          }
          const isa13 = (interchange.elements[13] ?? "").trim();
          const iea02 = (els[2] ?? "").trim();
          if (iea02 !== isa13)
            fileError(
              line,
              "IEA",
              "IEA02",
              `expected the interchange control number from ISA13, "${isa13}", found "${iea02}"`,
              isa13,
              iea02,
            );
          interchangeClosed = true;
          break;
        }
        default: {
          // TA1 (interchange acknowledgment) may sit between ISA and GS: envelope, nothing to map.
          if (tx === null && id === "TA1") break;
          if (tx === null) {
            fileError(
              line,
              id,
              null,
              `expected ${group === null ? "GS" : "ST"} before ${id}, found ${id} outside any transaction set; it was not read`,
              group === null ? "GS" : "ST",
              id,
            );
            break;
          }
          tx.segmentCount++;
          tx.end = end;
          if (tx.mapper !== null) tx.mapper.segment({ elements: els, line });
        }
      }
    }

    const endLine = lines.at(restartAt >= 0 ? restartAt : len);
    if (tx !== null) closeTransaction(null, endLine);
    if (group !== null) closeGroup(null, endLine);
    if (!interchangeClosed) {
      fileError(
        endLine,
        "IEA",
        null,
        `interchange ${(interchange.elements[13] ?? "").trim()} (ISA on line ${interchange.line}) ends without an IEA trailer`,
        "IEA",
        "",
      );
    }
    if (restartAt < 0) break;
    pos = restartAt;
  }
  return format;
}

/** Counts are numeric elements: "0025" is 25. */
function sameCount(declared: string, actual: number): boolean {
  return /^\d+$/.test(declared) && Number(declared) === actual;
}

function startsIsa(text: string, pos: number): boolean {
  return text.startsWith("ISA", pos) && pos + 3 < text.length && !isAlnum(text.charCodeAt(pos + 3)) && !isLayout(text.charCodeAt(pos + 3));
}

/** The next "ISA" that starts a segment (at the file start or after layout/non-alphanumerics). */
function findIsa(text: string, from: number): number {
  let i = text.indexOf("ISA", from);
  while (i >= 0) {
    if (startsIsa(text, i) && (i === 0 || !isAlnum(text.charCodeAt(i - 1)))) return i;
    i = text.indexOf("ISA", i + 1);
  }
  return -1;
}

interface IsaRead {
  elements: string[];
  separators: X12Separators;
  /** Offset just after the ISA's segment terminator. */
  end: number;
}

/**
 * Reads an ISA at `pos`. The element separator is the 4th character; ISA16 (component
 * separator) follows the 16th element separator and the segment terminator follows ISA16.
 * Counting separators rather than trusting fixed columns lets a mis-padded ISA still read;
 * its widths are then reported as a warning.
 */
function readIsa(text: string, pos: number, line: number, fileCtx: { fileName: string; issues: ParseIssue[] }): IsaRead | null {
  const sep = text[pos + 3]!;
  const unreadable = (why: string) => {
    pushIssue(
      fileCtx,
      "error",
      "x12.isa",
      line,
      "ISA",
      null,
      `the interchange header could not be read: ${why}; the interchange was skipped up to the next ISA`,
      "an ISA of 16 elements followed by a segment terminator",
      text.slice(pos, Math.min(text.length, pos + 106)),
    );
    return null;
  };
  let q = pos + 3;
  for (let n = 2; n <= 16; n++) {
    q = text.indexOf(sep, q + 1);
    if (q < 0 || q - pos > 200) return unreadable(`expected 16 elements separated by ${describeChar(sep)}, found ${n - 1}`);
  }
  const header = text.slice(pos, q + 2);
  if (header.indexOf("\n") >= 0 || header.indexOf("\r") >= 0)
    return unreadable(`expected 16 elements separated by ${describeChar(sep)} on one line, found a line break inside the ISA`);
  if (q + 2 >= text.length) return unreadable("expected a segment terminator after ISA16, found the end of the file");
  const component = text[q + 1]!;
  const terminator = text[q + 2]!;
  if (isAlnum(component.charCodeAt(0)) || component === sep)
    return unreadable(`expected ISA16 to be a component separator, found ${describeChar(component)}`);
  if (isAlnum(terminator.charCodeAt(0)) || terminator === sep || terminator === component) {
    return unreadable(`expected a segment terminator after ISA16, found ${describeChar(terminator)}`);
  }
  const elements = header.split(sep);
  const version = (elements[12] ?? "").trim();
  const isa11 = elements[11] ?? "";
  const repetition =
    version >= "00501" &&
    isa11.length === 1 &&
    !isAlnum(isa11.charCodeAt(0)) &&
    isa11 !== sep &&
    isa11 !== component &&
    isa11 !== terminator
      ? isa11
      : null;
  if (version >= "00501" && isa11 === component) {
    pushIssue(
      fileCtx,
      "warning",
      "x12.isa-separators",
      line,
      "ISA",
      "ISA11",
      `the repetition separator (ISA11) and the component separator (ISA16) are both ${describeChar(component)}; read ${describeChar(component)} as the component separator only`,
      "two different characters",
      isa11,
    );
  }
  for (let i = 1; i <= 16; i++) {
    const v = elements[i] ?? "";
    if (v.length !== ISA_WIDTHS[i]) {
      pushIssue(
        fileCtx,
        "warning",
        "x12.isa-width",
        line,
        "ISA",
        `ISA${i < 10 ? "0" : ""}${i}`,
        `expected ${ISA_WIDTHS[i]} characters (the ISA is fixed width, 106 characters), found ${v.length} ("${v}"); the separators were still read from the element count`,
        `${ISA_WIDTHS[i]} characters`,
        v,
      );
    }
  }
  return { elements, separators: { element: sep, component, repetition, segment: terminator }, end: q + 3 };
}
