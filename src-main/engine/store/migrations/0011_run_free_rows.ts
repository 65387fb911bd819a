import { sql, type Kysely } from "kysely";

/**
 * `recon_run.free_hash`: a hash of which rows a run left free to match (every row but those of
 * manual, locked and signed-off groups, explained, held or locked rows). A run matches every free
 * row again, so its result never depends on the runs before it; when the rules, the input rows
 * and the free rows are all as the last run had them, that result is the last run's, and a re-run
 * keeps its groups without matching again (at a million encounters that is a minute of matching).
 * NULL for runs before this version: their next run matches again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw("ALTER TABLE recon_run ADD COLUMN free_hash TEXT").execute(db);
}
