/**
 * Files too big to hold as one string (V8 caps a string at ~536M characters; an HL7 batch
 * file at benchmark scale is over 1 GB) or whose whole parse result would take many GB:
 * read as a stream and cut into pieces at safe boundaries, each piece parsed by the same
 * pure parser as a whole file and loaded before the next is read.
 *
 * - CSV: rows from the same CsvRowReader parseTabular uses, mapped by the same profile
 *   code (rowMapping.ts), in batches. (parseTabularStream does the same but is async;
 *   ingestFile and its callers are synchronous.)
 * - HL7 v2: cut at lines starting with BHS when the file has batches, else at MSH lines;
 *   parseHl7's `lineOffset` keeps line numbers those of the file. Envelope checks that a
 *   cut makes meaningless (an FHS whose FTS is in a later piece, FTS-1 over a piece) are
 *   dropped and FTS-1 is re-checked over the whole stream. Envelope issues are file-level:
 *   they never quarantine a message.
 * - X12: cut just before an ISA that follows an IEA; an interchange is never split.
 * - BAI2, FHIR (a JSON Bundle or NDJSON), XLSX and UTF-16 text: read whole when they fit
 *   in a string (big ones are rare; a Bundle and a zip cannot be cut as text). NDJSON
 *   could be cut at line boundaries; not done yet.
 * - Anything else too big, or a file that yields no unit: its first ARCHIVE_HEAD_BYTES are
 *   archived, quarantined, with an issue saying so; the whole file stays at its path and
 *   its SHA-256 is recorded on source_file.
 */
import { basename } from "node:path";
import type { FileIngestSummary } from "../../../src-shared/api";
import type { ParseIssue, RawUnit, SourceFormat } from "../../../src-shared/model";
import { detectFormat } from "../../../connectors/detect";
import { parseHl7 } from "../../../connectors/hl7v2/parseHl7";
import { BUILTIN_PROFILES } from "../../../connectors/tabular/builtinProfiles";
import { type CsvRow, CsvRowReader, isBlankRow } from "../../../connectors/tabular/csvReader";
import { parseTabular } from "../../../connectors/tabular/parseTabular";
import { matchProfile } from "../../../connectors/tabular/profiles";
import { compileProfile, type TabularProfile } from "../../../connectors/tabular/rowMapping";
import { RowUnitBuilder } from "../../../connectors/tabular/parseTabular";
import { parseX12 } from "../../../connectors/x12/parseX12";
import type { Store } from "../store/store";
import { CHUNK_BYTES, readHead, readTextChunks, scanFile, type FileScan } from "./fileChunks";
import { FileImport, fileIssue, findPreviousImport, IngestCancelled, MAX_BATCH_UNITS, wholeFileUnit } from "./fileImport";
import { ingestWholeFile, type IngestOptions } from "./ingestFile";
import { countOf, hl7LineBreaks, lastHl7LineStart, lastIsaAfterIea, x12LineBreak } from "./pieceCutters";
import { loadProfiles } from "./profiles";

/** Characters per piece: tens of MB of text, a few hundred MB of parsed units at most. */
export const PIECE_CHARS = 16 * 1024 * 1024;
/** A piece with no safe cut grows to this before giving up (HL7: cut at MSH inside a batch). */
const MAX_PIECE_CHARS = 256 * 1024 * 1024;
/** The biggest text read whole (BAI2, FHIR, UTF-16): well under V8's string limit. */
export const WHOLE_FILE_MAX_CHARS = 400 * 1024 * 1024;
/** What is archived of a big file that yields no unit. */
export const ARCHIVE_HEAD_BYTES = 16 * 1024 * 1024;

const STREAMED: ReadonlySet<SourceFormat> = new Set<SourceFormat>(["csv", "hl7v2", "x12-835", "x12-837"]);

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

function decodeHead(path: string, scan: FileScan, bytes: number): string {
  const head = readHead(path, bytes).subarray(scan.skipBytes);
  // A multi-byte character cut at the end is dropped, not shown as U+FFFD.
  return new TextDecoder(scan.encoding).decode(head, { stream: true });
}

export function ingestLargeFile(store: Store, path: string, size: number, options: IngestOptions): FileIngestSummary {
  const fileName = basename(path);
  const scan = scanFile(path);
  const { duplicate, previousId } = findPreviousImport(store, path, scan.sha256);
  if (duplicate) return duplicate;

  const headBytes = readHead(path, 8);
  const wide = scan.encoding === "utf-16le" || scan.encoding === "utf-16be";
  const head = wide ? "" : decodeHead(path, scan, 1024 * 1024);
  const detected = wide
    ? detectFormat(fileName, new TextDecoder(scan.encoding).decode(readHead(path, 8192).subarray(scan.skipBytes)).slice(0, 4096), headBytes)
    : detectFormat(fileName, head.slice(0, 4096), headBytes);
  const chars = wide ? size / 2 : size;

  if (detected.format && (!STREAMED.has(detected.format) || wide) && chars <= WHOLE_FILE_MAX_CHARS) {
    return ingestWholeFile(store, path, options);
  }

  const job = new FileImport(store, path, fileName, scan.sha256, detected.format, size, previousId, options);
  const chunkBytes = options.streamChunkBytes ?? CHUNK_BYTES;
  const issues = job.summary.issues;
  if (scan.note) issues.push({ code: "ENCODING", severity: "warning", message: `${fileName}: ${scan.note}`, where: { file: fileName } });
  let unitsSeen = 0;
  const load = (units: RawUnit[], bytesRead: number) => {
    if (options.isCancelled?.()) throw new IngestCancelled();
    unitsSeen += units.length;
    job.loadUnits(units);
    options.onProgress?.({ file: fileName, done: bytesRead, total: size });
  };
  const archiveHead = () => {
    const kept = Math.min(size, options.archiveHeadBytes ?? ARCHIVE_HEAD_BYTES);
    const text = wide ? new TextDecoder(scan.encoding).decode(readHead(path, kept).subarray(scan.skipBytes)) : decodeHead(path, scan, kept);
    const unit = wholeFileUnit(fileName, text, issues);
    if (kept < size) {
      unit.issues.push({
        code: "ARCHIVED_HEAD",
        severity: "warning",
        message: `${fileName}: the file is ${size} bytes; this record keeps only its first ${mib(kept)}. The whole file was not copied into the archive: it stays at ${path} (SHA-256 ${scan.sha256}).`,
        where: { file: fileName },
      });
    }
    job.loadUnits([unit]);
    options.onProgress?.({ file: fileName, done: size, total: size });
  };

  return job.run(() => {
    if (!detected.format) {
      issues.push(fileIssue(fileName, "UNKNOWN_FORMAT", `${fileName}: not a format Tieout reads (${detected.reason})`));
    } else if (!STREAMED.has(detected.format) || wide) {
      issues.push(
        fileIssue(
          fileName,
          "TOO_LARGE",
          `${fileName}: ${detected.format}${wide ? ` in ${scan.encoding.toUpperCase()}` : ""} is read whole, and ${size} bytes is more than fits in memory at once (limit ${mib(WHOLE_FILE_MAX_CHARS)} of text); ${wide ? "convert it to UTF-8 or " : ""}split it into smaller files`,
        ),
      );
    } else if (detected.format === "csv") {
      const profiles: TabularProfile[] = [...loadProfiles(store), ...(options.profiles ?? [])];
      job.setHeaderLine(head.split(/\r\n|\r|\n/).find((l) => l.trim() !== "") ?? null);
      streamCsv(path, scan, fileName, profiles, options.batchSize ?? MAX_BATCH_UNITS, chunkBytes, issues, load);
    } else if (detected.format === "hl7v2") {
      streamHl7(path, scan, fileName, options.pieceChars ?? PIECE_CHARS, chunkBytes, issues, load);
    } else {
      streamX12(path, scan, fileName, options.pieceChars ?? PIECE_CHARS, chunkBytes, issues, load);
    }
    if (unitsSeen === 0) archiveHead();
  });
}

type LoadUnits = (units: RawUnit[], bytesRead: number) => void;

/**
 * A parser must not throw on bad input; if one does on a piece, the piece is kept whole,
 * quarantined with the reason, and the rest of the file goes on.
 */
function parsePiece(
  parse: () => { units: RawUnit[]; issues: ParseIssue[] },
  piece: string,
  fileName: string,
  format: string,
  line: number,
): { units: RawUnit[]; issues: ParseIssue[] } {
  try {
    return parse();
  } catch (error) {
    const issue: ParseIssue = {
      code: "PARSER_FAILED",
      severity: "error",
      message: `${fileName} line ${line}: the ${format} reader failed on the part of the file starting here: ${(error as Error).message}`,
      where: { file: fileName, line },
    };
    return { units: [{ kind: "file", controlId: null, text: piece, line, records: [], issues: [issue] }], issues: [] };
  }
}

function streamCsv(
  path: string,
  scan: FileScan,
  fileName: string,
  profiles: TabularProfile[],
  batchSize: number,
  chunkBytes: number,
  issues: ParseIssue[],
  load: LoadUnits,
): void {
  const reader = new CsvRowReader();
  let mapping: { builder: RowUnitBuilder } | null = null;
  let headerSeen = false;
  let stopped = false;
  let batch: RawUnit[] = [];
  const take = (rows: CsvRow[]) => {
    for (const row of rows) {
      if (stopped) return;
      if (isBlankRow(row)) continue;
      if (!headerSeen) {
        headerSeen = true;
        // The file-level issues (no profile; a profile that does not fit) exactly as
        // parseTabular words them: it reads the header row alone.
        issues.push(...parseTabular(row.text, { fileName, profiles }).issues);
        const profile = matchProfile(row.cells, [...profiles, ...BUILTIN_PROFILES]);
        if (!profile) {
          stopped = true;
          return;
        }
        mapping = { builder: new RowUnitBuilder(compileProfile(profile, row.cells, fileName), fileName, "csv-row", row.cells.length) };
        continue;
      }
      batch.push(mapping!.builder.build(row.cells, row.text, row.line, row.errors));
    }
  };
  let bytesRead = 0;
  try {
    readTextChunks(
      path,
      scan,
      (text, read) => {
        bytesRead = read;
        take(reader.push(text));
        if (stopped) throw STOP;
        if (batch.length >= batchSize) {
          const out = batch;
          batch = [];
          load(out, bytesRead);
        }
      },
      chunkBytes,
    );
  } catch (error) {
    if (error !== STOP) throw error;
  }
  if (!stopped) take(reader.end());
  if (batch.length > 0) load(batch, bytesRead);
  if (!headerSeen) issues.push(fileIssue(fileName, "tabular-empty", `${fileName}: the file has no header row (it is empty)`));
}

const STOP = new Error("stop reading");

/**
 * Cuts the decoded text into pieces of about `pieceChars`: `cutAt(buffer, before)` names
 * the last safe offset before `before` (-1: none). When there is none within `pieceChars`
 * the piece runs to the last one in the buffer, or waits for more text. Calls `onPiece`
 * with each piece and whether it is the last.
 */
function streamPieces(
  path: string,
  scan: FileScan,
  pieceChars: number,
  chunkBytes: number,
  cutAt: (buffer: string, before: number) => number,
  onPiece: (piece: string, bytesRead: number, last: boolean) => void,
): void {
  let buffer = "";
  let bytesRead = 0;
  readTextChunks(
    path,
    scan,
    (text, read) => {
      bytesRead = read;
      buffer += text;
      while (buffer.length >= pieceChars) {
        let cut = cutAt(buffer, pieceChars);
        if (cut <= 0) cut = cutAt(buffer, buffer.length);
        if (cut <= 0) return;
        const piece = buffer.slice(0, cut);
        buffer = buffer.slice(cut);
        onPiece(piece, bytesRead, false);
      }
    },
    chunkBytes,
  );
  onPiece(buffer, bytesRead, true);
}

/** Envelope issues a cut creates: the piece saw only part of the file or batch. */
function cutArtifact(issue: ParseIssue, first: boolean, last: boolean, startsMidBatch: boolean): boolean {
  const segment = issue.where.segment;
  switch (issue.code) {
    case "HL7-ENVELOPE-UNCLOSED":
      return !last && issue.found === "end of file";
    case "HL7-ENVELOPE-UNOPENED":
      return (segment === "FTS" && !first) || (segment === "BTS" && startsMidBatch);
    case "HL7-ENVELOPE-COUNT":
      return (segment === "FTS-1" && !first) || (segment === "BTS-1" && startsMidBatch);
    case "HL7-EMPTY":
      return !(first && last);
    default:
      return false;
  }
}

function streamHl7(
  path: string,
  scan: FileScan,
  fileName: string,
  pieceChars: number,
  chunkBytes: number,
  issues: ParseIssue[],
  load: LoadUnits,
): void {
  let hasBatches: boolean | null = null;
  let lineOffset = 0;
  let first = true;
  let startsMidBatch = false;
  let nextStartsMidBatch = false;
  // FTS-1 over the whole stream: batches (BHS lines) since the last FHS.
  let batchesSinceFhs = 0;
  const envelope = /(^|\r\n|\r|\n)(FHS|BHS|FTS)\|([^|\r\n]*)/g;
  const cutAt = (buffer: string, before: number): number => {
    hasBatches ??= lastHl7LineStart(buffer, "BHS") > 0 || buffer.startsWith("BHS");
    if (hasBatches) {
      const bhs = lastHl7LineStart(buffer, "BHS", before);
      if (bhs > 0) return bhs;
      if (buffer.length < MAX_PIECE_CHARS || before < buffer.length) return -1;
    }
    const msh = lastHl7LineStart(buffer, "MSH", before);
    if (hasBatches && msh > 0) nextStartsMidBatch = true;
    return msh;
  };
  streamPieces(path, scan, pieceChars, chunkBytes, cutAt, (piece, bytesRead, last) => {
    const result = parsePiece(() => parseHl7(piece, { fileName, lineOffset }), piece, fileName, "hl7v2", lineOffset + 1);
    for (const issue of result.issues) if (!cutArtifact(issue, first, last, startsMidBatch)) issues.push(issue);
    if (startsMidBatch) {
      issues.push({
        code: "HL7-BATCH-SPLIT",
        severity: "warning",
        message: `${fileName} line ${lineOffset + 1}: a batch bigger than ${mib(MAX_PIECE_CHARS)} was read in pieces, cut before this message; its BTS-1 message count was not checked`,
        where: { file: fileName, line: lineOffset + 1 },
      });
    }
    for (const m of piece.matchAll(envelope)) {
      const id = m[2]!;
      if (id === "FHS") batchesSinceFhs = 0;
      else if (id === "BHS") batchesSinceFhs++;
      else {
        // FTS: parseHl7 checked FTS-1 when its FHS was in the same (first) piece.
        const declared = m[3]!;
        if (!first && batchesSinceFhs > 0 && /^\d+$/.test(declared) && Number(declared) !== batchesSinceFhs) {
          const line = lineOffset + hl7LineBreaks(piece.slice(0, m.index + m[1]!.length)) + 1;
          issues.push({
            code: "HL7-ENVELOPE-COUNT",
            severity: "error",
            message: `${fileName} line ${line}, FTS-1: expected ${batchesSinceFhs} (batches in the file), found "${declared}": messages may be missing or extra`,
            where: { file: fileName, line, segment: "FTS-1" },
            expected: String(batchesSinceFhs),
            found: declared,
          });
        }
        batchesSinceFhs = 0;
      }
    }
    lineOffset += hl7LineBreaks(piece);
    first = false;
    startsMidBatch = nextStartsMidBatch;
    nextStartsMidBatch = false;
    load(result.units, bytesRead);
  });
}

function streamX12(
  path: string,
  scan: FileScan,
  fileName: string,
  pieceChars: number,
  chunkBytes: number,
  issues: ParseIssue[],
  load: LoadUnits,
): void {
  let lineOffset = 0;
  let lineBreak: string | null = null;
  let tooBig = false;
  const cutAt = (buffer: string, before: number): number => {
    const cut = lastIsaAfterIea(buffer, before);
    if (cut < 0 && before === buffer.length && buffer.length >= MAX_PIECE_CHARS && !tooBig) {
      tooBig = true;
      issues.push(
        fileIssue(
          fileName,
          "x12.interchange-too-large",
          `${fileName} line ${lineOffset + 1}: an interchange (ISA…IEA) larger than ${mib(MAX_PIECE_CHARS)} of text; it is read whole, which may exhaust memory`,
        ),
      );
    }
    return cut;
  };
  streamPieces(path, scan, pieceChars, chunkBytes, cutAt, (piece, bytesRead) => {
    lineBreak ??= x12LineBreak(piece);
    // A piece of layout only (the file's trailing line breaks) holds nothing to read.
    if (piece.trim() !== "" || lineOffset === 0) {
      const result = parsePiece(() => parseX12(piece, { fileName, lineOffset }), piece, fileName, "X12", lineOffset + 1);
      issues.push(...result.issues);
      load(result.units, bytesRead);
    }
    lineOffset += countOf(piece, lineBreak);
  });
}
