import { sql, type Kysely } from "kysely";

/**
 * Rule sets a person edits (issue 8: "rules are data, versioned"). Until now `recon_rule_set`
 * held only what runs used, one row per template and version, and every run used the rules
 * shipped with Tieout. A reviewer may now save an edited rule set: it gets the next version,
 * who saved it, when and why, and becomes the one runs use (`recon_rule_active`) until another
 * is chosen or the built-in rules are restored.
 *
 * A row is now keyed by its definition hash, not its version: a version number names a rule set
 * to people, and a later Tieout may ship built-in rules under a number a person's edit already
 * took. `origin` tells the two apart.
 */
const statements = [
  `CREATE TABLE recon_rule_set_v2 (
    template_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    origin TEXT NOT NULL DEFAULT 'built-in' CHECK (origin IN ('built-in', 'edited')),
    definition_json TEXT NOT NULL,
    definition_hash TEXT NOT NULL,
    first_loaded_at TEXT NOT NULL,
    created_by TEXT,
    note TEXT,
    PRIMARY KEY (template_id, definition_hash)
  )`,
  `INSERT INTO recon_rule_set_v2 (template_id, version, definition_json, definition_hash, first_loaded_at)
   SELECT template_id, version, definition_json, definition_hash, first_loaded_at FROM recon_rule_set`,
  `DROP TABLE recon_rule_set`,
  `ALTER TABLE recon_rule_set_v2 RENAME TO recon_rule_set`,
  `CREATE INDEX recon_rule_set_version ON recon_rule_set(template_id, version)`,
  `CREATE TABLE recon_rule_active (
    template_id TEXT PRIMARY KEY,
    definition_hash TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL
  )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
