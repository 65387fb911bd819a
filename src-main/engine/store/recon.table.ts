import type { Generated } from "kysely";

/** Recon tables (migration 0003_recon); see that migration for what each holds. */
export interface ReconRuleSetTable {
  template_id: string;
  version: number;
  /** Shipped with Tieout, or saved by a person (migration 0007). */
  origin: "built-in" | "edited";
  definition_json: string;
  /** `ruleHashOf` the definition: the key (a version number may repeat across origins). */
  definition_hash: string;
  first_loaded_at: string;
  created_by: string | null;
  note: string | null;
}

/** Which rule set runs of a template use; no row: the built-in rules. */
export interface ReconRuleActiveTable {
  template_id: string;
  definition_hash: string;
  set_by: string;
  set_at: string;
}

export interface ReconciliationTable {
  id: Generated<number>;
  template_id: string;
  period: string;
  created_at: string;
  last_run_id: number | null;
}

export interface ReconRunTable {
  id: Generated<number>;
  reconciliation_id: number;
  rule_version: number;
  rule_hash: string;
  input_hash: string;
  left_rows: number;
  right_rows: number;
  changed_rows: number;
  actor: string;
  started_at: string;
  finished_at: string;
  summary_json: string;
  /** 1 when the run's input files are in `recon_run_input` (runs since migration 0008). */
  inputs_recorded: Generated<number>;
  /** Which rows the run left free to match (migration 0011); NULL before. */
  free_hash: string | null;
}

/** A source file a run read (migration 0008). */
export interface ReconRunInputTable {
  run_id: number;
  source_file_id: number;
}

export interface MatchGroupTable {
  id: Generated<number>;
  reconciliation_id: number;
  run_id: number | null;
  pass_id: string | null;
  kind: "auto" | "suggested" | "manual";
  score: number | null;
  explanation: string;
  left_cents: number;
  right_cents: number;
  locked: number;
  created_by: string;
  created_at: string;
  note: string | null;
}

export interface ReconItemTable {
  id: Generated<number>;
  reconciliation_id: number;
  side: "left" | "right";
  row_key: string;
  member_keys: string | null;
  source_table: string | null;
  source_id: number | null;
  amount_cents: number | null;
  row_date: string | null;
  fields_json: string;
  row_hash: string;
  group_id: number | null;
  status: "matched" | "suggested" | "unmatched" | "expected" | "exception" | "explained";
  reason: string | null;
  explained_by: string | null;
  explained_note: string | null;
  locked: number;
  hold: number;
}

export interface ReconExceptionTable {
  id: Generated<number>;
  reconciliation_id: number;
  fingerprint: string;
  reason: string;
  status: "open" | "resolved" | "cleared";
  owner: string | null;
  amount_cents: number | null;
  lag_days: number | null;
  reason_code: string | null;
  expected: string | null;
  found: string | null;
  message: string;
  left_keys_json: string;
  right_keys_json: string;
  group_id: number | null;
  opened_at: string;
  last_seen_run_id: number | null;
  resolved_at: string | null;
  resolved_by: string | null;
  resolution: string | null;
  locked: number;
  /** The oldest activity date of its records, that its age counts from (0012); NULL until the next run. */
  item_date: string | null;
  /** 1 when a manual match or an explanation resolved it: undoing that decision reopens it (0009). */
  settled_by_decision: Generated<number>;
}

export interface ReconExceptionCommentTable {
  id: Generated<number>;
  exception_id: number;
  author: string;
  at: string;
  text: string;
}

export interface ProposedCorrectionTable {
  id: Generated<number>;
  reconciliation_id: number;
  exception_id: number;
  kind: "gl-journal" | "inventory-adjustment" | "master-data-fix";
  status: "proposed" | "accepted" | "withdrawn";
  summary: string;
  amount_cents: number | null;
  payload_json: string;
  created_at: string;
  run_id: number | null;
  /** Why Tieout withdrew it (break-cleared, break-settled, break-resolved); NULL when a person did (0009). */
  withdrawn_reason: string | null;
}

export interface ReconSavedViewTable {
  id: Generated<number>;
  owner: string;
  name: string;
  template_id: string | null;
  definition_json: string;
  created_at: string;
}

export interface ReconTablesSchema {
  recon_rule_set: ReconRuleSetTable;
  recon_rule_active: ReconRuleActiveTable;
  recon_run_input: ReconRunInputTable;
  reconciliation: ReconciliationTable;
  recon_run: ReconRunTable;
  match_group: MatchGroupTable;
  recon_item: ReconItemTable;
  recon_exception: ReconExceptionTable;
  recon_exception_comment: ReconExceptionCommentTable;
  proposed_correction: ProposedCorrectionTable;
  recon_saved_view: ReconSavedViewTable;
}
