import type { Store } from "../store/store";

type Param = string | number | null;

/** A query the grids page through: `select` FROM `from` `whereSql` ORDER BY `orderSql`. */
export interface PagedQuery {
  /** e.g. "SELECT t.*"; must select from the rows of `from`. */
  select: string;
  /** FROM clause with its alias and joins, e.g. "recon_item i LEFT JOIN match_group g ON g.id = i.group_id". */
  from: string;
  /**
   * FROM for counting and for building the order, when `from` has joins that the filter
   * and the sort do not need (a LEFT JOIN evaluated for a million rows costs seconds).
   */
  baseFrom?: string;
  /** The paged rows' unique id, e.g. "i.id"; the order ends with it, so pages never overlap. */
  idColumn: string;
  /** "" or "WHERE …". */
  whereSql: string;
  params: Param[];
  orderSql: string;
  /** No sort and no filter: the id order is an index walk and the first pages are read directly. */
  plain: boolean;
  offset: number;
  limit: number;
}

/** Pages this deep are read directly when the query is plain; beyond them the order is materialized once. */
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
/** Rows this module itself inserted into TEMP tables, which are not changes to the data. */
const ownTempChanges = new WeakMap<Store, number>();
let nextOrder = 1;

function storeVersion(store: Store): { dataVersion: number; totalChanges: number } {
  return {
    // data_version changes when another connection (a job's worker) commits; total_changes
    // when this connection writes, less what this module wrote into its own TEMP tables.
    dataVersion: store.sqlite.pragma("data_version", { simple: true }) as number,
    totalChanges: (store.sqlite.prepare("SELECT total_changes() AS n").get() as { n: number }).n - (ownTempChanges.get(store) ?? 0),
  };
}

function countRows(store: Store, q: PagedQuery): number {
  const key = JSON.stringify([q.baseFrom ?? q.from, q.whereSql, q.params]);
  const version = storeVersion(store);
  let cache = counts.get(store);
  if (!cache) counts.set(store, (cache = new Map()));
  const hit = cache.get(key);
  if (hit && hit.dataVersion === version.dataVersion && hit.totalChanges === version.totalChanges) return hit.total;
  const total = (store.sqlite.prepare(`SELECT COUNT(*) AS n FROM ${q.baseFrom ?? q.from} ${q.whereSql}`).get(...q.params) as { n: number })
    .n;
  cache.set(key, { total, ...version });
  return total;
}

/**
 * The row ids of a query in display order, in a TEMP table keyed by position. Built once
 * per (query, filter, sort) and reused while the store is unchanged, so scrolling to row
 * 1,900,000 is an indexed range read, not a skip over 1.9 million rows.
 */
function materializedOrder(store: Store, q: PagedQuery): Materialized {
  const key = JSON.stringify([q.baseFrom ?? q.from, q.idColumn, q.whereSql, q.orderSql, q.params]);
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
    .prepare(`INSERT INTO temp.${name} (row_id) SELECT ${q.idColumn} FROM ${q.baseFrom ?? q.from} ${q.whereSql} ORDER BY ${q.orderSql}`)
    .run(...q.params).changes;
  ownTempChanges.set(store, (ownTempChanges.get(store) ?? 0) + inserted);
  const materialized: Materialized = { name, total: inserted, ...version, usedAt: Date.now() };
  cache.set(key, materialized);
  return materialized;
}

/**
 * One page of a query, sorted and filtered in SQLite. The first page (and, for a plain
 * query, the first few thousand rows) is read directly — a top-N sort is fast — and the
 * order is then materialized right after it, before the user scrolls, so every deeper
 * page costs the same as the first. Counts are cached until the store changes.
 */
export function pagedRows(store: Store, q: PagedQuery): { rows: unknown[]; total: number } {
  if (q.offset === 0 || (q.plain && q.offset + q.limit <= DIRECT_ROWS)) {
    const rows = store.sqlite
      .prepare(`${q.select} FROM ${q.from} ${q.whereSql} ORDER BY ${q.orderSql} LIMIT ? OFFSET ?`)
      .all(...q.params, q.limit, q.offset);
    const total = countRows(store, q);
    if (!q.plain && total > q.limit) {
      setImmediate(() => {
        // Best effort: the next deep page builds it anyway if this could not (store closed meanwhile).
        if (store.sqlite.open) materializedOrder(store, q);
      });
    }
    return { rows, total };
  }
  const order = materializedOrder(store, q);
  // The order already holds exactly the filtered ids, so the page is a range of positions.
  const rows = store.sqlite
    .prepare(`${q.select} FROM temp.${order.name} o, ${q.from} WHERE ${q.idColumn} = o.row_id AND o.pos > ? AND o.pos <= ? ORDER BY o.pos`)
    .all(q.offset, q.offset + q.limit);
  return { rows, total: order.total };
}
