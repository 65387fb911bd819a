import type { ColumnFilter, ColumnInfo, ColumnKind, RowPage, SortSpec } from "../../../src-shared/api";
import { CANONICAL_TABLES, recordTypeOfTable } from "../store/canonicalTables";
import type { Store } from "../store/store";
import { UserError } from "../handlerRegistry";

const MAX_PAGE = 1000;

function columnKind(name: string, declaredType: string): ColumnKind {
  if (name === "id" || name === "raw_record_id") return "id";
  if (name.endsWith("_cents")) return "cents";
  if (name.endsWith("_at")) return "timestamp";
  if (name.endsWith("_date") || name === "service_from" || name === "service_to" || name === "effective_from" || name === "effective_to")
    return "date";
  if (["implant", "chargeable", "active", "balanced"].includes(name)) return "boolean";
  if (declaredType === "INTEGER" || declaredType === "REAL") return "number";
  return "text";
}

function label(name: string): string {
  const words = name.replace(/_cents$/, "").split("_");
  const text = words.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function tableColumns(store: Store, table: string): ColumnInfo[] {
  const info = store.sqlite.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string }[];
  return info.map((c) => ({ name: c.name, label: label(c.name), kind: columnKind(c.name, c.type.toUpperCase()) }));
}

/**
 * One page of a canonical table. Sorting, filtering and paging happen in SQLite so
 * a million-row table never travels to the UI; only `limit` rows do.
 */
export function rowPage(
  store: Store,
  request: { table: string; offset: number; limit: number; sort?: SortSpec[]; filters?: ColumnFilter[]; search?: string },
): RowPage {
  const recordType = recordTypeOfTable(request.table);
  if (!recordType) {
    const known = Object.values(CANONICAL_TABLES)
      .map((t) => t.table)
      .join(", ");
    throw new UserError("UNKNOWN_TABLE", `There is no table "${request.table}". Tables: ${known}.`);
  }
  const table = CANONICAL_TABLES[recordType].table;
  const columns = tableColumns(store, table);
  const byName = new Map(columns.map((c) => [c.name, c]));
  const column = (name: string): ColumnInfo => {
    const found = byName.get(name);
    if (!found) throw new UserError("UNKNOWN_COLUMN", `Table ${table} has no column "${name}".`);
    return found;
  };
  const offset = Math.max(0, Math.floor(request.offset));
  const limit = Math.min(MAX_PAGE, Math.max(1, Math.floor(request.limit)));

  const where: string[] = [];
  const params: (string | number | null)[] = [];
  for (const filter of request.filters ?? []) {
    const name = column(filter.column).name;
    switch (filter.kind) {
      case "text":
        if (filter.op === "equals") {
          where.push(`${name} = ?`);
          params.push(filter.value);
        } else {
          where.push(`${name} LIKE ? ESCAPE '\\'`);
          const escaped = filter.value.replace(/[\\%_]/g, (c) => "\\" + c);
          params.push(filter.op === "contains" ? `%${escaped}%` : `${escaped}%`);
        }
        break;
      case "number":
      case "date":
        if (filter.op === "between") {
          where.push(`${name} BETWEEN ? AND ?`);
          params.push(filter.value, filter.valueTo ?? filter.value);
        } else {
          where.push(`${name} ${filter.op} ?`);
          params.push(filter.value);
        }
        break;
      case "set": {
        const nonNull = filter.values.filter((v) => v !== null);
        const parts: string[] = [];
        if (nonNull.length > 0) {
          parts.push(`${name} IN (${nonNull.map(() => "?").join(", ")})`);
          params.push(...nonNull);
        }
        if (filter.values.includes(null)) parts.push(`${name} IS NULL`);
        where.push(parts.length > 0 ? `(${parts.join(" OR ")})` : "0");
        break;
      }
    }
  }
  if (request.search?.trim()) {
    const textColumns = columns.filter((c) => c.kind === "text");
    const escaped = request.search.trim().replace(/[\\%_]/g, (c) => "\\" + c);
    where.push(`(${textColumns.map((c) => `${c.name} LIKE ? ESCAPE '\\'`).join(" OR ")})`);
    for (const _ of textColumns) params.push(`%${escaped}%`);
  }
  const whereSql = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  const orderParts = (request.sort ?? []).map((s) => `${column(s.column).name} ${s.direction === "desc" ? "DESC" : "ASC"}`);
  orderParts.push("id ASC"); // a stable order so pages never overlap or skip
  const orderSql = orderParts.join(", ");

  // The first pages straight from the table (a top-N sort is fast); deeper pages from a
  // materialized order, so a page far down a million rows costs the same as the first.
  // Unsorted, the rowid order is an index walk, cheap for the first pages. Sorted or
  // filtered, every direct page is a full top-N pass, so only the first page is read
  // directly and the order is materialized right after it, before the user scrolls.
  const plain = (request.sort ?? []).length === 0 && where.length === 0;
  if (offset === 0 || (plain && offset + limit <= DIRECT_ROWS)) {
    const rows = store.sqlite
      .prepare(`SELECT * FROM ${table} ${whereSql} ORDER BY ${orderSql} LIMIT ? OFFSET ?`)
      .all(...params, limit, offset) as Record<string, string | number | null>[];
    const total = countRows(store, table, whereSql, params);
    if (!plain && total > limit) {
      setImmediate(() => {
        // Best effort: the next deep page builds it anyway if this could not (store closed meanwhile).
        if (store.sqlite.open) materializedOrder(store, table, whereSql, orderSql, params);
      });
    }
    return { columns, rows, total, offset };
  }
  const order = materializedOrder(store, table, whereSql, orderSql, params);
  const rows = store.sqlite
    .prepare(`SELECT t.* FROM ${order.name} o JOIN ${table} t ON t.id = o.row_id WHERE o.pos > ? AND o.pos <= ? ORDER BY o.pos`)
    .all(offset, offset + limit) as Record<string, string | number | null>[];
  return { columns, rows, total: order.total, offset };
}

/** Pages this deep are read directly; beyond them the order is materialized once. */
const DIRECT_ROWS = 2_000;
const MAX_ORDERS = 8;

interface Materialized {
  name: string;
  total: number;
  /** The store's state when it was built: any write since makes it stale. */
  dataVersion: number;
  totalChanges: number;
  usedAt: number;
}

const orders = new WeakMap<Store, Map<string, Materialized>>();
const counts = new WeakMap<Store, Map<string, { total: number; dataVersion: number; totalChanges: number }>>();
let nextOrder = 1;

/** Rows this module itself inserted into TEMP tables, which are not changes to the data. */
const ownTempChanges = new WeakMap<Store, number>();

function storeVersion(store: Store): { dataVersion: number; totalChanges: number } {
  return {
    // data_version changes when another connection (a job's worker) commits; total_changes
    // when this connection writes, less what this module wrote into its own TEMP tables.
    dataVersion: store.sqlite.pragma("data_version", { simple: true }) as number,
    totalChanges: (store.sqlite.prepare("SELECT total_changes() AS n").get() as { n: number }).n - (ownTempChanges.get(store) ?? 0),
  };
}

function countRows(store: Store, table: string, whereSql: string, params: (string | number | null)[]): number {
  const key = JSON.stringify([table, whereSql, params]);
  const version = storeVersion(store);
  let cache = counts.get(store);
  if (!cache) counts.set(store, (cache = new Map()));
  const hit = cache.get(key);
  if (hit && hit.dataVersion === version.dataVersion && hit.totalChanges === version.totalChanges) return hit.total;
  const total = (store.sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table} ${whereSql}`).get(...params) as { n: number }).n;
  cache.set(key, { total, ...version });
  return total;
}

/**
 * The row ids of a query in display order, in a TEMP table keyed by position. Built once
 * per (table, filter, sort) and reused while the store is unchanged, so scrolling to row
 * 1,900,000 is an indexed range read, not a skip over 1.9 million rows.
 */
function materializedOrder(
  store: Store,
  table: string,
  whereSql: string,
  orderSql: string,
  params: (string | number | null)[],
): Materialized {
  const key = JSON.stringify([table, whereSql, orderSql, params]);
  const version = storeVersion(store);
  let cache = orders.get(store);
  if (!cache) orders.set(store, (cache = new Map()));
  const hit = cache.get(key);
  if (hit && hit.dataVersion === version.dataVersion && hit.totalChanges === version.totalChanges) {
    hit.usedAt = Date.now();
    return hit;
  }
  if (hit) {
    store.sqlite.exec(`DROP TABLE IF EXISTS temp.${hit.name}`);
    cache.delete(key);
  }
  if (cache.size >= MAX_ORDERS) {
    const oldest = [...cache.entries()].sort((a, b) => a[1].usedAt - b[1].usedAt)[0]!;
    store.sqlite.exec(`DROP TABLE IF EXISTS temp.${oldest[1].name}`);
    cache.delete(oldest[0]);
  }
  const name = `grid_order_${nextOrder++}`;
  store.sqlite.exec(`CREATE TEMP TABLE ${name} (pos INTEGER PRIMARY KEY, row_id INTEGER NOT NULL)`);
  const inserted = store.sqlite
    .prepare(`INSERT INTO temp.${name} (row_id) SELECT id FROM ${table} ${whereSql} ORDER BY ${orderSql}`)
    .run(...params).changes;
  ownTempChanges.set(store, (ownTempChanges.get(store) ?? 0) + inserted);
  const materialized: Materialized = { name, total: inserted, ...version, usedAt: Date.now() };
  cache.set(key, materialized);
  return materialized;
}
