/**
 * Reading untrusted workbooks with SheetJS CE 0.18.5, the last version on the npm registry.
 *
 * Known advisories against it:
 * - CVE-2023-30533 (fixed in 0.19.3): prototype pollution while reading a crafted file.
 * - CVE-2024-22363 (fixed in 0.20.2): regular-expression denial of service while reading a
 *   crafted file.
 * The fixed builds are published only on SheetJS's own CDN, which this project's machines
 * cannot reach, so we could not diff them here; what follows is defence at our boundary,
 * and the real fix is to vendor xlsx ≥ 0.20.3 as a tarball dependency.
 *
 * What we do, and why:
 * 1. Size limits before the library sees anything: the file (MAX_FILE_BYTES) and the sum
 *    of the zip's declared uncompressed sizes (MAX_UNZIPPED_BYTES, read from the zip central
 *    directory ourselves; zip64 is refused). This stops zip bombs and bounds the text the
 *    library's regular expressions run over, which bounds (not removes) a ReDoS's cost.
 * 2. Only OOXML zip containers (xlsx/xlsm) are accepted. SheetJS also reads BIFF, XLSB,
 *    ODS, SYLK, DBF and HTML tables; refusing them keeps untrusted bytes out of those parsers.
 * 3. Minimal parse options: dense, one sheet (`sheets`), no formulae, HTML, number-format
 *    strings, styles, VBA, document properties or file listings, no stub cells, `sheetRows`
 *    capped. Fewer code paths run on attacker-controlled XML.
 * 4. Pollution check: the own property names of Object.prototype, Array.prototype and
 *    Function.prototype are snapshotted before the read and compared after it. Anything
 *    added is deleted again and the file is refused with an error. This detects the classic
 *    pollution of shared prototypes, not every possible corruption of the library's own
 *    objects.
 * 5. Cells leave this module as string[][]: header text never becomes an object key, so a
 *    column called "__proto__" is just a string (rows are arrays; profiles are looked up
 *    through Maps).
 *
 * Is it enough? For a desktop tool reading files the analyst chose, with parsing in the
 * ingest worker (a ReDoS stalls a worker, not the window), it is a reasonable stop-gap. It
 * is not a fix: a ReDoS still costs time within the size bound, and pollution of objects
 * other than the three prototypes would go unseen. Upgrade the library.
 */
import * as XLSX from "xlsx";

export const MAX_FILE_BYTES = 50 * 1024 * 1024;
export const MAX_UNZIPPED_BYTES = 512 * 1024 * 1024;
/** Excel's own row limit. */
export const MAX_ROWS = 1_048_576;

export type SafeWorkbook =
  | { ok: true; sheetNames: string[]; sheet: string; rows: string[][]; truncated: boolean }
  | { ok: false; reason: string; expected?: string; found?: string };

function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** Sum of declared uncompressed sizes from the zip central directory, or a reason to refuse. */
export function zipUncompressedSize(bytes: Uint8Array): { ok: true; total: number } | { ok: false; reason: string } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // End of central directory: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let k = bytes.length - 22; k >= Math.max(0, bytes.length - 65557); k--) {
    if (view.getUint32(k, true) === 0x06054b50) {
      eocd = k;
      break;
    }
  }
  if (eocd < 0) return { ok: false, reason: "not a complete zip file (no end-of-central-directory record)" };
  const entries = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (entries === 0xffff || offset === 0xffffffff) return { ok: false, reason: "zip64 workbooks are not accepted" };
  let total = 0;
  for (let e = 0; e < entries; e++) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== 0x02014b50) {
      return { ok: false, reason: "damaged zip central directory" };
    }
    const size = view.getUint32(offset + 24, true);
    if (size === 0xffffffff) return { ok: false, reason: "zip64 workbooks are not accepted" };
    total += size;
    offset += 46 + view.getUint16(offset + 28, true) + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
  }
  return { ok: true, total };
}

const WATCHED: object[] = [Object.prototype, Array.prototype, Function.prototype];

function snapshot(): string[][] {
  return WATCHED.map((p) => Reflect.ownKeys(p).map(String));
}

/** Deletes keys added to the shared prototypes since `before`; returns what was removed. */
function restore(before: string[][]): string[] {
  const added: string[] = [];
  WATCHED.forEach((proto, k) => {
    const had = new Set(before[k]);
    for (const key of Reflect.ownKeys(proto)) {
      if (!had.has(String(key))) {
        added.push(String(key));
        delete (proto as Record<string | symbol, unknown>)[key];
      }
    }
  });
  return added;
}

/**
 * Runs `read` and checks the shared prototypes afterwards (point 4 above): anything it added
 * is removed and reported as `added`.
 */
export function withPrototypeGuard<T>(read: () => T): { value: T | undefined; error: Error | null; added: string[] } {
  const before = snapshot();
  try {
    const value = read();
    return { value, error: null, added: restore(before) };
  } catch (e) {
    return { value: undefined, error: e instanceof Error ? e : new Error(String(e)), added: restore(before) };
  }
}

function cellText(cell: XLSX.CellObject | undefined): string {
  if (!cell || cell.v === undefined || cell.v === null) return "";
  const v = cell.v;
  if (v instanceof Date) {
    // SheetJS 0.18 builds dates in local time from the serial number: read them back the same way.
    const p = (x: number) => String(x).padStart(2, "0");
    const date = `${v.getFullYear()}-${p(v.getMonth() + 1)}-${p(v.getDate())}`;
    const hasTime = v.getHours() || v.getMinutes() || v.getSeconds();
    return hasTime ? `${date}T${p(v.getHours())}:${p(v.getMinutes())}:${p(v.getSeconds())}` : date;
  }
  if (typeof v === "number") {
    // Excel keeps 15 significant digits; 0.1+0.2 typed in a cell is stored as 0.30000000000000004.
    // Rendering at 15 digits gives what Excel shows, without inventing or dropping a cent.
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(15)));
  }
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  return String(v);
}

export interface ReadOptions {
  sheet?: string;
  /** Stop after this many rows (preview). */
  maxRows?: number;
  /** Only list the sheet names. */
  namesOnly?: boolean;
}

export function readWorkbookSafely(bytes: Uint8Array, opts: ReadOptions = {}): SafeWorkbook {
  if (bytes.length > MAX_FILE_BYTES) {
    return {
      ok: false,
      reason: `workbook is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`,
      expected: `at most ${MAX_FILE_BYTES} bytes`,
      found: `${bytes.length} bytes`,
    };
  }
  if (!isZip(bytes)) {
    return {
      ok: false,
      reason: "not an .xlsx/.xlsm workbook (only Office Open XML zip files are read)",
      expected: "a zip container (PK)",
      found: Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" "),
    };
  }
  const size = zipUncompressedSize(bytes);
  if (!size.ok) return { ok: false, reason: size.reason };
  if (size.total > MAX_UNZIPPED_BYTES) {
    return {
      ok: false,
      reason: `workbook unpacks to ${size.total} bytes, over the ${MAX_UNZIPPED_BYTES}-byte limit`,
      expected: `at most ${MAX_UNZIPPED_BYTES} bytes unpacked`,
      found: `${size.total} bytes`,
    };
  }
  const base: XLSX.ParsingOptions = {
    type: "buffer",
    dense: true,
    cellFormula: false,
    cellHTML: false,
    cellNF: false,
    cellStyles: false,
    cellText: false,
    cellDates: true,
    bookVBA: false,
    bookFiles: false,
    bookDeps: false,
    bookProps: false,
    sheetStubs: false,
    WTF: false,
  };
  const before = snapshot();
  let names: string[];
  let ws: XLSX.WorkSheet | undefined;
  let sheet = "";
  const rowsLimit = Math.min(opts.maxRows ?? MAX_ROWS, MAX_ROWS);
  try {
    const listing = XLSX.read(bytes, { ...base, bookSheets: true });
    names = [...listing.SheetNames];
    if (opts.namesOnly) {
      const added = restore(before);
      if (added.length) return { ok: false, reason: `workbook tried to modify JavaScript built-ins (${added.join(", ")}); refused` };
      return { ok: true, sheetNames: names, sheet: names[0] ?? "", rows: [], truncated: false };
    }
    sheet = opts.sheet ?? names[0] ?? "";
    if (!names.includes(sheet)) {
      restore(before);
      return { ok: false, reason: `no sheet named "${sheet}"`, expected: names.join(", "), found: sheet };
    }
    const wb = XLSX.read(bytes, { ...base, sheets: sheet, sheetRows: rowsLimit + 1 });
    ws = wb.Sheets[sheet];
  } catch (e) {
    const added = restore(before);
    return {
      ok: false,
      reason: `unreadable workbook: ${(e as Error).message}${added.length ? `; it also tried to modify JavaScript built-ins (${added.join(", ")})` : ""}`,
    };
  }
  const added = restore(before);
  if (added.length) return { ok: false, reason: `workbook tried to modify JavaScript built-ins (${added.join(", ")}); refused` };
  const rows: string[][] = [];
  if (ws) {
    // 0.18 dense sheets are arrays of rows; later versions keep them in "!data".
    const dense = (Array.isArray(ws) ? ws : (ws as { "!data"?: unknown })["!data"]) as (XLSX.CellObject[] | undefined)[] | undefined;
    const range = ws["!ref"] ? XLSX.utils.decode_range(ws["!ref"]) : null;
    const lastRow = range ? range.e.r : -1;
    const lastCol = range ? range.e.c : -1;
    for (let r = 0; r <= lastRow && r < rowsLimit + 1; r++) {
      const src = dense?.[r];
      const row: string[] = [];
      for (let c = 0; c <= lastCol; c++) row.push(cellText(src?.[c]));
      rows.push(row);
    }
  }
  const truncated = rows.length > rowsLimit;
  if (truncated) rows.length = rowsLimit;
  return { ok: true, sheetNames: names, sheet, rows, truncated };
}
