import type { StoreSummary } from "../../../src-shared/api";
import { CANONICAL_TABLES, CANONICAL_TYPES } from "./canonicalTables";
import type { Store } from "./store";

export function storeSummary(store: Store): StoreSummary {
  const count = (sql: string): number => (store.sqlite.prepare(sql).get() as { n: number }).n;
  return {
    dbPath: store.path,
    schemaVersion: store.schemaVersion,
    tables: CANONICAL_TYPES.map((recordType) => {
      const info = CANONICAL_TABLES[recordType];
      return { recordType, table: info.table, label: info.label, rows: count(`SELECT COUNT(*) AS n FROM ${info.table}`) };
    }),
    rawRecords: count("SELECT COUNT(*) AS n FROM raw_record"),
    quarantined: count("SELECT COUNT(*) AS n FROM raw_record WHERE status = 'quarantined'"),
    sourceFiles: count("SELECT COUNT(*) AS n FROM source_file"),
    lastImportAt: (store.sqlite.prepare("SELECT MAX(received_at) AS at FROM source_file").get() as { at: string | null }).at,
  };
}
