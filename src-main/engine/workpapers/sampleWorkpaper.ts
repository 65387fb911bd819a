import type { AuditEntryInfo } from "../../../src-shared/api/audit";
import { totalsByReason, type AdjustmentLine, type MatchedItem, type ReconcilingItem, type WorkpaperData } from "./workpaperData";

/** Deterministic pseudo-random numbers (mulberry32), so a sample is the same every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REASONS = ["Timing: deposit in transit", "Unapplied cash", "Underpayment", "Missing remittance"];
/** Text a hostile or careless source might carry: each must land in the workbook as text. */
export const FORMULA_LIKE = ['=HYPERLINK("http://x","y")', "+SUM(1,2)", "-2+3", "@cmd", "=1+1"];

function reconcilingItem(k: number, rnd: () => number): ReconcilingItem {
  const amountCents = Math.round((rnd() - 0.3) * 500_000);
  return {
    exceptionId: `EX-${String(k + 1).padStart(7, "0")}`,
    reason: REASONS[k % REASONS.length]!,
    side: k % 2 === 0 ? "left" : "right",
    key: `TRN${100000 + k}`,
    patientId: `MRN${String(9000000 + k)}`,
    date: `2026-${String(7 + (k % 4)).padStart(2, "0")}-${String(1 + (k % 28)).padStart(2, "0")}`,
    ageDays: (k * 7) % 120,
    description: k < FORMULA_LIKE.length ? FORMULA_LIKE[k]! : `Remittance ${k} for account ${k * 13}`,
    amountCents,
    status: "open",
    owner: k % 3 === 0 ? "ana" : null,
    explanation: null,
  };
}

function matchedItem(k: number): MatchedItem {
  const group = Math.floor(k / 2);
  return {
    matchGroupId: `MG-${group + 1}`,
    rule: "trace+amount",
    side: k % 2 === 0 ? "left" : "right",
    recordType: k % 2 === 0 ? "claim_payment" : "bank_transaction",
    key: `TRN${200000 + group}`,
    patientId: `MRN${8000000 + group}`,
    date: "2026-10-15",
    description: k === 0 ? "=cmd|' /C calc'!A0" : `Payment ${group}`,
    amountCents: 10_000 + (group % 1000) * 37,
  };
}

/**
 * A workpaper of generated figures that tie: the right balance is the left balance plus the
 * reconciling items. For writer tests and the benchmark; never for a real reconciliation.
 */
export function sampleWorkpaperData(options: { reconciling: number; matched: number; seed?: number }): WorkpaperData {
  const items = function* (): Generator<ReconcilingItem> {
    const rnd = random(options.seed ?? 7);
    for (let k = 0; k < options.reconciling; k++) yield reconcilingItem(k, rnd);
  };
  const reconcilingByReason = totalsByReason(items());
  const reconcilingCents = reconcilingByReason.reduce((s, r) => s + r.amountCents, 0);
  const leftBalanceCents = 1_234_567_89;
  const adjustments: AdjustmentLine[] = [
    {
      adjustmentId: "ADJ-1",
      status: "proposed",
      kind: "gl-journal",
      account: "1010-Cash",
      costCenter: "CC100",
      description: "Reclass unapplied cash",
      debitCents: 125_00,
      creditCents: 0,
      preparedBy: "ana",
      approvedBy: null,
      postedAt: null,
    },
    {
      adjustmentId: "ADJ-1",
      status: "proposed",
      kind: "gl-journal",
      account: "2150-Unapplied",
      costCenter: "CC100",
      description: "Reclass unapplied cash",
      debitCents: 0,
      creditCents: 125_00,
      preparedBy: "ana",
      approvedBy: null,
      postedAt: null,
    },
    {
      adjustmentId: "ADJ-0",
      status: "posted",
      kind: "gl-journal",
      account: "4000-Revenue",
      costCenter: "CC200",
      description: "+late charge",
      debitCents: 0,
      creditCents: 990_00,
      preparedBy: "ana",
      approvedBy: "rob",
      postedAt: "2026-10-31T18:00:00Z",
    },
  ];
  const audit: AuditEntryInfo[] = [
    {
      seq: 1,
      at: "2026-11-01T09:00:00.000Z",
      actor: "ana",
      action: "sign-off",
      entityType: "signoff",
      entityId: "cash/2026-10",
      before: null,
      after: { role: "preparer" },
      reason: "=ties",
      hash: "a".repeat(64),
    },
  ];
  return {
    entity: "Riverside Health System",
    period: "2026-10",
    reconId: "cash",
    reconciliationName: "Remittance to bank (cash)",
    ruleSetVersion: "cash@3",
    runId: "run-42",
    runAt: "2026-11-01T08:00:00Z",
    leftLabel: "835 payments",
    rightLabel: "BAI2 deposits",
    inputFiles: [
      { fileName: "era_202610.835", system: "payer", receivedAt: "2026-11-01T07:00:00Z", sha256: "1".repeat(64) },
      { fileName: "=bank.bai", system: "bank", receivedAt: "2026-11-01T07:01:00Z", sha256: "2".repeat(64) },
    ],
    preparer: {
      id: 1,
      role: "preparer",
      userId: "ana",
      displayName: "Ana Preparer",
      signedAt: "2026-11-01T09:00:00.000Z",
      comment: null,
      fingerprint: "f".repeat(64),
      voidedAt: null,
      voidedBy: null,
      voidReason: null,
    },
    reviewer: null,
    leftBalanceCents,
    rightBalanceCents: leftBalanceCents + reconcilingCents,
    reconcilingByReason,
    matchedCount: options.matched,
    reconcilingItems: items,
    matchedItems: function* () {
      for (let k = 0; k < options.matched; k++) yield matchedItem(k);
    },
    adjustments,
    auditExtract: () => audit,
    auditChain: { ok: true, entries: 1, lastHash: "a".repeat(64) },
    fingerprint: "f".repeat(64),
    generatedAt: "2026-11-02T10:00:00.000Z",
    generatedBy: "ana",
  };
}
