import { sql, type Kysely } from "kysely";

/**
 * Match-group ids are never used twice. `match_group.id` is a plain rowid, so SQLite gave the
 * next group the id of the newest one deleted: unmatch the group just matched by hand, run
 * another reconciliation, and its first new group had that id. Audit entries name groups by
 * id, so the other reconciliation's workpaper listed the unmatch of a group it never had, and
 * a resolution "matched by hand (group 77)" named two groups over time.
 *
 * `id_watermark` keeps the highest id ever given (`nextIds` in store.ts allocates past it).
 * Rebuilding the table with AUTOINCREMENT would do the same, but dropping it with foreign keys
 * on would null every row's group. It starts past the highest group id the audit log names.
 */
const statements = [
  `CREATE TABLE id_watermark (name TEXT PRIMARY KEY, last INTEGER NOT NULL) WITHOUT ROWID`,
  `INSERT INTO id_watermark (name, last) VALUES ('match_group', MAX(
     COALESCE((SELECT MAX(id) FROM match_group), 0),
     COALESCE((SELECT MAX(CAST(entity_id AS INTEGER)) FROM audit_log WHERE entity_type IN ('match-group', 'match_group')), 0)))`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
