import type { Generated } from "kysely";
import type { CanonicalRecord, CanonicalType } from "../../../src-shared/model";
import type { CANONICAL_TABLES } from "./canonicalTables";

/**
 * The canonical tables' row types, derived from the canonical model so the two cannot
 * drift: snake_case columns, booleans as 0/1, plus `id` and the lineage column.
 * (One generic definition instead of 23 hand-written `*.table.ts` files; the DDL is in
 * migrations/0001_initial.ts, and store.test.ts checks each table's columns against it.)
 */
type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? Head extends Lowercase<Head>
    ? `${Head}${SnakeCase<Tail>}`
    : `_${Lowercase<Head>}${SnakeCase<Tail>}`
  : S;

type StoredValue<V> = V extends boolean ? number : V;

export type CanonicalRow<T extends CanonicalRecord> = {
  id: Generated<number>;
  raw_record_id: number | null;
} & { [K in Exclude<keyof T, "type"> & string as SnakeCase<K>]: StoredValue<T[K]> };

type TableName<K extends CanonicalType> = (typeof CANONICAL_TABLES)[K]["table"];

export type CanonicalTablesSchema = {
  [K in CanonicalType as TableName<K>]: CanonicalRow<Extract<CanonicalRecord, { type: K }>>;
};
