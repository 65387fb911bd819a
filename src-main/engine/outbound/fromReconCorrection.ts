import type { ProposedCorrection } from "../../../src-shared/api/outbound";
import type { ProposedCorrection as ReconProposedCorrection } from "../../../src-shared/api/recon";

/** A reconciliation's proposed correction, as `recon/corrections` returns it. */
export type ReconCorrection = Pick<
  ReconProposedCorrection,
  "correctionId" | "exceptionId" | "templateId" | "period" | "summary" | "payload"
>;

/**
 * Turns a reconciliation's proposed correction into draft proposals for
 * `adjustments/createFromProposal`. A GL journal whose lines span periods becomes one
 * journal per period (each balances per period, as the recon engine guarantees), because
 * an ERP journal has one accounting period.
 */
export function proposalsFromReconCorrection(correction: ReconCorrection, ledger: string): ProposedCorrection[] {
  const refs = { reconRef: `${correction.templateId}/${correction.period}`, exceptionRef: String(correction.exceptionId) };
  const label = `${correction.summary} (correction ${correction.correctionId})`;
  const payload = correction.payload;
  if (payload.kind === "gl-journal") {
    const byPeriod = new Map<string, typeof payload.journal.lines>();
    for (const line of payload.journal.lines) byPeriod.set(line.period, [...(byPeriod.get(line.period) ?? []), line]);
    return [...byPeriod.entries()].map(([period, lines]) => ({
      kind: "journal" as const,
      ledger,
      period,
      // One accounting date per journal: the latest of its lines, still inside the period.
      accountingDate: lines.map((l) => l.accountingDate).sort()[lines.length - 1]!,
      description: payload.journal.description || label,
      lines: lines.map((l) => ({
        account: l.account,
        costCenter: l.costCenter,
        departmentCode: null,
        debitCents: l.debitCents,
        creditCents: l.creditCents,
        description: l.memo,
      })),
      ...refs,
    }));
  }
  if (payload.kind === "inventory-adjustment") {
    const a = payload.adjustment;
    return [
      {
        kind: "inventory",
        item: a.itemNumber,
        location: a.locationCode,
        quantity: a.quantity,
        unitCostCents: a.unitCostCents,
        reason: a.reason,
        period: a.transactionDate.slice(0, 7),
        description: a.reference ? `${label}; ${a.reference}` : label,
        ...refs,
      },
    ];
  }
  const f = payload.fix;
  return [
    {
      kind: "master-data",
      entity: f.recordType,
      key: f.naturalKey,
      field: f.field,
      oldValue: f.currentValue,
      newValue: f.proposedValue,
      description: `${f.system}: ${f.reason}`,
      ...refs,
    },
  ];
}
