/**
 * Delimited text → rows with their exact source text and first physical line.
 *
 * papaparse does the field parsing (quotes, escaped quotes, delimiters). We cut the input
 * into blocks that end on a record boundary ourselves, with a small quote-aware scanner,
 * because a raw unit must hold the row's exact text and line number: papaparse's own
 * stream mode gives rows without their source text. Text arrives in chunks (push) so a big
 * file never sits in memory whole; only the unfinished last record is carried over.
 */
import Papa from "papaparse";

export interface CsvRow {
  cells: string[];
  /** Exact source text of the record, without its line break (multi-line quoted fields kept). */
  text: string;
  /** 1-based physical line where the record starts. */
  line: number;
  /** papaparse's complaints about this record (e.g. a quote that never closes). */
  errors: string[];
}

/** A record longer than this without a boundary is parsed as is (papaparse reports the broken quote). */
const MAX_PENDING = 32 * 1024 * 1024;

const CANDIDATES = [",", "\t", ";", "|"];

/** The delimiter that splits the first line into the most fields, outside quotes. */
export function guessDelimiter(sample: string): string {
  const firstLine = sample.split(/\r\n|\n|\r/, 1)[0] ?? "";
  let best = ",";
  let bestCount = 0;
  for (const d of CANDIDATES) {
    let count = 0;
    let inQuotes = false;
    for (const ch of firstLine) {
      if (ch === '"') inQuotes = !inQuotes;
      else if (ch === d && !inQuotes) count++;
    }
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** The first line break outside quotes: "\r\n", "\n" or "\r"; null when none is seen yet. */
function guessNewline(text: string, final: boolean): string | null {
  let inQuotes = false;
  for (let k = 0; k < text.length; k++) {
    const ch = text[k];
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === "\n" || ch === "\r")) {
      if (ch === "\n") return "\n";
      if (k + 1 < text.length) return text[k + 1] === "\n" ? "\r\n" : "\r";
      return final ? "\r" : null;
    }
  }
  return final ? "\n" : null;
}

export class CsvRowReader {
  private buffer = "";
  /** Scan state carried across pushes: position in buffer and whether we are inside quotes. */
  private scanPos = 0;
  private inQuotes = false;
  private lastBoundary = 0;
  private line = 1;
  private started = false;
  delimiter: string | null;
  newline: string | null = null;

  constructor(delimiter?: string) {
    this.delimiter = delimiter ?? null;
  }

  /** Adds text; returns the records completed by it. */
  push(chunk: string): CsvRow[] {
    if (!this.started) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      this.started = true;
    }
    this.buffer += chunk;
    if (!this.newline) {
      this.newline = guessNewline(this.buffer, false);
      if (!this.newline) return [];
    }
    if (!this.delimiter) this.delimiter = guessDelimiter(this.buffer);
    this.scan();
    if (this.lastBoundary === 0 && this.buffer.length > MAX_PENDING) return this.flush(this.buffer.length);
    return this.flush(this.lastBoundary);
  }

  /** Ends the input; returns the remaining records. */
  end(): CsvRow[] {
    if (!this.newline) this.newline = guessNewline(this.buffer, true) ?? "\n";
    if (!this.delimiter) this.delimiter = guessDelimiter(this.buffer);
    return this.flush(this.buffer.length);
  }

  /**
   * Advances the quote-aware scan, remembering the offset just after the last record
   * terminator outside quotes. A quote opens a quoted field only at the start of a field,
   * as papaparse reads it, so a stray inch mark (5") in an unquoted field does not swallow
   * the rest of the file.
   */
  private scan(): void {
    // Jumps between quotes with indexOf instead of visiting every character: unquoted data
    // (the usual case) costs one native search per block.
    const b = this.buffer;
    const nl = this.newline!;
    const delim = this.delimiter!;
    let pos = this.scanPos;
    for (;;) {
      if (this.inQuotes) {
        const close = b.indexOf('"', pos);
        if (close === -1 || close + 1 >= b.length) {
          // Not closed yet, or cannot tell "" from a closing quote until more text arrives.
          pos = close === -1 ? b.length : close;
          break;
        }
        if (b.charCodeAt(close + 1) === 0x22) {
          pos = close + 2;
          continue;
        }
        this.inQuotes = false;
        pos = close + 1;
        continue;
      }
      const q = b.indexOf('"', pos);
      const limit = q === -1 ? b.length : q;
      const lastNl = b.lastIndexOf(nl, limit - 1);
      if (lastNl >= pos && lastNl + nl.length <= limit) this.lastBoundary = lastNl + nl.length;
      if (q === -1) {
        // Keep a possibly split "\r\n" for the next push.
        pos = Math.max(pos, b.length - (nl.length - 1));
        break;
      }
      // A quote opens a quoted field only at the start of a field, as papaparse reads it, so
      // a stray inch mark (5") in an unquoted field does not swallow the rest of the file.
      const atFieldStart = q === 0 || b.startsWith(delim, q - delim.length) || b.startsWith(nl, q - nl.length) || q === this.lastBoundary;
      if (atFieldStart) this.inQuotes = true;
      pos = q + 1;
    }
    this.scanPos = pos;
  }

  private flush(upTo: number): CsvRow[] {
    if (upTo === 0) return [];
    const block = this.buffer.slice(0, upTo);
    this.buffer = this.buffer.slice(upTo);
    this.scanPos = Math.max(0, this.scanPos - upTo);
    this.lastBoundary = 0;
    if (this.buffer.length === 0) {
      this.inQuotes = false;
      this.scanPos = 0;
    }
    const rows: CsvRow[] = [];
    const nl = this.newline!;
    let prev = 0;
    Papa.parse<string[]>(block, {
      delimiter: this.delimiter!,
      newline: nl as "\r\n" | "\n" | "\r",
      quoteChar: '"',
      skipEmptyLines: false,
      step: (result) => {
        const cursor = result.meta.cursor;
        // papaparse reports an empty record after a block's final line break: not a row.
        if (cursor === prev) return;
        const terminated = block.startsWith(nl, cursor - nl.length);
        const text = block.slice(prev, terminated ? cursor - nl.length : cursor);
        const line = this.line;
        this.line += countOf(text, nl) + (terminated ? 1 : 0);
        prev = cursor;
        rows.push({ cells: result.data, text, line, errors: result.errors.length ? result.errors.map((e) => e.message) : NO_ERRORS });
      },
    });
    if (prev < block.length) this.line += countOf(block.slice(prev), nl);
    return rows;
  }
}

const NO_ERRORS: string[] = [];

function countOf(text: string, nl: string): number {
  let n = 0;
  let k = text.indexOf(nl);
  while (k !== -1) {
    n++;
    k = text.indexOf(nl, k + nl.length);
  }
  return n;
}

/** True for a record that is only a line break (or whitespace in a single field). */
export function isBlankRow(row: CsvRow): boolean {
  return row.cells.length <= 1 && (row.cells[0] ?? "").trim() === "";
}
