import { createHash, hash } from "node:crypto";
import { isPeriod, lastDayOf } from "../../../src-shared/period";
import type { SideSpec } from "../../../src-shared/reconRules";
import { UserError } from "../handlerRegistry";
import type { SideRow } from "../match/matcher";
import type { Store } from "../store/store";

/** A side row with what the store keeps of it. */
export interface LoadedRow extends SideRow {
  sourceTable: string | null;
  sourceId: number | null;
  rowDate: string | null;
  memberKeys: string | null;
  /** `rowHash` of `fieldsJson(row)`: tells a re-run which rows changed. */
  hash: string;
}

/**
 * The row as JSON (what `recon_item.fields_json` stores). Made again when a row is written
 * rather than kept from the read: a million rows' JSON is most of a run's memory.
 */
export function fieldsJson(row: LoadedRow): string {
  return JSON.stringify(row.values);
}

export interface LoadedSide {
  rows: LoadedRow[];
  /** Row index by key. */
  index: Map<string, number>;
  columns: string[];
  /** SHA-256 over the rows' hashes in order: the run's input hash. */
  hash: string;
}

export interface PeriodWindow {
  period: string;
  from: string;
  to: string;
}

export function periodWindow(period: string, runOutDays: number): PeriodWindow {
  if (!isPeriod(period)) throw new UserError("BAD_PERIOD", `A period is YYYY-MM, found "${period}".`);
  const to = new Date(Date.parse(`${lastDayOf(period)}T00:00:00Z`) + runOutDays * 86_400_000).toISOString().slice(0, 10);
  return { period, from: `${period}-01`, to };
}

const REQUIRED = ["row_key", "source_table", "source_id"];

/** The parameters a side query is run with: those of `:period`, `:from` and `:to` it names. */
export function sideParams(sql: string, window: PeriodWindow): Record<string, string> {
  const params: Record<string, string> = {};
  for (const name of ["period", "from", "to"] as const) if (new RegExp(`:${name}\\b`).test(sql)) params[name] = window[name];
  return params;
}
const POOL_MAX = 50_000;

/**
 * SHA-1 of a row's JSON, base64: tells a changed row from an unchanged one. The one-shot
 * `crypto.hash` is several times cheaper per row than a Hash object or a hash written in JS.
 */
export function rowHash(text: string): string {
  return hash("sha1", text, "base64");
}

type Statement = ReturnType<Store["sqlite"]["prepare"]>;

/**
 * Prepares a side's query for a period and checks what a run needs of it: it compiles, is
 * read-only (better-sqlite3 reports it), takes only the run's parameters (bound here, so it runs
 * as it is), and returns the required columns. The run and the rule checks both ask this.
 */
export function prepareSide(store: Store, sql: string, window: PeriodWindow): { stmt: Statement; columns: string[] } | { problem: string } {
  let stmt: Statement;
  try {
    stmt = store.sqlite.prepare(sql);
  } catch (error) {
    return { problem: `the query does not compile: ${(error as Error).message}` };
  }
  if (!stmt.reader || !stmt.readonly) return { problem: "the query must be a read-only SELECT" };
  try {
    stmt.bind(sideParams(sql, window));
  } catch (error) {
    return { problem: `${(error as Error).message}: a side query may use only :period, :from and :to` };
  }
  const columns = stmt.columns().map((c) => c.name);
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  if (missing.length > 0) return { problem: `the query must return ${missing.join(", ")}` };
  return { stmt, columns };
}

/** Runs a side's query (see `prepareSide`); a side that breaks a rule of it is refused with a readable error. */
export function loadSide(
  store: Store,
  templateId: string,
  sideName: "left" | "right",
  spec: SideSpec,
  window: PeriodWindow,
  /** Called every 16,384 rows with the count so far (progress; it may throw to cancel). */
  onRows?: (rows: number) => void,
): LoadedSide {
  const prepared = prepareSide(store, spec.sql, window);
  if ("problem" in prepared) throw new UserError("BAD_RULES", `Template ${templateId}, ${sideName} side: ${prepared.problem}.`);
  const { stmt, columns } = prepared;

  const rows: LoadedRow[] = [];
  const index = new Map<string, number>();
  const repeats = new Map<string, number>();
  const all = createHash("sha256");
  let hashes: string[] = [];
  const width = columns.length;
  // One string per distinct value of a column (dates, codes, descriptions repeat across a
  // million rows): most of a side's memory otherwise. A column past POOL_MAX distinct values
  // (an identifier) is not pooled.
  const pools: (Map<string, string> | null)[] = columns.map(() => new Map());
  for (const cells of stmt.raw(true).iterate() as IterableIterator<unknown[]>) {
    // Arrays from SQLite, objects built here: better-sqlite3's own row objects cost more.
    const raw: Record<string, unknown> = {};
    for (let c = 0; c < width; c++) {
      let value = cells[c];
      const pool = pools[c];
      if (pool && typeof value === "string") {
        const pooled = pool.get(value);
        if (pooled !== undefined) value = pooled;
        else if (pool.size < POOL_MAX) pool.set(value, value);
        else pools[c] = null;
      }
      raw[columns[c]!] = value;
    }
    let key = String(raw.row_key);
    if (index.has(key)) {
      // Natural keys must be unique on a side; a repeat is kept, distinguishable, not dropped.
      const n = (repeats.get(key) ?? 1) + 1;
      repeats.set(key, n);
      key = `${key}#${n}`;
    }
    index.set(key, rows.length);
    if (onRows && (rows.length & 0x3fff) === 0x3fff) onRows(rows.length + 1);
    const hash = rowHash(JSON.stringify(raw));
    hashes.push(hash);
    if (hashes.length === 4096) {
      all.update(hashes.join(""));
      hashes = [];
    }
    const amount = raw.amount_cents;
    rows.push({
      key,
      amount: amount === null || amount === undefined ? null : Number(amount),
      values: raw,
      sourceTable: (raw.source_table as string | null) ?? null,
      sourceId: (raw.source_id as number | null) ?? null,
      rowDate: (raw.row_date as string | null | undefined) ?? null,
      memberKeys: (raw.member_keys as string | null | undefined) ?? null,
      hash,
    });
  }
  all.update(hashes.join(""));
  return { rows, index, columns, hash: all.digest("hex") };
}
