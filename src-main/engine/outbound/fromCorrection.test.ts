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

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-correction-"));
  engine = await createEngine({ dbPath: join(dir, "t.db"), mode: "cli" });
  await buildDemo(engine.store, { encounters: 300, outDir: join(dir, "demo") });
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a reconciliation's proposed correction becomes draft adjustments", () => {
  it("creates balanced draft journals referencing the exception and marks the correction accepted", async () => {
    const { items } = await engine.invokeAs(ana, "recon/corrections", { kind: ["gl-journal"], status: ["proposed"], limit: 1 });
    const correction = items[0];
    expect(correction, "the demo month has at least one GL correction").toBeDefined();
    const created = await engine.invokeAs(ana, "adjustments/createFromCorrection", { correctionId: correction!.correctionId });
    expect(created.length).toBeGreaterThan(0);
    for (const adjustment of created) {
      expect(adjustment.status).toBe("draft");
      expect(JSON.stringify(adjustment)).toContain(String(correction!.exceptionId));
    }
    const after = await engine.invokeAs(ana, "recon/corrections", {
      templateId: correction!.templateId,
      period: correction!.period,
      limit: 500,
    });
    expect(after.items.find((c) => c.correctionId === correction!.correctionId)?.status).toBe("accepted");
    await expect(
      engine.invokeAs(ana, "adjustments/createFromCorrection", { correctionId: correction!.correctionId }),
    ).rejects.toMatchObject({
      code: "NOT_PROPOSED",
    });
  });
});
