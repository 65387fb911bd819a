/**
 * CSV and XLSX extracts → canonical records through a column-mapping profile.
 *
 * Each data row is one RawUnit: kind "csv-row" (text = the exact source record, multi-line
 * quoted fields included, line = its first physical line) or "xlsx-row" (text = a JSON
 * array of the row's cell values, line = the sheet row number). controlId is
 * `${recordType}:${key}` for record types with an immutable natural key (fieldCatalog.ts
 * NATURAL_KEYS), else null.
 *
 * Without a profile that fits the header row, the file yields no units and one file-level
 * error "no mapping profile for this layout (headers: …)": the "needs mapping" state the
 * import wizard resolves. Blank lines are skipped (they are not records).
 */
import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { decodeText } from "../decode";
import type { MappingProfile } from "../../src-shared/mapping";
import type { ParseIssue, ParseResult, RawUnit, SourceFormat } from "../../src-shared/model";
import { BUILTIN_PROFILES } from "./builtinProfiles";
import { type CsvRow, CsvRowReader, isBlankRow } from "./csvReader";
import { matchProfile } from "./profiles";
import { type CompiledProfile, compileProfile, mapRow, type TabularProfile } from "./rowMapping";
import { readWorkbookSafely } from "./xlsxSafe";

export interface ParseTabularOptions {
  fileName: string;
  /** The profile to use. Without it, `profiles` (then the built-in ones) are matched on the headers. */
  profile?: MappingProfile;
  /** Saved profiles to match against the header row, before the built-in ones. */
  profiles?: readonly MappingProfile[];
  /** Set false to leave the built-in profiles out of matching. */
  builtinProfiles?: boolean;
  /** XLSX: the sheet to read (default: the first). */
  sheet?: string;
}

function isWorkbookBytes(input: Uint8Array): boolean {
  return input.length >= 4 && input[0] === 0x50 && input[1] === 0x4b && input[2] === 0x03 && input[3] === 0x04;
}

function fileIssue(file: string, code: string, message: string, extra: Partial<ParseIssue> = {}): ParseIssue {
  return { code, severity: "error", message, where: { file }, ...extra };
}

function chooseProfile(headers: string[], opts: ParseTabularOptions): TabularProfile | null {
  if (opts.profile) return opts.profile;
  const candidates: TabularProfile[] = [...(opts.profiles ?? []), ...(opts.builtinProfiles === false ? [] : BUILTIN_PROFILES)];
  return matchProfile(headers, candidates);
}

function noProfileIssue(file: string, headers: string[]): ParseIssue {
  return fileIssue(
    file,
    "tabular-no-profile",
    `${file}: no mapping profile for this layout (headers: ${headers.join(", ")}); map it in the import wizard`,
    {
      where: { file, line: 1 },
      expected: "a saved mapping profile whose headers match",
      found: headers.join(", "),
    },
  );
}

/** Turns data rows into units against a compiled profile; shared by the whole-file and streaming paths. */
export class RowUnitBuilder {
  constructor(
    private readonly cp: CompiledProfile,
    private readonly file: string,
    private readonly kind: "csv-row" | "xlsx-row",
    private readonly width: number,
  ) {}

  build(cells: string[], text: string, line: number, parserErrors: string[] = []): RawUnit {
    const issues: ParseIssue[] = [];
    for (const e of parserErrors) {
      issues.push({
        code: "tabular-malformed-row",
        severity: "error",
        message: `${this.file} line ${line}: ${e}`,
        where: { file: this.file, line, segment: String(line) },
      });
    }
    if (cells.length !== this.width && !(cells.length > this.width && cells.slice(this.width).every((c) => c === ""))) {
      issues.push({
        code: "tabular-field-count",
        severity: "error",
        message: `${this.file} line ${line}: expected ${this.width} fields (as in the header row), found ${cells.length}`,
        where: { file: this.file, line, segment: String(line) },
        expected: `${this.width} fields`,
        found: `${cells.length} fields`,
      });
    }
    if (issues.length > 0) return { kind: this.kind, controlId: null, text, line, records: [], issues };
    const mapped = mapRow(this.cp, cells, this.file, line);
    return { kind: this.kind, controlId: mapped.controlId, text, line, records: mapped.records, issues: mapped.issues };
  }
}

/**
 * Parses a whole CSV (text or bytes) or XLSX (bytes) file.
 */
export function parseTabular(input: Uint8Array | string, opts: ParseTabularOptions): ParseResult {
  const file = opts.fileName;
  if (typeof input !== "string" && isWorkbookBytes(input)) return parseWorkbook(input, opts);
  const text = typeof input === "string" ? input : decodeText(input).text;
  const format: SourceFormat = "csv";
  const reader = new CsvRowReader();
  const rows = [...reader.push(text), ...reader.end()];
  const issues: ParseIssue[] = [];
  const units: RawUnit[] = [];
  let builder: RowUnitBuilder | null = null;
  let headers: string[] | null = null;
  for (const row of rows) {
    if (isBlankRow(row)) continue;
    if (!headers) {
      headers = row.cells;
      const profile = chooseProfile(headers, opts);
      if (!profile) {
        issues.push(noProfileIssue(file, headers));
        return { format, units: [], issues };
      }
      const cp = compileProfile(profile, headers, file);
      issues.push(...cp.issues);
      builder = new RowUnitBuilder(cp, file, "csv-row", headers.length);
      continue;
    }
    units.push(builder!.build(row.cells, row.text, row.line, row.errors));
  }
  if (!headers) issues.push(fileIssue(file, "tabular-empty", `${file}: the file has no header row (it is empty)`));
  return { format, units, issues };
}

function parseWorkbook(bytes: Uint8Array, opts: ParseTabularOptions): ParseResult {
  const file = opts.fileName;
  const format: SourceFormat = "xlsx";
  const wb = readWorkbookSafely(bytes, opts.sheet !== undefined ? { sheet: opts.sheet } : {});
  if (!wb.ok) {
    return {
      format,
      units: [],
      issues: [
        fileIssue(file, "xlsx-unreadable", `${file}: ${wb.reason}`, {
          ...(wb.expected ? { expected: wb.expected } : {}),
          ...(wb.found ? { found: wb.found } : {}),
        }),
      ],
    };
  }
  const issues: ParseIssue[] = [];
  if (wb.truncated)
    issues.push(
      fileIssue(file, "xlsx-too-many-rows", `${file}: sheet "${wb.sheet}" has more rows than Excel's limit; the rest were not read`),
    );
  const units: RawUnit[] = [];
  const headerIdx = wb.rows.findIndex((r) => r.some((c) => c.trim() !== ""));
  if (headerIdx < 0) {
    issues.push(fileIssue(file, "tabular-empty", `${file}: sheet "${wb.sheet}" is empty`));
    return { format, units, issues };
  }
  const headers = trimTrailingEmpty(wb.rows[headerIdx]!);
  const profile = chooseProfile(headers, opts);
  if (!profile) return { format, units, issues: [...issues, noProfileIssue(file, headers)] };
  const cp = compileProfile(profile, headers, file);
  issues.push(...cp.issues);
  const builder = new RowUnitBuilder(cp, file, "xlsx-row", headers.length);
  for (let r = headerIdx + 1; r < wb.rows.length; r++) {
    const cells = wb.rows[r]!;
    if (cells.every((c) => c.trim() === "")) continue;
    const trimmed =
      cells.length > headers.length && cells.slice(headers.length).every((c) => c === "") ? cells.slice(0, headers.length) : cells;
    units.push(builder.build(trimmed, JSON.stringify(trimmed), r + 1));
  }
  return { format, units, issues };
}

function trimTrailingEmpty(cells: string[]): string[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1]!.trim() === "") end--;
  return cells.slice(0, end);
}

export interface StreamSummary {
  format: SourceFormat;
  /** File-level issues (no profile, profile problems). */
  issues: ParseIssue[];
  units: number;
  rows: number;
}

/**
 * Streams a CSV file from disk in chunks and hands units to `onUnits` in batches; memory
 * stays bounded by the chunk and batch size (plus one record). `onUnits` may return a
 * promise: reading pauses until it settles, so a slow database write applies
 * back-pressure instead of buffering the file. XLSX cannot be streamed (the format is a
 * zip); pass its bytes to parseTabular.
 */
export async function parseTabularStream(
  filePath: string,
  opts: Omit<ParseTabularOptions, "sheet" | "fileName"> & { fileName?: string },
  onUnits: (units: RawUnit[]) => void | Promise<void>,
  batchSize = 5000,
): Promise<StreamSummary> {
  const file = opts.fileName ?? basename(filePath);
  const summary: StreamSummary = { format: "csv", issues: [], units: 0, rows: 0 };
  // TextDecoder in stream mode keeps a multi-byte character split across chunks intact.
  const decoder = new TextDecoder("utf-8");
  const reader = new CsvRowReader();
  let builder: RowUnitBuilder | null = null;
  let headers: string[] | null = null;
  let stopped = false;
  let batch: RawUnit[] = [];
  let first = true;

  const take = (rows: CsvRow[]) => {
    for (const row of rows) {
      if (stopped) return;
      if (isBlankRow(row)) continue;
      if (!headers) {
        headers = row.cells;
        const profile = chooseProfile(headers, { ...opts, fileName: file });
        if (!profile) {
          summary.issues.push(noProfileIssue(file, headers));
          stopped = true;
          return;
        }
        const cp = compileProfile(profile, headers, file);
        summary.issues.push(...cp.issues);
        builder = new RowUnitBuilder(cp, file, "csv-row", headers.length);
        continue;
      }
      summary.rows++;
      batch.push(builder!.build(row.cells, row.text, row.line, row.errors));
    }
  };
  const drain = async (force: boolean) => {
    while (batch.length >= batchSize || (force && batch.length > 0)) {
      const out = batch.slice(0, batchSize);
      batch = batch.slice(out.length);
      summary.units += out.length;
      await onUnits(out);
    }
  };

  const stream = createReadStream(filePath, { highWaterMark: 256 * 1024 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let bytes: Uint8Array = chunk;
    if (first) {
      first = false;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
      else if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
        stream.destroy();
        summary.issues.push(fileIssue(file, "tabular-encoding", `${file}: UTF-16 text cannot be streamed; import it whole`));
        return summary;
      }
    }
    take(reader.push(decoder.decode(bytes, { stream: true })));
    if (stopped) {
      stream.destroy();
      break;
    }
    await drain(false);
  }
  if (!stopped) {
    take(reader.push(decoder.decode()));
    take(reader.end());
  }
  await drain(true);
  if (!headers && !stopped) summary.issues.push(fileIssue(file, "tabular-empty", `${file}: the file has no header row (it is empty)`));
  return summary;
}

export interface TabularPreview {
  headers: string[];
  /** The first 20 data rows. */
  rows: string[][];
  /** XLSX: every sheet's name. */
  sheets?: string[];
  /** CSV: the delimiter found; XLSX: null. */
  delimiter: string | null;
  /** Set when the file cannot be read at all (e.g. a workbook refused by xlsxSafe); the rest is empty. */
  error?: string;
  /** Data rows: exact for XLSX and for CSV up to 256 KiB; for bigger CSV, line breaks − 1. */
  rowCountEstimate: number;
}

/** What the import wizard shows before mapping: headers, a few rows, sheets, delimiter. */
export function previewTabular(input: Uint8Array | string, opts: { fileName: string; sheet?: string }): TabularPreview {
  if (typeof input !== "string" && isWorkbookBytes(input)) {
    const wb = readWorkbookSafely(input, opts.sheet !== undefined ? { sheet: opts.sheet } : {});
    if (!wb.ok) return { headers: [], rows: [], delimiter: null, rowCountEstimate: 0, error: `${opts.fileName}: ${wb.reason}` };
    const headerIdx = wb.rows.findIndex((r) => r.some((c) => c.trim() !== ""));
    const headers = headerIdx >= 0 ? trimTrailingEmpty(wb.rows[headerIdx]!) : [];
    const data = headerIdx >= 0 ? wb.rows.slice(headerIdx + 1).filter((r) => r.some((c) => c.trim() !== "")) : [];
    return {
      headers,
      rows: data.slice(0, 20).map((r) => r.slice(0, Math.max(headers.length, trimTrailingEmpty(r).length))),
      sheets: wb.sheetNames,
      delimiter: null,
      rowCountEstimate: data.length,
    };
  }
  const text = typeof input === "string" ? input : decodeText(input).text;
  const reader = new CsvRowReader();
  // Parse only the head; count line breaks in the rest for the estimate.
  const head = text.slice(0, 256 * 1024);
  const rows = [...reader.push(head), ...(head.length === text.length ? reader.end() : [])].filter((r) => !isBlankRow(r));
  const headers = rows[0]?.cells ?? [];
  const nl = reader.newline ?? "\n";
  let lines = 0;
  for (let k = text.indexOf(nl); k !== -1; k = text.indexOf(nl, k + nl.length)) lines++;
  if (!text.endsWith(nl) && text.length > 0) lines++;
  return {
    headers,
    rows: rows.slice(1, 21).map((r) => r.cells),
    delimiter: reader.delimiter ?? ",",
    rowCountEstimate: Math.max(0, head.length === text.length ? rows.length - 1 : lines - 1),
  };
}
