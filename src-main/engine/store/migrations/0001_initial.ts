import { sql, type Kysely } from "kysely";

/**
 * First schema: the raw archive, imported files, jobs, settings, mapping profiles,
 * and the first-cut canonical tables from DESIGN.md. Frozen once released: later
 * changes go in new migrations.
 *
 * Money columns end in `_cents` and are INTEGER. Calendar dates are TEXT YYYY-MM-DD,
 * instants TEXT ISO-8601 UTC. `raw_record_id` is each row's lineage to the archive.
 */
const statements = [
  `CREATE TABLE source_file (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    path TEXT,
    format TEXT,
    system TEXT,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('importing', 'complete', 'partial')),
    units INTEGER NOT NULL DEFAULT 0,
    loaded INTEGER NOT NULL DEFAULT 0,
    quarantined INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    issues_json TEXT NOT NULL DEFAULT '[]',
    header_line TEXT
  )`,
  `CREATE INDEX source_file_sha ON source_file(sha256)`,
  `CREATE TABLE raw_record (
    id INTEGER PRIMARY KEY,
    source_file_id INTEGER REFERENCES source_file(id),
    connector TEXT NOT NULL,
    kind TEXT NOT NULL,
    control_id TEXT,
    content TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    line INTEGER,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('loaded', 'quarantined', 'ignored', 'replayed')),
    issues_json TEXT NOT NULL DEFAULT '[]',
    record_count INTEGER NOT NULL DEFAULT 0,
    replay_of INTEGER REFERENCES raw_record(id)
  )`,
  `CREATE INDEX raw_record_control ON raw_record(kind, control_id) WHERE control_id IS NOT NULL`,
  `CREATE INDEX raw_record_sha ON raw_record(sha256)`,
  `CREATE INDEX raw_record_status ON raw_record(status)`,
  `CREATE INDEX raw_record_file ON raw_record(source_file_id)`,
  `CREATE TABLE job (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    label TEXT NOT NULL,
    params_json TEXT NOT NULL,
    requested_by TEXT NOT NULL DEFAULT 'system',
    phase TEXT,
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER,
    message TEXT,
    error TEXT,
    result_json TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT
  )`,
  /** Per-connector activity the raw archive cannot show: re-sent duplicates and the last time anything arrived. */
  `CREATE TABLE connector_activity (
    connector TEXT PRIMARY KEY,
    duplicates INTEGER NOT NULL DEFAULT 0,
    last_activity_at TEXT,
    last_error TEXT
  )`,
  `CREATE TABLE setting (key TEXT PRIMARY KEY, value_json TEXT NOT NULL, updated_at TEXT NOT NULL)`,
  `CREATE TABLE mapping_profile (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    record_type TEXT NOT NULL,
    system TEXT NOT NULL,
    header_signature TEXT NOT NULL,
    definition_json TEXT NOT NULL,
    created_at TEXT NOT NULL
  )`,
  `CREATE INDEX mapping_profile_signature ON mapping_profile(header_signature)`,
  /** Every raw record that contributed to a row of an upserted (state) table. */
  `CREATE TABLE lineage (
    table_name TEXT NOT NULL,
    row_id INTEGER NOT NULL,
    raw_record_id INTEGER NOT NULL REFERENCES raw_record(id),
    PRIMARY KEY (table_name, row_id, raw_record_id)
  ) WITHOUT ROWID`,

  // ---------------------------------------------------------------- ehr / billing
  `CREATE TABLE patient_account (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    account_number TEXT NOT NULL, mrn TEXT, patient_name TEXT, birth_date TEXT,
    financial_class TEXT, primary_payer_id TEXT,
    UNIQUE (system, account_number)
  )`,
  `CREATE TABLE encounter (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    visit_number TEXT NOT NULL, account_number TEXT, mrn TEXT, patient_class TEXT,
    facility_code TEXT, location_code TEXT, department_code TEXT, attending_npi TEXT,
    admit_at TEXT, discharge_at TEXT, status TEXT NOT NULL, last_event TEXT, financial_class TEXT,
    UNIQUE (system, visit_number)
  )`,
  `CREATE INDEX encounter_account ON encounter(account_number)`,
  `CREATE TABLE charge (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    transaction_id TEXT NOT NULL, account_number TEXT, visit_number TEXT, cdm_code TEXT NOT NULL,
    revenue_code TEXT, department_code TEXT, quantity REAL NOT NULL, amount_cents INTEGER NOT NULL,
    unit_amount_cents INTEGER, service_date TEXT NOT NULL, posting_date TEXT, transaction_type TEXT,
    performing_npi TEXT, description TEXT, reverses_transaction_id TEXT
  )`,
  `CREATE INDEX charge_txn ON charge(system, transaction_id)`,
  `CREATE INDEX charge_account ON charge(account_number, cdm_code, service_date)`,
  `CREATE TABLE supply_usage (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    usage_id TEXT NOT NULL, account_number TEXT, visit_number TEXT, supply_code TEXT NOT NULL,
    location_code TEXT, department_code TEXT, quantity REAL NOT NULL, used_date TEXT NOT NULL,
    implant INTEGER NOT NULL, lot_number TEXT, serial_number TEXT, cdm_code TEXT
  )`,
  `CREATE INDEX supply_usage_id ON supply_usage(system, usage_id)`,
  `CREATE TABLE claim (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    claim_id TEXT NOT NULL, kind TEXT NOT NULL, account_number TEXT, payer_id TEXT, payer_name TEXT,
    billing_npi TEXT, total_charge_cents INTEGER NOT NULL, frequency_code TEXT,
    service_from TEXT, service_to TEXT, interchange_ref TEXT
  )`,
  `CREATE INDEX claim_claim_id ON claim(claim_id)`,
  `CREATE TABLE claim_line (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    claim_id TEXT NOT NULL, line_number INTEGER NOT NULL, procedure_code TEXT, modifiers TEXT,
    revenue_code TEXT, charge_cents INTEGER NOT NULL, units REAL, service_date TEXT, line_control TEXT
  )`,
  `CREATE INDEX claim_line_claim ON claim_line(claim_id)`,

  // ---------------------------------------------------------------- remittance
  `CREATE TABLE remittance_payment (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    trace_number TEXT NOT NULL, payer_identifier TEXT, payer_name TEXT, payee_npi TEXT, payee_name TEXT,
    amount_cents INTEGER NOT NULL, credit_debit TEXT, payment_method TEXT, payment_date TEXT,
    balanced INTEGER NOT NULL
  )`,
  `CREATE INDEX remittance_payment_trace ON remittance_payment(trace_number)`,
  `CREATE TABLE claim_payment (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    trace_number TEXT NOT NULL, claim_id TEXT NOT NULL, status_code TEXT NOT NULL,
    charge_cents INTEGER NOT NULL, paid_cents INTEGER NOT NULL, patient_responsibility_cents INTEGER,
    payer_claim_control TEXT, sequence INTEGER NOT NULL
  )`,
  `CREATE INDEX claim_payment_claim ON claim_payment(claim_id)`,
  `CREATE INDEX claim_payment_trace ON claim_payment(trace_number)`,
  `CREATE TABLE service_payment (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    trace_number TEXT NOT NULL, claim_id TEXT NOT NULL, claim_sequence INTEGER NOT NULL,
    sequence INTEGER NOT NULL, procedure_code TEXT, revenue_code TEXT, charge_cents INTEGER NOT NULL,
    paid_cents INTEGER NOT NULL, units REAL, line_control TEXT, service_date TEXT
  )`,
  `CREATE INDEX service_payment_claim ON service_payment(claim_id)`,
  `CREATE TABLE remittance_adjustment (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    trace_number TEXT NOT NULL, claim_id TEXT NOT NULL, claim_sequence INTEGER NOT NULL,
    service_sequence INTEGER, group_code TEXT NOT NULL, reason_code TEXT NOT NULL,
    amount_cents INTEGER NOT NULL, quantity REAL
  )`,
  `CREATE INDEX remittance_adjustment_claim ON remittance_adjustment(claim_id)`,
  `CREATE TABLE provider_adjustment (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    trace_number TEXT NOT NULL, provider_id TEXT NOT NULL, fiscal_period_date TEXT,
    reason_code TEXT NOT NULL, reference TEXT, amount_cents INTEGER NOT NULL, sequence INTEGER NOT NULL
  )`,

  // ---------------------------------------------------------------- bank
  `CREATE TABLE bank_transaction (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    bank_transaction_id TEXT NOT NULL, bank_account TEXT NOT NULL, currency TEXT, as_of_date TEXT NOT NULL,
    type_code TEXT NOT NULL, amount_cents INTEGER NOT NULL, bank_reference TEXT, customer_reference TEXT,
    text TEXT, reassociation_trace TEXT, reassociation_payer_id TEXT
  )`,
  `CREATE INDEX bank_transaction_trace ON bank_transaction(reassociation_trace)`,

  // ---------------------------------------------------------------- ERP
  `CREATE TABLE journal_line (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    journal_id TEXT NOT NULL, line_number INTEGER NOT NULL, ledger TEXT, period TEXT NOT NULL,
    accounting_date TEXT NOT NULL, account TEXT NOT NULL, cost_center TEXT, department_code TEXT,
    debit_cents INTEGER NOT NULL, credit_cents INTEGER NOT NULL, description TEXT,
    journal_source TEXT, reference TEXT
  )`,
  `CREATE INDEX journal_line_period ON journal_line(period, account, cost_center)`,
  `CREATE TABLE inventory_transaction (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    transaction_id TEXT NOT NULL, item_number TEXT NOT NULL, location_code TEXT NOT NULL,
    transaction_type TEXT NOT NULL, quantity REAL NOT NULL, unit_cost_cents INTEGER,
    transaction_date TEXT NOT NULL, cost_center TEXT, reference TEXT, lot_number TEXT, serial_number TEXT
  )`,
  `CREATE INDEX inventory_transaction_item ON inventory_transaction(item_number, location_code, transaction_date)`,
  `CREATE TABLE on_hand_balance (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    item_number TEXT NOT NULL, location_code TEXT NOT NULL, as_of_date TEXT NOT NULL,
    quantity REAL NOT NULL, unit_cost_cents INTEGER,
    UNIQUE (system, item_number, location_code, as_of_date)
  )`,

  // ---------------------------------------------------------------- masters
  `CREATE TABLE provider (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    npi TEXT NOT NULL, name TEXT, specialty TEXT, department_code TEXT, active INTEGER NOT NULL,
    UNIQUE (system, npi)
  )`,
  `CREATE TABLE department (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    code TEXT NOT NULL, name TEXT, cost_center TEXT, facility_code TEXT,
    UNIQUE (system, code)
  )`,
  `CREATE TABLE cost_center (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    code TEXT NOT NULL, name TEXT, active INTEGER NOT NULL,
    UNIQUE (system, code)
  )`,
  `CREATE TABLE location (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    code TEXT NOT NULL, name TEXT, department_code TEXT, facility_code TEXT,
    UNIQUE (system, code)
  )`,
  `CREATE TABLE item (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    item_number TEXT NOT NULL, description TEXT, unit_of_measure TEXT, unit_cost_cents INTEGER,
    chargeable INTEGER NOT NULL, cdm_code TEXT, implant INTEGER NOT NULL,
    UNIQUE (system, item_number)
  )`,
  `CREATE TABLE charge_master_entry (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    cdm_code TEXT NOT NULL, description TEXT, revenue_code TEXT, department_code TEXT, price_cents INTEGER,
    UNIQUE (system, cdm_code)
  )`,
  `CREATE TABLE payer (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    payer_id TEXT NOT NULL, name TEXT, eft_originator_id TEXT,
    UNIQUE (system, payer_id)
  )`,
  `CREATE TABLE crosswalk (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, raw_record_id INTEGER REFERENCES raw_record(id),
    kind TEXT NOT NULL, from_code TEXT NOT NULL, to_code TEXT NOT NULL,
    effective_from TEXT, effective_to TEXT,
    UNIQUE (system, kind, from_code, effective_from)
  )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
