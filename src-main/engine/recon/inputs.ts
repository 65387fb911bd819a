import type { Store } from "../store/store";

/**
 * The source files behind a reconciliation's stored rows, by today's lineage (row → canonical
 * record → raw record → source file); every completely imported file when the lineage cannot
 * be followed (rows loaded without it). As SQL: a subquery of source_file ids, bound to `@recon`.
 */
function lineageFileIds(store: Store, reconciliationId: number): string {
  const all = "SELECT id FROM source_file WHERE status = 'complete'";
  const tables = (
    store.sqlite
      .prepare(
        "SELECT DISTINCT source_table FROM recon_item INDEXED BY recon_item_side WHERE reconciliation_id = ? AND source_table IS NOT NULL",
      )
      .all(reconciliationId) as { source_table: string }[]
  )
    .map((t) => t.source_table)
    .filter((t) => /^[a-z_][a-z0-9_]*$/.test(t) && hasLineage(store, t));
  if (tables.length === 0) return all;
  // Canonical rows by id, then their raw records: one index lookup each, no scan of the canonical table.
  return tables
    .map(
      (t) =>
        `SELECT rr.source_file_id AS id FROM "${t}" c JOIN raw_record rr ON rr.id = c.raw_record_id
         WHERE c.id IN (SELECT source_id FROM recon_item INDEXED BY recon_item_side WHERE reconciliation_id = @recon AND source_table = '${t}')`,
    )
    .join(" UNION ");
}

function hasLineage(store: Store, table: string): boolean {
  const columns = store.sqlite.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[];
  return columns.some((c) => c.name === "raw_record_id");
}

/**
 * Records the files a run read, right after it saved its rows: the workpaper and the sign-off
 * figures then name what the run saw, not what a later import re-delivered. The lineage is read
 * first, outside any write transaction; only the few file ids are written.
 */
export function recordRunInputs(store: Store, runId: number, reconciliationId: number): void {
  const ids = store.sqlite
    .prepare(`SELECT id FROM source_file WHERE id IN (${lineageFileIds(store, reconciliationId)})`)
    .pluck()
    .all({ recon: reconciliationId }) as number[];
  const insert = store.sqlite.prepare("INSERT OR IGNORE INTO recon_run_input (run_id, source_file_id) VALUES (?, ?)");
  store.sqlite
    .transaction(() => {
      for (const id of ids) insert.run(runId, id);
      store.sqlite.prepare("UPDATE recon_run SET inputs_recorded = 1 WHERE id = ?").run(runId);
    })
    .immediate();
}

export interface RunInputFile {
  file_name: string;
  system: string | null;
  received_at: string;
  sha256: string;
}

/**
 * The files the reconciliation's last run read: as recorded with it, or, for a run recorded
 * before Tieout kept them (migration 0008), followed through lineage now.
 */
export function lastRunInputFiles(store: Store, reconciliationId: number): RunInputFile[] {
  const run = store.sqlite
    .prepare("SELECT r.id, r.inputs_recorded FROM reconciliation c JOIN recon_run r ON r.id = c.last_run_id WHERE c.id = ?")
    .get(reconciliationId) as { id: number; inputs_recorded: number } | undefined;
  const ids =
    run && run.inputs_recorded === 1
      ? "SELECT source_file_id FROM recon_run_input WHERE run_id = @run"
      : lineageFileIds(store, reconciliationId);
  return store.sqlite
    .prepare(`SELECT file_name, system, received_at, sha256 FROM source_file WHERE id IN (${ids}) ORDER BY received_at, id`)
    .all({ run: run?.id ?? 0, recon: reconciliationId }) as RunInputFile[];
}
