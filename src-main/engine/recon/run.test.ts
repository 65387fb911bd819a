import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../store/store";
import { ReconCancelled, runReconciliation } from "./run";

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-run-"));
  store = await openStore(join(dir, "t.db"));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function charges(system: string, from: number, to: number): void {
  const insert = store.sqlite.prepare(
    `INSERT INTO charge (system, transaction_id, account_number, cdm_code, service_date, posting_date, amount_cents, quantity)
     VALUES (?, ?, ?, '3000443', '2026-10-13', '2026-10-13', 16000, 1)`,
  );
  store.sqlite.transaction(() => {
    for (let i = from; i < to; i++) insert.run(system, `${system === "ehr" ? "C" : "T"}${i}`, `4${String(i).padStart(9, "0")}`);
  })();
}

const count = (table: string) => (store.sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

describe("a long run", () => {
  it("reports rows read and saved as it goes, and a cancel while saving leaves the last result as it was", () => {
    charges("ehr", 0, 20_000);
    charges("billing", 0, 20_000);
    const phases: string[] = [];
    const first = runReconciliation(store, "charge-reconciliation", "2026-10", { actor: "test", progress: (p) => phases.push(p) });
    expect(first.passes[0]!.groups).toBe(20_000);
    expect(phases).toContain("Reading EHR charges: 16,384 rows");
    expect(phases).toContain("Saving rows: 16,383 of 40,000");
    const before = { runs: count("recon_run"), items: count("recon_item"), groups: count("match_group") };

    charges("ehr", 20_000, 40_000);
    charges("billing", 20_000, 40_000);
    let saving = false;
    expect(() =>
      runReconciliation(store, "charge-reconciliation", "2026-10", {
        actor: "test",
        progress: (p) => (saving ||= p.startsWith("Saving rows")),
        isCancelled: () => saving,
      }),
    ).toThrow(ReconCancelled);
    // One transaction: nothing of the cancelled run was kept.
    expect({ runs: count("recon_run"), items: count("recon_item"), groups: count("match_group") }).toEqual(before);
    const again = runReconciliation(store, "charge-reconciliation", "2026-10", { actor: "test" });
    expect(again.leftRows).toBe(40_000);
    expect(again.changedRows).toBe(40_000);
  });
});

describe("a re-run", () => {
  it("keeps unchanged matches as they were, re-matches a changed row and drops a row that left its side", () => {
    charges("ehr", 0, 50);
    charges("billing", 0, 50);
    const first = runReconciliation(store, "charge-reconciliation", "2026-10", { actor: "test" });
    expect(first.passes[0]!.groups).toBe(50);
    const groupOf = (key: string) =>
      (store.sqlite.prepare("SELECT group_id FROM recon_item WHERE row_key = ?").get(key) as { group_id: number | null }).group_id;
    const untouched = groupOf("ehr:C7");

    // A billing charge corrected to a different amount, and an EHR charge removed.
    store.sqlite.prepare("UPDATE charge SET amount_cents = 17000 WHERE transaction_id = 'T3'").run();
    store.sqlite.prepare("DELETE FROM charge WHERE transaction_id = 'C9'").run();
    const again = runReconciliation(store, "charge-reconciliation", "2026-10", { actor: "test" });

    expect(again.changedRows).toBe(1);
    // Of the 50 groups, the changed row's and the removed row's went; 48 were kept untouched.
    expect(again.keptGroups).toBe(48);
    expect(groupOf("ehr:C7")).toBe(untouched);
    expect(store.sqlite.prepare("SELECT 1 FROM recon_item WHERE row_key = 'ehr:C9'").get()).toBeUndefined();
    const t3 = store.sqlite.prepare("SELECT status, amount_cents FROM recon_item WHERE row_key = 'billing:T3'").get();
    expect(t3).toEqual({ status: "exception", amount_cents: 17000 });
    expect(again.exceptionsByReason).toEqual({
      "missing-in-billing": { count: 1, amountCents: 16000 },
      "missing-in-ehr": { count: 2, amountCents: 33000 },
    });
    expect(again.balance.unexplainedCents).toBe(0);
  });
});
