/**
 * The outbound capability's part of the API contract: adjustments (GL journals, inventory
 * adjustments, master-data fixes), maker-checker approval, accounting periods, and the
 * outbox that pushes approved adjustments to the ERP exactly once. Its methods join
 * `Handlers` in src-shared/api.ts; the engine registers their handlers in
 * src-main/engine/outbound/handlers.ts.
 */

export type AdjustmentKind = "journal" | "inventory" | "master-data";

/**
 * draft → submitted → approved (once enough approvers have approved) or rejected.
 * A rejected adjustment can be edited (back to draft) and submitted again. An approved
 * adjustment never changes: a correction is a reversal plus a new adjustment.
 */
export type AdjustmentStatus = "draft" | "submitted" | "approved" | "rejected";

/** queued → sending → posted; a failed attempt is retried after a backoff; dead needs a person. */
export type OutboxStatus = "queued" | "sending" | "posted" | "failed" | "dead" | "abandoned";

export interface JournalLineInput {
  account: string;
  costCenter?: string | null;
  departmentCode?: string | null;
  /** Exactly one of debit and credit is positive; both are integer cents. */
  debitCents: number;
  creditCents: number;
  description?: string | null;
}

export interface JournalInput {
  ledger: string;
  /** YYYY-MM. */
  period: string;
  /** YYYY-MM-DD, inside `period`. */
  accountingDate: string;
  description?: string | null;
  lines: JournalLineInput[];
  /** The reconciliation and exception this correction came from (free text ids). */
  reconRef?: string | null;
  exceptionRef?: string | null;
}

export interface InventoryAdjustmentInput {
  item: string;
  location: string;
  /** Signed: negative takes stock out. */
  quantity: number;
  unitCostCents: number | null;
  reason: string;
  /** YYYY-MM; when given it must be open. */
  period?: string | null;
  description?: string | null;
  reconRef?: string | null;
  exceptionRef?: string | null;
}

export interface MasterDataFixInput {
  /** e.g. "provider", "department", "costCenter", "item", "crosswalk". */
  entity: string;
  key: string;
  field: string;
  oldValue: string | null;
  newValue: string | null;
  description?: string | null;
  reconRef?: string | null;
  exceptionRef?: string | null;
}

/** A correction proposed by a reconciliation, in plain data (issue 8 fills these). */
export type ProposedCorrection =
  | ({ kind: "journal" } & JournalInput)
  | ({ kind: "inventory" } & InventoryAdjustmentInput)
  | ({ kind: "master-data" } & MasterDataFixInput);

/** A reason an adjustment cannot be submitted or approved, in the shape users meet errors. */
export interface AdjustmentProblem {
  code: string;
  message: string;
  where?: { line?: number; field?: string };
  expected?: string;
  found?: string;
}

export interface ApprovalInfo {
  approver: string;
  decision: "approve" | "reject";
  reason: string | null;
  at: string;
}

export interface AdjustmentSummary {
  id: number;
  /** Human number, e.g. "ADJ-000012". */
  number: string;
  kind: AdjustmentKind;
  status: AdjustmentStatus;
  description: string | null;
  preparedBy: string;
  createdAt: string;
  updatedAt: string;
  period: string | null;
  /** Journals: total debits; inventory: |quantity| × unit cost, exact to the cent when whole units. */
  amountCents: number;
  /** How many distinct approvers this adjustment needs (1, or 2 above the threshold). */
  requiredApprovals: number;
  approvals: number;
  reconRef: string | null;
  exceptionRef: string | null;
  /** This adjustment reverses that one. */
  reversalOf: number | null;
  /** Set when a later adjustment reverses this one. */
  reversedBy: number | null;
  outbox: { itemId: number; status: OutboxStatus; erpDocumentId: string | null; attempts: number } | null;
}

export interface AdjustmentDetail extends AdjustmentSummary {
  journal: (Omit<JournalInput, "lines" | "reconRef" | "exceptionRef"> & { lines: (JournalLineInput & { lineNumber: number })[] }) | null;
  inventory: Omit<InventoryAdjustmentInput, "reconRef" | "exceptionRef"> | null;
  masterData: Omit<MasterDataFixInput, "reconRef" | "exceptionRef"> | null;
  approvalHistory: ApprovalInfo[];
  rejectionReason: string | null;
  /** What stops a submit right now (empty when it could be submitted); computed, not stored. */
  problems: AdjustmentProblem[];
}

export interface OutboxItemInfo {
  id: number;
  adjustmentId: number;
  adjustmentNumber: string;
  kind: AdjustmentKind;
  idempotencyKey: string;
  /** "http" posts to the ERP endpoint; "file" drops an import file into the folder. */
  transport: "http" | "file";
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string | null;
  erpDocumentId: string | null;
  /** The ERP's last answer (or the network error) for a failed or dead item. */
  lastError: { code: string; message: string; httpStatus: number | null; body: unknown } | null;
  createdAt: string;
  updatedAt: string;
  postedAt: string | null;
  amountCents: number;
  exceptionRef: string | null;
}

export interface OutboxAttemptInfo {
  attempt: number;
  startedAt: string;
  finishedAt: string | null;
  outcome: "posted" | "retry" | "dead" | "interrupted" | null;
  httpStatus: number | null;
  message: string | null;
}

export type FileFormat = "fbdi" | "d365" | "csv" | "xlsx";

export interface OutboundSettings {
  transport: "http" | "file";
  /** Base URL of the ERP's HTTP/JSON API, e.g. http://127.0.0.1:8080. */
  erpUrl: string | null;
  /** Folder the file drop writes into. */
  fileFolder: string | null;
  fileFormat: FileFormat;
  /** Oracle ledger id for FBDI (LEDGER_ID) and the journal source / category names. */
  ledgerId: string;
  journalSource: string;
  journalCategory: string;
  currency: string;
  /** At or above this amount an adjustment needs a second, different approver. */
  secondApprovalThresholdCents: number;
  /** Accounts accepted besides those found in crosswalks and GL journal lines. */
  chartOfAccounts: string[];
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  requestTimeoutMs: number;
  /** When on, the app (not only `tieout outbox run`) sends queued items in the background. */
  autoDispatch: boolean;
}

export interface PeriodInfo {
  ledger: string;
  period: string;
  status: "open" | "closed";
  closedBy: string | null;
  closedAt: string | null;
}

export interface DispatchSummary {
  attempted: number;
  posted: number;
  retrying: number;
  dead: number;
}

type Ref = { id: number };

export interface OutboundHandlers {
  /** Adjustments, newest first, optionally by status, kind or the exception they came from. */
  "adjustments/list": {
    args: { status?: AdjustmentStatus; kind?: AdjustmentKind; exceptionRef?: string; limit?: number };
    result: AdjustmentSummary[];
  };
  /** One adjustment with its lines, approvals, outbox status and what would stop a submit. */
  "adjustments/get": { args: Ref; result: AdjustmentDetail };
  /** Create a draft GL journal by hand. It need not balance yet; submit checks that. */
  "adjustments/createJournal": { args: JournalInput; result: AdjustmentDetail };
  /** Create a draft inventory adjustment. */
  "adjustments/createInventory": { args: InventoryAdjustmentInput; result: AdjustmentDetail };
  /** Create a draft master-data fix. */
  "adjustments/createMasterDataFix": { args: MasterDataFixInput; result: AdjustmentDetail };
  /** Create a draft from a reconciliation's proposed correction. */
  "adjustments/createFromProposal": { args: { proposal: ProposedCorrection }; result: AdjustmentDetail };
  /**
   * Turn a reconciliation's proposed correction (see `recon/corrections`) into draft
   * adjustments — one journal per accounting period — and mark the correction accepted,
   * in one transaction. Preparer only.
   */
  "adjustments/createFromCorrection": { args: { correctionId: number }; result: AdjustmentDetail[] };
  /** Replace a draft's or rejected adjustment's content (a rejected one goes back to draft). Preparer only. */
  "adjustments/update": {
    args: { id: number; journal?: JournalInput; inventory?: InventoryAdjustmentInput; masterData?: MasterDataFixInput };
    result: AdjustmentDetail;
  };
  /** Submit for approval: refused with the first problem when it does not balance, hits a closed period or an unknown account. */
  "adjustments/submit": { args: Ref; result: AdjustmentDetail };
  /** Approve (not your own). The last needed approval makes it immutable and queues it in the outbox. */
  "adjustments/approve": { args: Ref & { comment?: string }; result: AdjustmentDetail };
  /** Reject with a reason (required). */
  "adjustments/reject": { args: Ref & { reason: string }; result: AdjustmentDetail };
  /** Create a draft that reverses an approved adjustment (debits and credits swapped), dated in an open period. */
  "adjustments/reverse": { args: Ref & { accountingDate: string; reason: string }; result: AdjustmentDetail };
  /** Create a new draft with the same content, e.g. to correct an adjustment the ERP refused. */
  "adjustments/duplicate": { args: Ref; result: AdjustmentDetail };

  /** Outbox items, newest first, optionally by status. */
  "outbox/list": { args: { status?: OutboxStatus; limit?: number }; result: OutboxItemInfo[] };
  /** Counts by status, and when the next retry is due. */
  "outbox/status": {
    args: Record<string, never>;
    result: { counts: Record<OutboxStatus, number>; nextAttemptAt: string | null; lastPostedAt: string | null };
  };
  /** One item with its attempt history. */
  "outbox/get": { args: Ref; result: OutboxItemInfo & { attemptHistory: OutboxAttemptInfo[]; payload: unknown } };
  /** Send a dead item again, with the same idempotency key, after fixing what the ERP refused. */
  "outbox/replay": { args: Ref & { reason: string }; result: OutboxItemInfo };
  /** Give up on a dead item (the adjustment stays approved but unposted; duplicate it to correct). */
  "outbox/abandon": { args: Ref & { reason: string }; result: OutboxItemInfo };
  /** Send what is due now, in this process (bounded: one pass). */
  "outbox/dispatch": { args: { limit?: number }; result: DispatchSummary };
  /** The ERP endpoint, file drop folder and format, approval threshold and retry policy. */
  "outbox/settings": { args: Record<string, never>; result: OutboundSettings };
  /** Change some settings (administrator). */
  "outbox/saveSettings": { args: Partial<OutboundSettings>; result: OutboundSettings };
  /** Accounting periods known to the store (from GL lines and closes), with their status. */
  "periods/list": { args: Record<string, never>; result: PeriodInfo[] };
  /** Close a period: adjustments in it can no longer be submitted or approved. */
  "periods/close": { args: { ledger: string; period: string }; result: PeriodInfo };
  /** Reopen a closed period (administrator). */
  "periods/reopen": { args: { ledger: string; period: string; reason: string }; result: PeriodInfo };
  /** Accounts a journal may use: crosswalk targets, GL journal accounts and the configured chart. */
  "adjustments/accounts": { args: Record<string, never>; result: string[] };
}

export const OUTBOUND_METHODS = [
  "adjustments/list",
  "adjustments/get",
  "adjustments/createJournal",
  "adjustments/createInventory",
  "adjustments/createMasterDataFix",
  "adjustments/createFromProposal",
  "adjustments/createFromCorrection",
  "adjustments/update",
  "adjustments/submit",
  "adjustments/approve",
  "adjustments/reject",
  "adjustments/reverse",
  "adjustments/duplicate",
  "adjustments/accounts",
  "outbox/list",
  "outbox/status",
  "outbox/get",
  "outbox/replay",
  "outbox/abandon",
  "outbox/dispatch",
  "outbox/settings",
  "outbox/saveSettings",
  "periods/list",
  "periods/close",
  "periods/reopen",
] as const satisfies readonly (keyof OutboundHandlers)[];

export interface OutboundEvents {
  /** An adjustment was created, changed status or was approved. */
  "adjustments/changed": { id: number; status: AdjustmentStatus };
  /** An outbox item changed status (queued, sending, posted, failed, dead). */
  "outbox/changed": { id: number; adjustmentId: number; status: OutboxStatus; erpDocumentId: string | null };
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the dispatcher is a loop, not a worker job
export interface OutboundJobParams {}
