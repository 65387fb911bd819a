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
});
