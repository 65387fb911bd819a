import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../store/store";
import { createFromProposal, listAdjustments, submitAdjustment } from "./adjustments";
import { proposalsFromReconCorrection, type ReconCorrection } from "./fromReconCorrection";
import { ana, tempStore } from "./testSupport.test-helper";

let store: Store;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ store, cleanup } = await tempStore());
});
afterEach(async () => {
  await cleanup();
});

let lineNumber = 0;
const line = (period: string, account: string, debitCents: number, creditCents: number) => ({
  lineNumber: ++lineNumber,
  period,
  accountingDate: `${period}-28`,
  account,
  costCenter: "CC100",
  debitCents,
  creditCents,
  memo: "reclass",
});

describe("proposed corrections from a reconciliation", () => {
  it("become draft journals per period that keep their reconciliation and exception references", () => {
    const correction: ReconCorrection = {
      correctionId: 9,
      exceptionId: 41,
      templateId: "billing-gl",
      period: "2026-10",
      summary: "Revenue posted to the wrong account",
      payload: {
        kind: "gl-journal",
        journal: {
          description: "Reclass revenue 4000 → 4010",
          source: "TIEOUT",
          lines: [
            line("2026-10", "4010", 500, 0),
            line("2026-10", "1200", 0, 500),
            line("2026-11", "4010", 0, 70),
            line("2026-11", "1200", 70, 0),
          ],
        },
      },
    };
    const proposals = proposalsFromReconCorrection(correction, "US-PRIMARY");
    expect(proposals).toHaveLength(2);
    const drafts = proposals.map((p) => createFromProposal(store, ana.userId, p));
    expect(drafts.map((d) => [d.period, d.amountCents, d.exceptionRef, d.reconRef])).toEqual([
      ["2026-10", 500, "41", "billing-gl/2026-10"],
      ["2026-11", 70, "41", "billing-gl/2026-10"],
    ]);
    expect(submitAdjustment(store, ana, drafts[0]!.id).status).toBe("submitted");
    expect(listAdjustments(store, { exceptionRef: "41" })).toHaveLength(2);
  });

  it("maps inventory adjustments and master-data fixes field by field", () => {
    const [inventory] = proposalsFromReconCorrection(
      {
        correctionId: 1,
        exceptionId: 2,
        templateId: "supply-inventory",
        period: "2026-10",
        summary: "Implant used, not issued",
        payload: {
          kind: "inventory-adjustment",
          adjustment: {
            itemNumber: "IMPL-1",
            locationCode: "OR-1",
            quantity: -1,
            transactionType: "issue",
            transactionDate: "2026-10-12",
            costCenter: "CC-OR",
            reference: "case 77",
            unitCostCents: 125_000,
            valueCents: -125_000,
            glAccounts: { debit: "6200", credit: "1400" },
            reason: "implant",
          },
        },
      },
      "US-PRIMARY",
    );
    expect(inventory).toMatchObject({
      kind: "inventory",
      item: "IMPL-1",
      location: "OR-1",
      quantity: -1,
      unitCostCents: 125_000,
      period: "2026-10",
    });
    const [fix] = proposalsFromReconCorrection(
      {
        correctionId: 3,
        exceptionId: 4,
        templateId: "master-data",
        period: "2026-10",
        summary: "Department maps to the wrong cost center",
        payload: {
          kind: "master-data-fix",
          fix: {
            system: "erp",
            recordType: "department",
            naturalKey: "D200",
            field: "costCenter",
            currentValue: "CC1",
            proposedValue: "CC2",
            reason: "LDP crosswalk",
          },
        },
      },
      "US-PRIMARY",
    );
    expect(fix).toMatchObject({
      kind: "master-data",
      entity: "department",
      key: "D200",
      field: "costCenter",
      oldValue: "CC1",
      newValue: "CC2",
    });
  });
});
