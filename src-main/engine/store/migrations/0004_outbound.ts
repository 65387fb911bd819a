import { sql, type Kysely } from "kysely";

/**
 * Tables for outbound (issue 6): adjustments and their journal lines, approvals,
 * accounting periods closed in Tieout, and the durable outbox with its attempt history.
 * `recon_ref` / `exception_ref` are text, not foreign keys: reconciliations live in
 * another capability's tables and a hand-made adjustment has none.
 */
const statements = [
  `CREATE TABLE adjustment (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('journal', 'inventory', 'master-data')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'rejected')),
    description TEXT,
    prepared_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    submitted_at TEXT,
    approved_at TEXT,
    ledger TEXT,
    period TEXT,
    accounting_date TEXT,
    amount_cents INTEGER NOT NULL DEFAULT 0,
    required_approvals INTEGER NOT NULL DEFAULT 1,
    body_json TEXT NOT NULL,
    recon_ref TEXT,
    exception_ref TEXT,
    reversal_of INTEGER REFERENCES adjustment(id),
    rejection_reason TEXT
  )`,
  `CREATE INDEX adjustment_status ON adjustment(status, id)`,
  `CREATE INDEX adjustment_exception ON adjustment(exception_ref)`,
  `CREATE INDEX adjustment_reversal ON adjustment(reversal_of)`,
  `CREATE TABLE adjustment_line (
    adjustment_id INTEGER NOT NULL REFERENCES adjustment(id),
    line_number INTEGER NOT NULL,
    account TEXT NOT NULL,
    cost_center TEXT,
    department_code TEXT,
    debit_cents INTEGER NOT NULL,
    credit_cents INTEGER NOT NULL,
    description TEXT,
    PRIMARY KEY (adjustment_id, line_number)
  )`,
  `CREATE TABLE adjustment_approval (
    id INTEGER PRIMARY KEY,
    adjustment_id INTEGER NOT NULL REFERENCES adjustment(id),
    approver TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    reason TEXT,
    at TEXT NOT NULL,
    -- Which submission round this decision belongs to: a resubmitted adjustment starts afresh.
    round INTEGER NOT NULL
  )`,
  `CREATE INDEX adjustment_approval_adjustment ON adjustment_approval(adjustment_id, round)`,
  `CREATE TABLE accounting_period (
    ledger TEXT NOT NULL,
    period TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    closed_by TEXT,
    closed_at TEXT,
    PRIMARY KEY (ledger, period)
  )`,
  `CREATE TABLE outbox_item (
    id INTEGER PRIMARY KEY,
    adjustment_id INTEGER NOT NULL UNIQUE REFERENCES adjustment(id),
    idempotency_key TEXT NOT NULL UNIQUE,
    transport TEXT NOT NULL CHECK (transport IN ('http', 'file')),
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'posted', 'failed', 'dead', 'abandoned')),
    payload_json TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- attempts made before the last replay: the retry cap counts from there.
    attempts_before_replay INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    lease_owner TEXT,
    lease_until TEXT,
    erp_document_id TEXT,
    last_error_json TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    posted_at TEXT
  )`,
  `CREATE INDEX outbox_item_due ON outbox_item(status, next_attempt_at)`,
  `CREATE TABLE outbox_attempt (
    item_id INTEGER NOT NULL REFERENCES outbox_item(id),
    attempt INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT,
    http_status INTEGER,
    message TEXT,
    PRIMARY KEY (item_id, attempt)
  )`,
  // An approved adjustment is immutable (a change is a reversal plus a new adjustment), and
  // what the outbox sends never changes after approval; the database enforces both.
  `CREATE TRIGGER adjustment_approved_immutable BEFORE UPDATE ON adjustment WHEN OLD.status = 'approved'
   BEGIN SELECT RAISE(ABORT, 'an approved adjustment cannot be changed: reverse it and create a new one'); END`,
  `CREATE TRIGGER adjustment_no_delete BEFORE DELETE ON adjustment
   BEGIN SELECT RAISE(ABORT, 'adjustments are never deleted'); END`,
  `CREATE TRIGGER adjustment_line_frozen_update BEFORE UPDATE ON adjustment_line
   WHEN (SELECT status FROM adjustment WHERE id = OLD.adjustment_id) IN ('submitted', 'approved')
   BEGIN SELECT RAISE(ABORT, 'the lines of a submitted or approved adjustment cannot be changed'); END`,
  `CREATE TRIGGER adjustment_line_frozen_delete BEFORE DELETE ON adjustment_line
   WHEN (SELECT status FROM adjustment WHERE id = OLD.adjustment_id) IN ('submitted', 'approved')
   BEGIN SELECT RAISE(ABORT, 'the lines of a submitted or approved adjustment cannot be changed'); END`,
  `CREATE TRIGGER adjustment_line_frozen_insert BEFORE INSERT ON adjustment_line
   WHEN (SELECT status FROM adjustment WHERE id = NEW.adjustment_id) IN ('submitted', 'approved')
   BEGIN SELECT RAISE(ABORT, 'the lines of a submitted or approved adjustment cannot be changed'); END`,
  `CREATE TRIGGER outbox_item_payload_frozen BEFORE UPDATE OF payload_json, idempotency_key, adjustment_id ON outbox_item
   WHEN NEW.payload_json IS NOT OLD.payload_json OR NEW.idempotency_key IS NOT OLD.idempotency_key OR NEW.adjustment_id IS NOT OLD.adjustment_id
   BEGIN SELECT RAISE(ABORT, 'an outbox item sends what was approved: its payload and idempotency key never change'); END`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
