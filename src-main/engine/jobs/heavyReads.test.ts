import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemo } from "../../demo/buildDemo";
import { signoffStatus } from "../audit/signoff";
import { dashboardSummary } from "../dashboard/dashboard";
import { createEngine, type Engine } from "../engine";
import { UserError, type CallContext } from "../handlerRegistry";
import { listReconciliations, reconBalance, reconRows } from "../recon/queries";
import { maskPatientIdentifiers } from "../browse/phi";
import { rowPage } from "../browse/rowPage";
import { storeSummary } from "../store/summary";
import { reconSourceFor } from "../workpapers/reconSource";
import { HeavyReads } from "./heavyReads";

const ana: CallContext = { user: { userId: "ana", displayName: "Ana", roles: ["preparer"] }, sessionId: null, actor: "ana" };
const charge = { templateId: "charge-reconciliation", period: "2026-10" };
let dir: string;
let engine: Engine;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-heavy-reads-"));
  // Every reconciliation counts as large here: each whole-reconciliation read goes to the reader thread.
  engine = await createEngine({ dbPath: join(dir, "t.db"), mode: "cli", offThreadFromRows: 0 });
  await buildDemo(engine.store, { encounters: 300, outDir: join(dir, "demo") });
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("whole-reconciliation reads off the engine thread", () => {
  it("reads a large reconciliation's balance in the reader thread, to the cent what the engine thread reads", async () => {
    const reads = new HeavyReads({ store: engine.store, offThreadFromRows: 1 });
    try {
      const balance = await reads.read("recon/balance", charge);
      expect(reads.offThread).toBe(1);
      expect(balance).toEqual(reconBalance(engine.store, charge.templateId, charge.period));
      expect(balance.leftRows).toBeGreaterThan(0);
    } finally {
      await reads.close();
    }
  });

  it("reads a small one here, without starting a thread", async () => {
    const reads = new HeavyReads({ store: engine.store, offThreadFromRows: 1_000_000_000 });
    const balance = await reads.read("recon/balance", charge);
    expect(reads.offThread).toBe(0);
    expect(balance).toEqual(reconBalance(engine.store, charge.templateId, charge.period));
    await reads.close();
  });

  it("gives the reader thread's user errors back as the same user errors", async () => {
    const reads = new HeavyReads({ store: engine.store, offThreadFromRows: 0 });
    const never = { templateId: "charge-reconciliation", period: "1999-01" };
    try {
      let here: unknown;
      try {
        reconBalance(engine.store, never.templateId, never.period);
      } catch (error) {
        here = error;
      }
      expect(here).toBeInstanceOf(UserError);
      const there = await reads.read("recon/balance", never).then(
        () => null,
        (error: unknown) => error,
      );
      expect(reads.offThread).toBe(1);
      expect(there).toBeInstanceOf(UserError);
      expect((there as UserError).code).toBe((here as UserError).code);
      expect((there as UserError).message).toBe((here as UserError).message);
    } finally {
      await reads.close();
    }
  });

  it("shows the same dashboard, store summary, grid pages, reconciliation list, sign-off status and balance through the engine whichever thread worked them out", async () => {
    expect(await engine.invokeAs(ana, "dashboard/summary", {})).toEqual(dashboardSummary(engine.store));
    expect(await engine.invokeAs(ana, "store/summary", {})).toEqual(storeSummary(engine.store));
    const page = { table: "charge", offset: 0, limit: 50, search: "ehr", sort: [{ column: "amount_cents", direction: "desc" as const }] };
    const paged = await engine.invokeAs(ana, "rows/page", page);
    expect(paged).toEqual(maskPatientIdentifiers(rowPage(engine.store, page)));
    expect(paged.rows.length).toBe(50);
    const side = { ...charge, side: "left" as const, offset: 0, limit: 50, status: ["exception" as const] };
    expect(await engine.invokeAs(ana, "recon/rows", side)).toEqual(reconRows(engine.store, side));
    await expect(engine.invokeAs(ana, "rows/page", { table: "nope", offset: 0, limit: 1 })).rejects.toMatchObject({
      code: "UNKNOWN_TABLE",
    });
    expect(await engine.invokeAs(ana, "recon/list", { period: "2026-10" })).toEqual(listReconciliations(engine.store, "2026-10"));
    const ref = { reconId: charge.templateId, period: charge.period };
    await engine.invokeAs(ana, "signoff/sign", { ...ref, role: "preparer", comment: "tied" });
    const status = await engine.invokeAs(ana, "signoff/status", ref);
    const here = signoffStatus(engine.store, reconSourceFor(engine.store), ref.reconId, ref.period, "ana").status;
    expect(status).toEqual(here);
    expect(status.preparer?.userId).toBe("ana");
    expect(status.figures.leftBalanceCents).toBeGreaterThan(0);
    expect(await engine.invokeAs(ana, "recon/balance", charge)).toEqual(reconBalance(engine.store, charge.templateId, charge.period));
  });
});
