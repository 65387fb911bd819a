/**
 * The audit capability's part of the API contract: the audit trail, sign-off, Excel
 * workpapers and the exceptions round trip. Its methods join `Handlers` in
 * src-shared/api.ts; the engine registers their handlers in src-main/engine/audit/handlers.ts.
 */

/** One entry of the append-only, hash-chained audit log. */
export interface AuditEntryInfo {
  seq: number;
  /** ISO timestamp, UTC. */
  at: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  reason: string | null;
  hash: string;
}

export interface AuditFilter {
  actor?: string;
  /** Exact action, e.g. "sign-off". */
  action?: string;
  entityType?: string;
  /** Exact entity id, or a prefix when it ends with "*" (e.g. "charge-recon/2026-10*"). */
  entityId?: string;
  /** Inclusive lower bound on `at` (a date YYYY-MM-DD or an ISO instant). */
  from?: string;
  /** Inclusive upper bound on `at`: a bare date includes that whole day. */
  to?: string;
  /** Free text matched against action, entity, actor and reason. */
  search?: string;
}

export type AuditChainCheck =
  { ok: true; entries: number; lastHash: string } | { ok: false; entries: number; firstBadSeq: number; problem: string };

export type SignoffRole = "preparer" | "reviewer";

/** The reconciling line of rows nobody has matched, explained or raised yet: the unexplained difference. */
export const UNCLASSIFIED = "Not yet classified";

/**
 * Rows nobody has matched, explained or raised, in signed figures: a sign-off waits until there are
 * none, even when their amounts cancel out (an unmatched pair is work not done). `differenceCents`
 * is signed as the balance shows it (left − right); the figures carry it the other way round.
 */
export function unexplainedIn(figures: SignedFigures): { count: number; differenceCents: number } | null {
  const line = figures.reconcilingItems.find((r) => r.reason === UNCLASSIFIED);
  return line && line.count > 0 ? { count: line.count, differenceCents: -line.amountCents } : null;
}

/** The figures a sign-off covers; their SHA-256 is the sign-off's fingerprint. */
export interface SignedFigures {
  reconId: string;
  period: string;
  ruleSetVersion: string | null;
  leftBalanceCents: number;
  rightBalanceCents: number;
  reconcilingItems: { reason: string; count: number; amountCents: number }[];
  matchedCount: number;
  proposedAdjustmentsCents: number;
  postedAdjustmentsCents: number;
  /** SHA-256 of each input file, sorted. */
  inputFileHashes: string[];
}

export interface SignoffInfo {
  id: number;
  role: SignoffRole;
  userId: string;
  displayName: string;
  signedAt: string;
  comment: string | null;
  fingerprint: string;
  /** Set when the sign-off no longer stands. */
  voidedAt: string | null;
  voidedBy: string | null;
  /** Why: which signed figure changed, or the reason given by whoever withdrew it. */
  voidReason: string | null;
}

export interface SignoffStatus {
  reconId: string;
  period: string;
  /** The current figures and their fingerprint. */
  figures: SignedFigures;
  fingerprint: string;
  /** The standing sign-off per role, if any. */
  preparer: SignoffInfo | null;
  reviewer: SignoffInfo | null;
  /** Every sign-off for this reconciliation and period, newest first, voided ones included. */
  history: SignoffInfo[];
  /** True when the reconciliation's engine tables are present and the figures come from a run. */
  figuresAvailable: boolean;
}

export interface WorkpaperExportParams {
  reconId: string;
  /** YYYY-MM */
  period: string;
  /** Where to write; default: an `exports` folder beside the database. */
  outPath?: string;
  /** Show patient identifiers unmasked: needs the phi role as well. */
  includePhi?: boolean;
}

export interface ExportRecord {
  id: string;
  kind: "workpaper" | "exceptions";
  reconId: string;
  period: string;
  path: string;
  sha256: string | null;
  rows: number;
  sheets: string[];
  phiUnmasked: boolean;
  createdBy: string;
  createdAt: string;
}

/** A difference between the returned workbook and Tieout for one exception. */
export interface RoundtripChange {
  exceptionId: string;
  field: "explanation" | "owner";
  /** As exported. */
  base: string;
  /** As typed in the workbook. */
  workbook: string;
  /** As in Tieout now. */
  current: string;
  /** apply: only the workbook changed it; conflict: both changed it differently; same: both agree. */
  outcome: "apply" | "conflict" | "same";
}

export interface RoundtripPreview {
  exportId: string;
  reconId: string;
  period: string;
  fileName: string;
  sha256: string;
  /** Rows read from the workbook. */
  rows: number;
  changes: RoundtripChange[];
  /** Rows that could not be used, with a readable reason (unknown exception id, edited id column...). */
  problems: { row: number; message: string }[];
}

export interface AuditHandlers {
  /** One page of the audit log, newest first, filtered by actor, action, entity and date range. */
  "audit/list": {
    args: AuditFilter & { offset?: number; limit?: number };
    result: { entries: AuditEntryInfo[]; total: number; offset: number; actors: string[]; actions: string[] };
  };
  /** Recompute the hash chain from the first entry; names the first altered or removed entry. */
  "audit/verify": { args: Record<string, never>; result: AuditChainCheck };
  /**
   * Sign-off state of a reconciliation for a period. Reading it re-checks the fingerprint:
   * a sign-off whose figures changed since is voided here, and the audit trail says which.
   */
  "signoff/status": { args: { reconId: string; period: string }; result: SignoffStatus };
  /**
   * Sign off as preparer (preparer role) or reviewer (reviewer role, after a standing
   * preparer sign-off by someone else). Signs the figures as they are now.
   */
  "signoff/sign": {
    args: { reconId: string; period: string; role: SignoffRole; comment?: string; expectedFingerprint?: string };
    result: SignoffStatus;
  };
  /** Withdraw a standing sign-off with a reason (the signer, or an administrator). */
  "signoff/void": { args: { reconId: string; period: string; role: SignoffRole; reason: string }; result: SignoffStatus };
  /** Workbooks written for a reconciliation and period (or all), newest first. */
  "workpaper/list": { args: { reconId?: string; period?: string; limit?: number }; result: ExportRecord[] };
  /**
   * Write the open exceptions of a reconciliation and period to a workbook an analyst can
   * fill offline (explanation, owner). Returns where it was written.
   */
  "exceptions/exportWorkbook": {
    args: { reconId: string; period: string; outPath?: string; includePhi?: boolean };
    result: ExportRecord;
  };
  /**
   * Read a returned round-trip workbook (a path on this computer, e.g. from `import/upload`).
   * With `apply: false` nothing changes and the preview lists what would apply and what
   * conflicts; with `apply: true` the non-conflicting changes are applied with provenance
   * (the audit trail names the workbook and its hash), conflicts are left as they are.
   */
  "exceptions/importWorkbook": {
    args: { path: string; apply: boolean };
    result: RoundtripPreview & { applied: number };
  };
}

export const AUDIT_METHODS = [
  "audit/list",
  "audit/verify",
  "signoff/status",
  "signoff/sign",
  "signoff/void",
  "workpaper/list",
  "exceptions/exportWorkbook",
  "exceptions/importWorkbook",
] as const satisfies readonly (keyof AuditHandlers)[];

export interface AuditEvents {
  /** A sign-off was given, withdrawn or voided by a changed figure. */
  "signoff/changed": { reconId: string; period: string; role: SignoffRole; change: "signed" | "voided"; reason: string | null };
}

export interface AuditJobParams {
  /** Write the Excel workpaper of a reconciliation and period (streams; large runs split across sheets). */
  workpaper: WorkpaperExportParams;
}
