import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EngineEvents, Role } from "../../../src-shared/api";
import { createEngine, toApiError, type Engine } from "../engine";
import type { CallContext } from "../handlerRegistry";
import { journal } from "./testSupport.test-helper";

const as = (userId: string, roles: Role[]): CallContext => ({
  user: { userId, displayName: userId, roles },
  sessionId: null,
  actor: userId,
});
const admin = as("admin", ["admin"]);
const ana = as("ana", ["preparer"]);
const rob = as("rob", ["approver"]);

let dir: string;
let engine: Engine;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-outbound-handlers-"));
  engine = await createEngine({ dbPath: join(dir, "t.db"), mode: "cli" });
  await engine.invokeAs(admin, "outbox/saveSettings", { chartOfAccounts: ["4010", "1200"] });
});
afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const errorOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return toApiError(error);
  }
  throw new Error("expected an error");
};

describe("outbound handlers", () => {
  it("enforces roles: a preparer cannot approve, an approver cannot create, only an administrator changes settings", async () => {
    const created = await engine.invokeAs(ana, "adjustments/createJournal", journal());
    await engine.invokeAs(ana, "adjustments/submit", { id: created.id });
    expect((await errorOf(engine.invokeAs(ana, "adjustments/approve", { id: created.id }))).code).toBe("FORBIDDEN");
    expect((await errorOf(engine.invokeAs(rob, "adjustments/createJournal", journal()))).code).toBe("FORBIDDEN");
    expect((await errorOf(engine.invokeAs(rob, "outbox/saveSettings", { maxAttempts: 2 }))).code).toBe("FORBIDDEN");
    const approved = await engine.invokeAs(rob, "adjustments/approve", { id: created.id });
    expect(approved.status).toBe("approved");
  });

  it("returns a user's mistake as a value naming what and where", async () => {
    const created = await engine.invokeAs(ana, "adjustments/createJournal", {
      ...journal(),
      lines: [
        { account: "4010", debitCents: 100, creditCents: 0 },
        { account: "1200", debitCents: 0, creditCents: 90 },
      ],
    });
    const error = await errorOf(engine.invokeAs(ana, "adjustments/submit", { id: created.id }));
    expect(error).toMatchObject({ code: "UNBALANCED", message: expect.stringContaining("debits 1.00, credits 0.90") });
    expect(error.details).toMatchObject({ expected: "debits = credits" });
  });

  it("announces adjustment and outbox changes", async () => {
    const seen: EngineEvents["outbox/changed"][] = [];
    engine.events.on("outbox/changed", (e) => seen.push(e));
    const created = await engine.invokeAs(ana, "adjustments/createJournal", journal());
    await engine.invokeAs(ana, "adjustments/submit", { id: created.id });
    await engine.invokeAs(rob, "adjustments/approve", { id: created.id });
    expect(seen).toEqual([{ id: 1, adjustmentId: created.id, status: "queued", erpDocumentId: null }]);
    const status = await engine.invokeAs(rob, "outbox/status", {});
    expect(status.counts.queued).toBe(1);
  });
});
