import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemo } from "../../demo/buildDemo";
import { createEngine, type Engine } from "../engine";
import type { CallContext } from "../handlerRegistry";

const ana: CallContext = { user: { userId: "ana", displayName: "Ana", roles: ["preparer"] }, sessionId: null, actor: "ana" };
let dir: string;
let engine: Engine;
let voided: { templateId: string }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-signoff-void-"));
  engine = await createEngine({ dbPath: join(dir, "t.db"), mode: "cli" });
  await buildDemo(engine.store, { encounters: 300, outDir: join(dir, "demo") });
  engine.events.on("recon/changed", (e) => voided.push(e));
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("strict tie-out after sign-off", () => {
  it("voids a standing sign-off at once when a group is unmatched afterwards, and says which figure changed", async () => {
    const ref = { reconId: "claim-remittance", period: "2026-10" };
    const signed = await engine.invokeAs(ana, "signoff/sign", { ...ref, role: "preparer" });
    expect(signed.preparer?.voidedAt ?? null).toBeNull();
    const page = await engine.invokeAs(ana, "recon/rows", {
      templateId: "claim-remittance",
      period: "2026-10",
      side: "left",
      offset: 0,
      limit: 1,
      status: ["matched"],
    });
    const groupId = page.rows[0]!.groupId!;
    voided = [];
    await engine.invokeAs(ana, "recon/unmatch", { groupIds: [groupId], reason: "wrong claim" });
    expect(voided).toContainEqual(expect.objectContaining({ templateId: "claim-remittance", period: "2026-10" }));
    // Read straight from the table: the void happened with the unmatch, not on this read.
    const row = engine.store.sqlite
      .prepare("SELECT voided_at, void_reason FROM signoff WHERE recon_id = ? AND period = ?")
      .get(ref.reconId, ref.period) as {
      voided_at: string | null;
      void_reason: string | null;
    };
    expect(row.voided_at).not.toBeNull();
    expect(row.void_reason).toMatch(/matched|reconciling|balance/);
  });

  it("voids it too when a re-run started as a job (the Reconcile page's Run) changes a figure", async () => {
    const ref = { reconId: "charge-reconciliation", period: "2026-10" };
    await engine.invokeAs(ana, "signoff/sign", { ...ref, role: "preparer" });
    // A late billing charge arrives after sign-off: the re-run finds one more matched row.
    const unmatched = engine.store.sqlite
      .prepare(
        `SELECT c.* FROM charge c WHERE c.system = 'ehr' AND NOT EXISTS
           (SELECT 1 FROM charge b WHERE b.system = 'billing' AND b.account_number = c.account_number AND b.cdm_code = c.cdm_code AND b.service_date = c.service_date)
         AND c.service_date LIKE '2026-10-%' LIMIT 1`,
      )
      .get() as Record<string, unknown>;
    engine.store.sqlite
      .prepare(
        `INSERT INTO charge (system, transaction_id, account_number, cdm_code, service_date, posting_date, amount_cents, quantity)
         VALUES ('billing', 'LATE-1', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        unmatched.account_number,
        unmatched.cdm_code,
        unmatched.service_date,
        unmatched.service_date,
        unmatched.amount_cents,
        unmatched.quantity,
      );
    voided = [];
    // The re-check follows the job's end (its figures may be worked out in the reader thread);
    // open screens hear of the void.
    const told = new Promise<string | null>((resolve) => {
      const off = engine.events.on("signoff/changed", (e) => {
        if (e.reconId !== ref.reconId || e.change !== "voided") return;
        off();
        resolve(e.reason);
      });
    });
    const { jobId } = await engine.invokeAs(ana, "jobs/start", { kind: "recon", params: { templateId: ref.reconId, period: ref.period } });
    expect((await engine.jobs.waitFor(jobId)).status).toBe("succeeded");
    expect(voided).toContainEqual(expect.objectContaining({ templateId: ref.reconId, period: ref.period }));
    expect(await told).toMatch(/matched|reconciling|balance/);
    const row = engine.store.sqlite
      .prepare("SELECT voided_at, voided_by FROM signoff WHERE recon_id = ? AND period = ? ORDER BY id DESC LIMIT 1")
      .get(ref.reconId, ref.period) as {
      voided_at: string | null;
      voided_by: string | null;
    };
    expect(row.voided_at).not.toBeNull();
  });
});
