import type { ColumnFilter, ColumnInfo, ColumnKind, RowPage, SortSpec } from "../../../src-shared/api";
import { CANONICAL_TABLES, recordTypeOfTable } from "../store/canonicalTables";
import { escapeLike, type Store } from "../store/store";
import { pagedRows } from "./pagedQuery";
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
          const escaped = escapeLike(filter.value);
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
    const escaped = escapeLike(request.search.trim());
    where.push(`(${textColumns.map((c) => `${c.name} LIKE ? ESCAPE '\\'`).join(" OR ")})`);
    for (const _ of textColumns) params.push(`%${escaped}%`);
  }
  const whereSql = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  const orderParts = (request.sort ?? []).map((s) => `${column(s.column).name} ${s.direction === "desc" ? "DESC" : "ASC"}`);
  // A stable order so pages never overlap or skip; the tie-break runs the same way as the
  // last sort key, so an index on that key serves the whole order.
  orderParts.push(`id ${(request.sort ?? []).at(-1)?.direction === "desc" ? "DESC" : "ASC"}`);
  const orderSql = orderParts.join(", ");

  const page = pagedRows(store, {
    select: "SELECT t.*",
    from: `${table} t`,
    idColumn: "t.id",
    whereSql,
    params,
    orderSql,
    plain: (request.sort ?? []).length === 0 && where.length === 0,
    offset,
    limit,
  });
  return { columns, rows: page.rows as Record<string, string | number | null>[], total: page.total, offset };
}
