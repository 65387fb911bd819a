import { sql, type Kysely } from "kysely";

/**
 * The source files a reconciliation run read, recorded with the run. Until now they were worked
 * out whenever asked, by following today's lineage of the run's rows: a later import that
 * re-delivered an encounter moved its lineage to the new file, so the workpaper of an old run
 * listed a file the run never saw, and a signed reconciliation was voided ("input files
 * changed") though nothing in it had changed. Runs before this migration have
 * `inputs_recorded = 0` and are still worked out live.
 */
const statements = [
  `CREATE TABLE recon_run_input (
    run_id INTEGER NOT NULL REFERENCES recon_run(id),
    source_file_id INTEGER NOT NULL REFERENCES source_file(id),
    PRIMARY KEY (run_id, source_file_id)
  ) WITHOUT ROWID`,
  `ALTER TABLE recon_run ADD COLUMN inputs_recorded INTEGER NOT NULL DEFAULT 0`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
