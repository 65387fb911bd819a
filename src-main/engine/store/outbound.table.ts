/** Outbound tables (migration 0004): adjustments, approvals, periods, outbox. */

export interface AdjustmentTable {
  id: number;
  kind: "journal" | "inventory" | "master-data";
  status: "draft" | "submitted" | "approved" | "rejected";
  description: string | null;
  prepared_by: string;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  approved_at: string | null;
  ledger: string | null;
  period: string | null;
  accounting_date: string | null;
  amount_cents: number;
  required_approvals: number;
  /** The inventory adjustment or master-data fix fields; for journals the header. */
  body_json: string;
  recon_ref: string | null;
  exception_ref: string | null;
  reversal_of: number | null;
  rejection_reason: string | null;
}

export interface AdjustmentLineTable {
  adjustment_id: number;
  line_number: number;
  account: string;
  cost_center: string | null;
  department_code: string | null;
  debit_cents: number;
  credit_cents: number;
  description: string | null;
}

export interface AdjustmentApprovalTable {
  id: number;
  adjustment_id: number;
  approver: string;
  decision: "approve" | "reject";
  reason: string | null;
  at: string;
  round: number;
}

export interface AccountingPeriodTable {
  ledger: string;
  period: string;
  status: "open" | "closed";
  closed_by: string | null;
  closed_at: string | null;
}

export interface OutboxItemTable {
  id: number;
  adjustment_id: number;
  idempotency_key: string;
  transport: "http" | "file";
  status: "queued" | "sending" | "posted" | "failed" | "dead" | "abandoned";
  payload_json: string;
  attempts: number;
  attempts_before_replay: number;
  next_attempt_at: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  erp_document_id: string | null;
  last_error_json: string | null;
  created_at: string;
  updated_at: string;
  posted_at: string | null;
}

export interface OutboxAttemptTable {
  item_id: number;
  attempt: number;
  started_at: string;
  finished_at: string | null;
  outcome: string | null;
  http_status: number | null;
  message: string | null;
}

export interface OutboundTablesSchema {
  adjustment: AdjustmentTable;
  adjustment_line: AdjustmentLineTable;
  adjustment_approval: AdjustmentApprovalTable;
  accounting_period: AccountingPeriodTable;
  outbox_item: OutboxItemTable;
  outbox_attempt: OutboxAttemptTable;
}
