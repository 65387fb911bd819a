import type ExcelJS from "exceljs";

/** Excel's row limit (Office specifications: 1,048,576 rows by 16,384 columns). */
export const EXCEL_MAX_ROWS = 1_048_576;
/** Excel's limit on the characters in one cell. */
export const EXCEL_MAX_CELL_CHARS = 32_767;

export const MONEY_FORMAT = "#,##0.00;[Red]-#,##0.00";
export const DATE_FORMAT = "yyyy-mm-dd";
export const TEXT_FORMAT = "@";
export const HEADER_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FF1F3A5F" } };
export const HEADER_FONT: Partial<ExcelJS.Font> = { bold: true, color: { argb: "FFFFFFFF" } };

export type ColumnKind = "text" | "money" | "date" | "integer" | "patientId";

export interface DetailColumn<T> {
  header: string;
  kind: ColumnKind;
  value: (row: T) => string | number | null;
  /** Widest this column may grow to, in characters. */
  maxWidth?: number;
}

/** Money travels as integer cents; a cell holds currency units. Division by 100 is exact to the cent at 15 digits. */
export const centsToCell = (cents: number) => cents / 100;

/** Shows the last four characters of a patient identifier, e.g. "******4821". */
export function maskIdentifier(value: string): string {
  if (value.length <= 4) return "****";
  return "*".repeat(Math.min(6, value.length - 4)) + value.slice(-4);
}

/**
 * Text from source data becomes a string cell with the text number format, never a formula:
 * a value such as `=HYPERLINK(...)`, `+1`, `-2` or `@SUM(...)` stays the characters it was
 * (OWASP "CSV injection"; in OOXML a string cell is never evaluated). Over-long text is cut
 * to Excel's cell limit and says so.
 */
export function textCell(value: string): string {
  if (value.length <= EXCEL_MAX_CELL_CHARS) return value;
  const marker = " …(truncated)";
  return value.slice(0, EXCEL_MAX_CELL_CHARS - marker.length) + marker;
}

/** Calendar date YYYY-MM-DD (or an ISO instant) to a UTC Date, which exceljs writes as an Excel serial. */
export function dateCell(value: string | null): Date | string | null {
  if (!value) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!match) return textCell(value);
  return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
}

export function quoteSheet(name: string): string {
  return `'${name.replace(/'/g, "''")}'`;
}

export function columnLetter(index1: number): string {
  let n = index1;
  let letters = "";
  while (n > 0) {
    const r = (n - 1) % 26;
    letters = String.fromCharCode(65 + r) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

/** Sheet names: at most 31 characters, none of : \ / ? * [ ]. */
export function sheetName(base: string, part: number): string {
  const clean = base.replace(/[:\\/?*[\]]/g, " ").slice(0, 25);
  return part === 1 ? clean : `${clean} (${part})`;
}

/** The sheets a detail table will take for a row count. */
export function plannedSheets(base: string, rows: number, maxDataRows: number): string[] {
  const parts = Math.max(1, Math.ceil(rows / maxDataRows));
  return Array.from({ length: parts }, (_, k) => sheetName(base, k + 1));
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The parts of exceljs 4.4's streaming writer we watch for backpressure (not in its typings). */
interface StreamInternals {
  stream?: { writableLength?: number };
}
interface SheetInternals {
  stream?: { pipes?: { writableLength?: number; _writableState?: { length?: number } }[] };
}

const BACKLOG_LIMIT = 8 * 1024 * 1024;

/**
 * Lets the zip and the file catch up. exceljs's sheet stream hands each committed block to
 * the archiver's entry stream without waiting for it (measured: 8.7 MB queued after 50k
 * synchronous rows), and the archiver's output waits on the disk. Waiting here until both
 * queues are short keeps a million rows from piling up in memory.
 */
async function drain(workbook: ExcelJS.stream.xlsx.WorkbookWriter, sheet: ExcelJS.Worksheet): Promise<void> {
  const file = (workbook as unknown as StreamInternals).stream;
  const pipes = (sheet as unknown as SheetInternals).stream?.pipes ?? [];
  const backlog = () =>
    (file?.writableLength ?? 0) + pipes.reduce((sum, pipe) => sum + (pipe._writableState?.length ?? pipe.writableLength ?? 0), 0);
  await tick();
  for (let waits = 0; waits < 100_000 && backlog() > BACKLOG_LIMIT; waits++) {
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
  }
}

export interface DetailWriteOptions {
  maskPatientIds: boolean;
  /** Data rows per sheet, below the header; default Excel's limit less the header row. */
  maxDataRows: number;
  /** Rows to look at before fixing column widths (a streamed sheet's widths are written before its rows). */
  widthSample?: number;
  onRows?: (done: number) => void;
  isCancelled?: () => boolean;
}

export class WorkpaperCancelled extends Error {
  constructor() {
    super("the workpaper export was cancelled");
    this.name = "WorkpaperCancelled";
  }
}

function cellValue<T>(column: DetailColumn<T>, row: T, mask: boolean): ExcelJS.CellValue {
  const raw = column.value(row);
  if (raw === null || raw === undefined) return null;
  switch (column.kind) {
    case "money":
      return typeof raw === "number" ? centsToCell(raw) : null;
    case "integer":
      return typeof raw === "number" ? raw : null;
    case "date":
      return dateCell(String(raw));
    case "patientId":
      return textCell(mask ? maskIdentifier(String(raw)) : String(raw));
    case "text":
      return textCell(String(raw));
  }
}

function displayWidth(value: ExcelJS.CellValue, kind: ColumnKind): number {
  if (value === null || value === undefined) return 0;
  if (kind === "money") return Math.abs(Number(value)).toFixed(2).length + 5;
  if (kind === "date") return 10;
  return String(value).length;
}

/**
 * Streams rows into one or more sheets: styled, frozen header, auto-filter, fitted widths,
 * split at `maxDataRows`. Rows are committed as they come so the workbook is never held.
 * Returns the sheets written and the rows in each.
 */
export async function writeDetailSheets<T>(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  base: string,
  columns: DetailColumn<T>[],
  rows: Iterable<T>,
  options: DetailWriteOptions,
): Promise<{ sheets: { name: string; rows: number }[]; rows: number }> {
  const sample = options.widthSample ?? 500;
  const iterator = rows[Symbol.iterator]();
  const buffered: ExcelJS.CellValue[][] = [];
  let exhausted = false;
  const nextValues = (): ExcelJS.CellValue[] | null => {
    const next = iterator.next();
    if (next.done) {
      exhausted = true;
      return null;
    }
    return columns.map((c) => cellValue(c, next.value, options.maskPatientIds));
  };
  while (buffered.length < sample) {
    const values = nextValues();
    if (!values) break;
    buffered.push(values);
  }
  const widths = columns.map((c, k) => {
    const widest = Math.max(c.header.length + 2, ...buffered.map((values) => displayWidth(values[k], c.kind) + 1));
    return Math.min(c.maxWidth ?? 60, Math.max(8, widest));
  });

  const sheets: { name: string; rows: number }[] = [];
  let total = 0;
  let sheet: ExcelJS.Worksheet | null = null;
  let inSheet = 0;
  const lastColumn = columnLetter(columns.length);
  const closeSheet = () => {
    if (!sheet) return;
    sheet.autoFilter = `A1:${lastColumn}${inSheet + 1}`;
    sheet.commit();
    sheets.push({ name: sheet.name, rows: inSheet });
    sheet = null;
  };
  const openSheet = () => {
    const created = workbook.addWorksheet(sheetName(base, sheets.length + 1), {
      views: [{ state: "frozen", ySplit: 1, xSplit: 0 }],
    });
    created.columns = columns.map((c, k) => ({
      width: widths[k] ?? 12,
      style: {
        numFmt: c.kind === "money" ? MONEY_FORMAT : c.kind === "date" ? DATE_FORMAT : c.kind === "integer" ? "0" : TEXT_FORMAT,
      },
    }));
    const header = created.addRow(columns.map((c) => c.header));
    header.eachCell((cell) => {
      cell.font = HEADER_FONT;
      cell.fill = HEADER_FILL;
      cell.numFmt = "General";
      cell.alignment = { vertical: "middle" };
    });
    header.commit();
    sheet = created;
    inSheet = 0;
    return created;
  };

  const write = async (values: ExcelJS.CellValue[]) => {
    if (!sheet || inSheet >= options.maxDataRows) {
      closeSheet();
      openSheet();
    }
    (sheet as unknown as ExcelJS.Worksheet).addRow(values).commit();
    inSheet++;
    total++;
    if (total % 2000 === 0) {
      if (options.isCancelled?.()) throw new WorkpaperCancelled();
      options.onRows?.(total);
      await drain(workbook, sheet as unknown as ExcelJS.Worksheet);
    }
  };

  for (const values of buffered) await write(values);
  buffered.length = 0;
  while (!exhausted) {
    const values = nextValues();
    if (!values) break;
    await write(values);
  }
  if (!sheet) openSheet(); // an empty table still gets its sheet, with headers
  closeSheet();
  options.onRows?.(total);
  return { sheets, rows: total };
}
