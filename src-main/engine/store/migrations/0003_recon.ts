import { sql, type Kysely } from "kysely";

/**
 * Tables for recon (issue 8). A reconciliation is one template for one period; its side
 * rows are materialised in `recon_item` (so the grid pages them in SQLite and a re-run
 * sees what changed by row hash); `match_group` holds automatic, suggested and manual
 * matches; `recon_exception` the breaks with owner, age and comments; `proposed_correction`
 * the fixes a break calls for (GL journals, inventory adjustments, master-data fixes),
 * which the outbound capability turns into adjustments. Money is INTEGER cents.
 */
const statements = [
  `CREATE TABLE recon_rule_set (
    template_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    definition_json TEXT NOT NULL,
    definition_hash TEXT NOT NULL,
    first_loaded_at TEXT NOT NULL,
    PRIMARY KEY (template_id, version)
  )`,
  `CREATE TABLE reconciliation (
    id INTEGER PRIMARY KEY,
    template_id TEXT NOT NULL,
    period TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_run_id INTEGER,
    UNIQUE (template_id, period)
  )`,
  `CREATE TABLE recon_run (
    id INTEGER PRIMARY KEY,
    reconciliation_id INTEGER NOT NULL REFERENCES reconciliation(id),
    rule_version INTEGER NOT NULL,
    rule_hash TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    left_rows INTEGER NOT NULL,
    right_rows INTEGER NOT NULL,
    changed_rows INTEGER NOT NULL,
    actor TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    summary_json TEXT NOT NULL
  )`,
  `CREATE INDEX recon_run_recon ON recon_run(reconciliation_id)`,
  `CREATE TABLE match_group (
    id INTEGER PRIMARY KEY,
    reconciliation_id INTEGER NOT NULL REFERENCES reconciliation(id),
    run_id INTEGER,
    pass_id TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('auto', 'suggested', 'manual')),
    score REAL,
    explanation TEXT NOT NULL,
    left_cents INTEGER NOT NULL,
    right_cents INTEGER NOT NULL,
    locked INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    note TEXT
  )`,
  `CREATE INDEX match_group_recon ON match_group(reconciliation_id, kind)`,
  `CREATE TABLE recon_item (
    id INTEGER PRIMARY KEY,
    reconciliation_id INTEGER NOT NULL REFERENCES reconciliation(id),
    side TEXT NOT NULL CHECK (side IN ('left', 'right')),
    row_key TEXT NOT NULL,
    member_keys TEXT,
    source_table TEXT,
    source_id INTEGER,
    amount_cents INTEGER,
    row_date TEXT,
    fields_json TEXT NOT NULL,
    row_hash TEXT NOT NULL,
    group_id INTEGER REFERENCES match_group(id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('matched', 'suggested', 'unmatched', 'expected', 'exception', 'explained')),
    reason TEXT,
    explained_by TEXT,
    explained_note TEXT,
    locked INTEGER NOT NULL DEFAULT 0,
    -- 1 when a person unmatched the row: automatic passes leave it alone until it is matched by hand.
    hold INTEGER NOT NULL DEFAULT 0,
    UNIQUE (reconciliation_id, side, row_key)
  )`,
  `CREATE INDEX recon_item_status ON recon_item(reconciliation_id, side, status)`,
  // Id order within a side (rowid is the index's last column): the grid's default order and
  // every sort's tie-break walk an index instead of sorting a million rows.
  `CREATE INDEX recon_item_side ON recon_item(reconciliation_id, side)`,
  `CREATE INDEX recon_item_group ON recon_item(group_id)`,
  `CREATE INDEX recon_item_amount ON recon_item(reconciliation_id, side, amount_cents)`,
  `CREATE INDEX recon_item_date ON recon_item(reconciliation_id, side, row_date)`,
  `CREATE TABLE recon_exception (
    id INTEGER PRIMARY KEY,
    reconciliation_id INTEGER NOT NULL REFERENCES reconciliation(id),
    fingerprint TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'resolved', 'cleared')),
    owner TEXT,
    amount_cents INTEGER,
    lag_days INTEGER,
    reason_code TEXT,
    expected TEXT,
    found TEXT,
    message TEXT NOT NULL,
    left_keys_json TEXT NOT NULL,
    right_keys_json TEXT NOT NULL,
    group_id INTEGER REFERENCES match_group(id) ON DELETE SET NULL,
    opened_at TEXT NOT NULL,
    last_seen_run_id INTEGER,
    resolved_at TEXT,
    resolved_by TEXT,
    resolution TEXT,
    locked INTEGER NOT NULL DEFAULT 0,
    UNIQUE (reconciliation_id, fingerprint)
  )`,
  `CREATE INDEX recon_exception_reason ON recon_exception(reconciliation_id, status, reason)`,
  // Foreign-key actions on match_group deletes look exceptions up by group.
  `CREATE INDEX recon_exception_group ON recon_exception(group_id)`,
  `CREATE TABLE recon_exception_comment (
    id INTEGER PRIMARY KEY,
    exception_id INTEGER NOT NULL REFERENCES recon_exception(id),
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    text TEXT NOT NULL
  )`,
  `CREATE INDEX recon_exception_comment_exception ON recon_exception_comment(exception_id)`,
  `CREATE TABLE proposed_correction (
    id INTEGER PRIMARY KEY,
    reconciliation_id INTEGER NOT NULL REFERENCES reconciliation(id),
    exception_id INTEGER NOT NULL REFERENCES recon_exception(id),
    kind TEXT NOT NULL CHECK (kind IN ('gl-journal', 'inventory-adjustment', 'master-data-fix')),
    status TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'withdrawn')),
    summary TEXT NOT NULL,
    amount_cents INTEGER,
    payload_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    run_id INTEGER,
    UNIQUE (exception_id, kind)
  )`,
  `CREATE INDEX proposed_correction_status ON proposed_correction(status, kind)`,
  `CREATE TABLE recon_saved_view (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    template_id TEXT,
    definition_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (owner, name)
  )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
