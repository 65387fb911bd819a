import { appendAudit, auditEntriesFor } from "../audit/auditLog";
import type { Store } from "../store/store";
import type { ReconRunSummary, ReconSource } from "./reconSource";
import { totalsByReason, type AdjustmentLine, type MatchedItem, type ReconcilingItem } from "./workpaperData";

/**
 * A reconciliation held in memory, standing in for the recon engine's tables in tests:
 * mutable so a test can change a signed figure, and auditing its exception edits like the
 * real one must.
 */
export class MemoryReconSource implements ReconSource {
  leftBalanceCents = 500_000_00;
  exceptions: ReconcilingItem[];
  matched: MatchedItem[] = [
    {
      matchGroupId: "MG-1",
      rule: "trace",
      side: "left",
      recordType: "claim_payment",
      key: "T1",
      patientId: "MRN1234567",
      date: "2026-10-02",
      description: "ok",
      amountCents: 100_00,
    },
    {
      matchGroupId: "MG-1",
      rule: "trace",
      side: "right",
      recordType: "bank_transaction",
      key: "T1",
      patientId: null,
      date: "2026-10-03",
      description: "ok",
      amountCents: 100_00,
    },
  ];
  adjustmentLines: AdjustmentLine[] = [];
  hasRun = true;

  constructor(
    private readonly store: Store,
    readonly reconId = "cash",
    readonly period = "2026-10",
  ) {
    this.exceptions = [
      {
        exceptionId: "EX-1",
        reason: "Unapplied cash",
        side: "right",
        key: "T9",
        patientId: "MRN7654321",
        date: "2026-10-20",
        ageDays: 11,
        description: "=SUM(A1)",
        amountCents: 250_00,
        status: "open",
        owner: null,
        explanation: null,
      },
      {
        exceptionId: "EX-2",
        reason: "Underpayment",
        side: "left",
        key: "C7",
        patientId: "MRN5550001",
        date: "2026-09-01",
        ageDays: 60,
        description: "short paid",
        amountCents: -75_50,
        status: "open",
        owner: "ana",
        explanation: "payer review",
      },
      {
        exceptionId: "EX-3",
        reason: "Underpayment",
        side: "left",
        key: "C8",
        patientId: null,
        date: "2026-08-01",
        ageDays: 91,
        description: "short paid",
        amountCents: -10_00,
        status: "open",
        owner: null,
        explanation: null,
      },
    ];
  }

  summary(reconId: string, period: string): ReconRunSummary | null {
    if (!this.hasRun || reconId !== this.reconId || period !== this.period) return null;
    const reconcilingByReason = totalsByReason(this.exceptions);
    return {
      reconId,
      reconciliationName: "Remittance to bank",
      entity: "Riverside Health",
      period,
      ruleSetVersion: "cash@1",
      runId: "run-1",
      runAt: "2026-11-01T00:00:00Z",
      leftLabel: "835 payments",
      rightLabel: "BAI2 deposits",
      leftBalanceCents: this.leftBalanceCents,
      rightBalanceCents: 500_000_00 + 250_00 - 75_50 - 10_00,
      matchedCount: this.matched.length,
      reconcilingByReason,
      inputFiles: [{ fileName: "era.835", system: "payer", receivedAt: "2026-11-01T00:00:00Z", sha256: "ab".repeat(32) }],
    };
  }
  reconcilingItems = () => this.exceptions;
  matchedItems = () => this.matched;
  adjustments = () => this.adjustmentLines;
  auditExtract = (reconId: string, period: string) => auditEntriesFor(this.store, reconId, period);
  openExceptions = () => this.exceptions.filter((e) => e.status === "open");
  exception(exceptionId: string) {
    const e = this.exceptions.find((x) => x.exceptionId === exceptionId);
    return e ? { reconId: this.reconId, period: this.period, explanation: e.explanation, owner: e.owner } : null;
  }
  updateException(exceptionId: string, edit: { explanation?: string; owner?: string }, actor: string, provenance: object): void {
    const e = this.exceptions.find((x) => x.exceptionId === exceptionId);
    if (!e) throw new Error(`no exception ${exceptionId}`);
    const before = { owner: e.owner, explanation: e.explanation };
    if (edit.owner !== undefined) e.owner = edit.owner;
    if (edit.explanation !== undefined) e.explanation = edit.explanation;
    appendAudit(this.store, {
      actor,
      action: "explain",
      entityType: "exception",
      entityId: `${this.reconId}/${this.period}/${exceptionId}`,
      before,
      after: { owner: e.owner, explanation: e.explanation, provenance },
    });
  }
}
