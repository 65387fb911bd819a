import { sql, type Kysely } from "kysely";

/**
 * Sign-offs, workpaper exports and the exceptions round trip (issue 7).
 *
 * A sign-off is never deleted: voiding it (by a changed figure or by hand) sets
 * `voided_at` and `void_reason`, and the audit log records the same. `fingerprint` is
 * the SHA-256 of the figures the signer saw (`figures_json`); a later read that computes
 * a different fingerprint voids the sign-off (strict tie-out).
 *
 * A round trip keeps, per exported exception, the explanation and owner as they were
 * when the workbook left (`base_json`), so an import can tell an analyst's edit from a
 * change someone made in Tieout meanwhile (a conflict, shown and not overwritten).
 */
const statements = [
  `CREATE TABLE signoff (
    id INTEGER PRIMARY KEY,
    recon_id TEXT NOT NULL,
    period TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('preparer', 'reviewer')),
    user_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    figures_json TEXT NOT NULL,
    comment TEXT,
    voided_at TEXT,
    voided_by TEXT,
    void_reason TEXT
  )`,
  `CREATE INDEX signoff_recon_period ON signoff(recon_id, period)`,
  `CREATE TRIGGER signoff_no_delete BEFORE DELETE ON signoff BEGIN SELECT RAISE(ABORT, 'sign-offs are voided, never deleted'); END`,
  `CREATE TABLE workpaper_export (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('workpaper', 'exceptions')),
    recon_id TEXT NOT NULL,
    period TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT,
    rows INTEGER NOT NULL DEFAULT 0,
    sheets_json TEXT NOT NULL DEFAULT '[]',
    phi_unmasked INTEGER NOT NULL DEFAULT 0,
    fingerprint TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
  )`,
  `CREATE INDEX workpaper_export_recon ON workpaper_export(recon_id, period)`,
  `CREATE TABLE exception_roundtrip_row (
    export_id TEXT NOT NULL REFERENCES workpaper_export(id),
    exception_id TEXT NOT NULL,
    base_json TEXT NOT NULL,
    PRIMARY KEY (export_id, exception_id)
  )`,
  `CREATE TABLE exception_import (
    id TEXT PRIMARY KEY,
    export_id TEXT NOT NULL REFERENCES workpaper_export(id),
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    applied INTEGER NOT NULL,
    conflicts_json TEXT NOT NULL
  )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
