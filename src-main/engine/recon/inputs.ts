import { isIdent } from "../../../src-shared/reconRules";
import type { Store } from "../store/store";
import type { InputFile } from "../workpapers/workpaperData";

const ALL_COMPLETE_FILES = "SELECT id FROM source_file WHERE status = 'complete'";

/** A side's declared lineage (`SideSpec.lineage`): a canonical table and a filter on its rows. */
export interface DeclaredLineage {
  table: string;
  where?: string;
}

/**
 * The source files behind a reconciliation, by lineage (row → canonical record → raw record →
 * source file), as a subquery of source_file ids bound to `@recon` (and `:period`, `:from`,
 * `:to` for declared lineage): the files of the canonical rows its stored rows name, and of the
 * rows a side declares it summarises. Every completely imported file when there is no lineage
 * to follow (rows loaded without it).
 */
function lineageFileIds(store: Store, reconciliationId: number, sourceTables?: string[], declared: DeclaredLineage[] = []): string {
  // A run knows its rows' tables; a read afterwards asks the stored rows (a pass over the index).
  const named =
    sourceTables ??
    (
      store.sqlite
        .prepare(
          "SELECT DISTINCT source_table FROM recon_item INDEXED BY recon_item_side WHERE reconciliation_id = ? AND source_table IS NOT NULL",
        )
        .all(reconciliationId) as { source_table: string }[]
    ).map((t) => t.source_table);
  // Canonical rows by id, then their raw records: one index lookup each, no scan of the canonical table.
  const parts = named
    .filter((t) => isIdent(t) && hasLineage(store, t))
    .map(
      (t) =>
        `SELECT rr.source_file_id AS id FROM "${t}" c JOIN raw_record rr ON rr.id = c.raw_record_id
         WHERE c.id IN (SELECT source_id FROM recon_item INDEXED BY recon_item_side WHERE reconciliation_id = @recon AND source_table = '${t}')`,
    );
  for (const d of declared) {
    if (!isIdent(d.table) || !hasLineage(store, d.table)) continue;
    parts.push(
      `SELECT rr.source_file_id AS id FROM "${d.table}" c JOIN raw_record rr ON rr.id = c.raw_record_id${d.where ? ` WHERE (${d.where})` : ""}`,
    );
  }
  return parts.length > 0 ? parts.join(" UNION ") : ALL_COMPLETE_FILES;
}

/** A canonical table: rows by `id`, each with the raw record it came from. */
export function hasLineage(store: Store, table: string): boolean {
  const columns = new Set(
    (store.sqlite.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((c) => c.name),
  );
  return columns.has("id") && columns.has("raw_record_id");
}

/**
 * Records the files a run read, right after it saved its rows: the workpaper and the sign-off
 * figures then name what the run saw, not what a later import re-delivered. The lineage is read
 * first, outside any write transaction; only the few file ids are written.
 */
export function recordRunInputs(
  store: Store,
  runId: number,
  reconciliationId: number,
  sourceTables?: string[],
  declared: DeclaredLineage[] = [],
  window: { period: string; from: string; to: string } = { period: "", from: "", to: "" },
): void {
  const ids = store.sqlite
    .prepare(`SELECT id FROM source_file WHERE id IN (${lineageFileIds(store, reconciliationId, sourceTables, declared)})`)
    .pluck()
    .all({ recon: reconciliationId, period: window.period, from: window.from, to: window.to }) as number[];
  const insert = store.sqlite.prepare("INSERT OR IGNORE INTO recon_run_input (run_id, source_file_id) VALUES (?, ?)");
  store.sqlite
    .transaction(() => {
      for (const id of ids) insert.run(runId, id);
      store.sqlite.prepare("UPDATE recon_run SET inputs_recorded = 1 WHERE id = ?").run(runId);
    })
    .immediate();
}

/**
 * The files the reconciliation's last run read: as recorded with it, or, for a run recorded
 * before Tieout kept them (migration 0008), followed through lineage now.
 */
export function lastRunInputFiles(store: Store, reconciliationId: number): InputFile[] {
  const run = store.sqlite
    .prepare("SELECT r.id, r.inputs_recorded FROM reconciliation c JOIN recon_run r ON r.id = c.last_run_id WHERE c.id = ?")
    .get(reconciliationId) as { id: number; inputs_recorded: number } | undefined;
  const files = (ids: string) =>
    store.sqlite
      .prepare(
        `SELECT file_name AS fileName, system, received_at AS receivedAt, sha256 FROM source_file WHERE id IN (${ids}) ORDER BY received_at, id`,
      )
      .all({ run: run?.id ?? 0, recon: reconciliationId }) as InputFile[];
  if (run && run.inputs_recorded === 1) return files("SELECT source_file_id FROM recon_run_input WHERE run_id = @run");
  try {
    return files(lineageFileIds(store, reconciliationId));
  } catch {
    // Lineage that cannot be followed (a side naming a table of another shape): every imported file.
    return files(ALL_COMPLETE_FILES);
  }
}
