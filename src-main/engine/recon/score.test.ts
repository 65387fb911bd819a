import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../store/store";
import { runReconciliation } from "./run";
import { readTruth, scoreAgainstTruth } from "./score";

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-score-"));
  store = await openStore(join(dir, "t.db"));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function charge(system: string, id: string, cdm: string, amountCents: number): void {
  store.sqlite
    .prepare(
      `INSERT INTO charge (system, transaction_id, account_number, cdm_code, service_date, posting_date, amount_cents, quantity, performing_npi, description)
       VALUES (?, ?, '4000000001', ?, '2026-10-13', '2026-10-13', ?, 1, '1937876195', 'TSH')`,
    )
    .run(system, id, cdm, amountCents);
}

function truthFile(matches: [string, string][], missing: string[]): string {
  const path = join(dir, "truth.json");
  const template = {
    matches: matches.map(([l, r]) => ({ left: [l], right: [r] })),
    exceptions: missing.map((l) => ({ reason: "missing-in-billing", left: [l], right: [] })),
  };
  writeFileSync(path, JSON.stringify({ period: "2026-10", encounters: 1, templates: { "charge-reconciliation": template } }));
  return path;
}

describe("scoring against the truth", () => {
  it("counts a miss between two indistinguishable charges as a twin swap, keeping the strict figures", () => {
    // Two TSH charges on one account and day, one billed: which one is missing, no field says.
    charge("ehr", "C00000411203", "3000443", 16000);
    charge("ehr", "C00000411204", "3000443", 16000);
    charge("billing", "T00000411203", "3000443", 16000);
    runReconciliation(store, "charge-reconciliation", "2026-10", { actor: "test" });
    // The truth says the second was billed; the matcher, in posting then id order, pairs the first.
    const report = scoreAgainstTruth(store, readTruth(truthFile([["ehr:C00000411204", "billing:T00000411203"]], ["ehr:C00000411203"])));
    const [matches, exceptions] = report.lines;
    expect(matches).toMatchObject({ truePositives: 0, falsePositives: 1, falseNegatives: 1, twinSwaps: 1, precision: 0, recallTwins: 1 });
    expect(exceptions).toMatchObject({ truePositives: 0, falsePositives: 1, falseNegatives: 1, twinSwaps: 1, precisionTwins: 1 });
  });

  it("does not excuse a miss between charges that differ in any field", () => {
    charge("ehr", "C00000411203", "3000443", 16000);
    charge("ehr", "C00000411204", "3000444", 16000);
    charge("billing", "T00000411203", "3000443", 16000);
    runReconciliation(store, "charge-reconciliation", "2026-10", { actor: "test" });
    // A wrong truth on purpose: the billed charge is C1 (same CDM); calling C2 the match is a real miss.
    const report = scoreAgainstTruth(store, readTruth(truthFile([["ehr:C00000411204", "billing:T00000411203"]], ["ehr:C00000411203"])));
    for (const line of report.lines) {
      expect(line.twinSwaps).toBe(0);
      expect(line.precisionTwins).toBe(line.precision);
      expect(line.recallTwins).toBe(line.recall);
      expect(line.falsePositives).toBe(1);
    }
  });
});
