import type { AuditChainCheck, AuditEntryInfo, SignoffInfo } from "../../../src-shared/api/audit";
import type { ReconTemplate } from "../../../src-shared/reconRules";

/** Ageing buckets of a reconciling item, by days since its date at the period end. */
export const AGE_BUCKETS = ["0-30", "31-60", "61-90", "91+"] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];

export function ageBucket(ageDays: number): AgeBucket {
  if (ageDays <= 30) return "0-30";
  if (ageDays <= 60) return "31-60";
  if (ageDays <= 90) return "61-90";
  return "91+";
}

export interface InputFile {
  fileName: string;
  system: string | null;
  receivedAt: string;
  sha256: string;
}

/** One side of a match group: a source record that matched. */
export interface MatchedItem {
  matchGroupId: string;
  /** The rule or pass that made the match. */
  rule: string;
  side: "left" | "right";
  recordType: string;
  /** The business key the rule matched on (account number, trace number...). */
  key: string;
  /** A patient identifier (MRN, patient account): masked unless allowed. */
  patientId: string | null;
  date: string | null;
  description: string;
  amountCents: number;
}

/** An unmatched or partly matched item that explains the difference between the two sides. */
export interface ReconcilingItem {
  exceptionId: string;
  reason: string;
  side: "left" | "right" | "both";
  key: string;
  patientId: string | null;
  date: string | null;
  ageDays: number;
  description: string;
  /** Signed so that left balance + Σ reconciling items = right balance. */
  amountCents: number;
  status: string;
  owner: string | null;
  explanation: string | null;
}

export interface AdjustmentLine {
  adjustmentId: string;
  status: "proposed" | "approved" | "posted" | "rejected";
  kind: string;
  account: string;
  costCenter: string | null;
  description: string;
  debitCents: number;
  creditCents: number;
  preparedBy: string | null;
  approvedBy: string | null;
  postedAt: string | null;
}

export interface ReasonTotal {
  reason: string;
  count: number;
  amountCents: number;
  ageing: Record<AgeBucket, { count: number; amountCents: number }>;
}

/**
 * Everything a workpaper shows, as plain data. Row collections are functions returning
 * iterables so a million rows stream from the store to the file without being held.
 */
/** The matching rules a run used, as the store keeps them (the Rules sheet). */
export interface RulesUsed {
  version: number;
  origin: "built-in" | "edited";
  hash: string;
  savedBy: string | null;
  note: string | null;
  definition: ReconTemplate;
}

export interface WorkpaperData {
  entity: string;
  /** YYYY-MM */
  period: string;
  reconId: string;
  reconciliationName: string;
  ruleSetVersion: string | null;
  /** The rules of the run shown; absent for a source that does not keep them. */
  rules?: RulesUsed | null;
  runId: string | null;
  runAt: string | null;
  leftLabel: string;
  rightLabel: string;
  inputFiles: InputFile[];
  preparer: SignoffInfo | null;
  reviewer: SignoffInfo | null;
  leftBalanceCents: number;
  rightBalanceCents: number;
  reconcilingByReason: ReasonTotal[];
  matchedCount: number;
  reconcilingItems: () => Iterable<ReconcilingItem>;
  matchedItems: () => Iterable<MatchedItem>;
  adjustments: AdjustmentLine[];
  auditExtract: () => Iterable<AuditEntryInfo>;
  auditChain: AuditChainCheck;
  /** The sign-off fingerprint of the figures shown. */
  fingerprint: string;
  generatedAt: string;
  generatedBy: string;
}

/** Totals by reason with ageing, from the items (for sources that do not aggregate in SQL). */
export function totalsByReason(items: Iterable<ReconcilingItem>): ReasonTotal[] {
  const byReason = new Map<string, ReasonTotal>();
  for (const item of items) {
    let total = byReason.get(item.reason);
    if (!total) {
      total = {
        reason: item.reason,
        count: 0,
        amountCents: 0,
        ageing: Object.fromEntries(AGE_BUCKETS.map((b) => [b, { count: 0, amountCents: 0 }])) as ReasonTotal["ageing"],
      };
      byReason.set(item.reason, total);
    }
    total.count++;
    total.amountCents += item.amountCents;
    const bucket = total.ageing[ageBucket(item.ageDays)];
    bucket.count++;
    bucket.amountCents += item.amountCents;
  }
  return [...byReason.values()].sort((a, b) => a.reason.localeCompare(b.reason));
}
