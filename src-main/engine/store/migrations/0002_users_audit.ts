import { sql, type Kysely } from "kysely";

/**
 * Users, sessions and the audit trail. The audit log is append-only (triggers refuse
 * UPDATE and DELETE) and hash-chained: each entry's hash covers its content and the
 * previous entry's hash, so `tieout audit verify` can name the first altered entry.
 */
const statements = [
  `CREATE TABLE app_user (
    user_id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    roles_json TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
  )`,
  `CREATE TABLE session (
    session_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES app_user(user_id),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
  )`,
  `CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    reason TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  )`,
  `CREATE INDEX audit_log_entity ON audit_log(entity_type, entity_id)`,
  `CREATE INDEX audit_log_at ON audit_log(at)`,
  `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`,
  `CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
