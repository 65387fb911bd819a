import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemo } from "../../demo/buildDemo";
import { actOnFreshFigures } from "../audit/handlers";
import { readSignoffStatus, signOff, signoffStatus } from "../audit/signoff";
import { appendAudit } from "../audit/auditLog";
import { explainItems } from "../recon/decisions";
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

describe("a sign-off over figures worked out in the reader thread", () => {
  const ref = { reconId: "supply-inventory", period: "2026-10" };
  const rob = { userId: "rob", displayName: "Rob", roles: ["preparer" as const] };

  /** Reader-thread reads after which, each time until `times` runs out, someone explains one more exception row. */
  function readsWithCommitsAfter(reads: HeavyReads, times: number) {
    let calls = 0;
    const rows = engine.store.sqlite
      .prepare(
        `SELECT i.side, i.row_key AS key FROM recon_item i JOIN reconciliation c ON c.id = i.reconciliation_id
         WHERE c.template_id = ? AND c.period = ? AND i.status = 'exception' ORDER BY i.id LIMIT ?`,
      )
      .all(ref.reconId, ref.period, times) as { side: "left" | "right"; key: string }[];
    expect(rows.length).toBe(times);
    const readMarked: HeavyReads["readMarked"] = async (kind, args) => {
      const answer = await reads.readMarked(kind, args);
      const row = rows[calls++];
      if (row) explainItems(engine.store, "ana", { ...ref, templateId: ref.reconId, side: row.side, keys: [row.key], note: "timing" });
      return answer;
    };
    return { reads: { readMarked } as HeavyReads, calls: () => calls };
  }

  it("signs the figures as they stand when it commits, though a figure changed while the reader thread worked them out", async () => {
    const reads = new HeavyReads({ store: engine.store, offThreadFromRows: 0 });
    try {
      const { reads: racing, calls } = readsWithCommitsAfter(reads, 1);
      const { status } = await actOnFreshFigures({ store: engine.store, reads: racing }, ref.reconId, ref.period, (source) =>
        signOff(engine.store, source, rob, { ...ref, role: "preparer" }),
      );
      // The first figures went stale before the write; they were worked out again.
      expect(calls()).toBe(2);
      expect(reads.offThread).toBe(2);
      const now = signoffStatus(engine.store, reconSourceFor(engine.store), ref.reconId, ref.period, "ana");
      expect(now.changes).toEqual([]);
      expect(now.status.preparer?.userId).toBe("rob");
      expect(now.status.preparer?.fingerprint).toBe(now.status.fingerprint);
      expect(status.fingerprint).toBe(now.status.fingerprint);
    } finally {
      await reads.close();
    }
  });

  it("works them out again while the store keeps changing, then acts on the figures of now", async () => {
    const reads = new HeavyReads({ store: engine.store, offThreadFromRows: 0 });
    try {
      const { reads: racing, calls } = readsWithCommitsAfter(reads, 2);
      const before = signoffStatus(engine.store, reconSourceFor(engine.store), ref.reconId, ref.period, "ana").status;
      expect(before.preparer?.userId).toBe("rob");
      // Any commit makes the figures kept from the sign-off stale, so they are read again.
      appendAudit(engine.store, { actor: "ana", action: "note", entityType: "test", entityId: "x" });
      const changes = await actOnFreshFigures(
        { store: engine.store, reads: racing },
        ref.reconId,
        ref.period,
        (source) => signoffStatus(engine.store, source, ref.reconId, ref.period, "ana").changes,
      );
      expect(calls()).toBe(3);
      // Two rows were explained since Rob signed: his sign-off is voided, against the figures of now.
      expect(changes).toEqual([expect.objectContaining({ role: "preparer", change: "voided" })]);
      const now = signoffStatus(engine.store, reconSourceFor(engine.store), ref.reconId, ref.period, "ana").status;
      expect(now.preparer).toBeNull();
      expect(now.history[0]?.voidReason).toMatch(/explained/);
    } finally {
      await reads.close();
    }
  });

  it("when the store never stops changing, signs nothing and shows the latest figures without voiding", async () => {
    const reads = new HeavyReads({ store: engine.store, offThreadFromRows: 0 });
    try {
      signOff(engine.store, reconSourceFor(engine.store), rob, { ...ref, role: "preparer" });
      const { reads: racing } = readsWithCommitsAfter(reads, 3);
      await expect(
        actOnFreshFigures({ store: engine.store, reads: racing }, ref.reconId, ref.period, (source) =>
          signOff(engine.store, source, ana.user!, { ...ref, role: "reviewer" }),
        ),
      ).rejects.toMatchObject({ code: "STORE_BUSY" });
      const { reads: stillRacing } = readsWithCommitsAfter(reads, 3);
      const shown = await actOnFreshFigures(
        { store: engine.store, reads: stillRacing },
        ref.reconId,
        ref.period,
        (source) => signoffStatus(engine.store, source, ref.reconId, ref.period, "ana"),
        { whenBusy: (source) => ({ status: readSignoffStatus(engine.store, source, ref.reconId, ref.period), changes: [] }) },
      );
      // Nothing voided on figures that may be stale; the next quiet read does it.
      expect(shown.changes).toEqual([]);
      expect(shown.status.preparer?.userId).toBe("rob");
      expect(shown.status.reviewer).toBeNull();
      const quiet = signoffStatus(engine.store, reconSourceFor(engine.store), ref.reconId, ref.period, "ana");
      expect(quiet.changes).toEqual([expect.objectContaining({ role: "preparer", change: "voided" })]);
    } finally {
      await reads.close();
    }
  });

  it("keeps the figures between the panel's status, the sign and the reload while nothing else is committed", async () => {
    const reg = { reconId: "registration-billing", period: "2026-10" };
    const reads = new HeavyReads({ store: engine.store, offThreadFromRows: 0 });
    const context = { store: engine.store, reads };
    const status = () =>
      actOnFreshFigures(context, reg.reconId, reg.period, (source) => signoffStatus(engine.store, source, reg.reconId, reg.period, "rob"));
    try {
      appendAudit(engine.store, { actor: "ana", action: "note", entityType: "test", entityId: "y" });
      const opened = await status();
      expect(reads.offThread).toBe(1);
      const signed = await actOnFreshFigures(context, reg.reconId, reg.period, (source) =>
        signOff(engine.store, source, rob, { ...reg, role: "preparer" }),
      );
      const reloaded = await status();
      expect(reads.offThread).toBe(1);
      expect(signed.status.fingerprint).toBe(opened.status.fingerprint);
      expect(reloaded.status.preparer?.userId).toBe("rob");
      // A change: worked out again, and the sign-off it breaks is voided.
      const row = engine.store.sqlite
        .prepare(
          `SELECT i.side, i.row_key AS key FROM recon_item i JOIN reconciliation c ON c.id = i.reconciliation_id
           WHERE c.template_id = ? AND c.period = ? AND i.status = 'exception' LIMIT 1`,
        )
        .get(reg.reconId, reg.period) as { side: "left" | "right"; key: string };
      explainItems(engine.store, "ana", { ...reg, templateId: reg.reconId, side: row.side, keys: [row.key], note: "account merged" });
      const after = await status();
      expect(reads.offThread).toBe(2);
      expect(after.changes).toEqual([expect.objectContaining({ role: "preparer", change: "voided" })]);
    } finally {
      await reads.close();
    }
  });

  it("shows the status of an unsigned reconciliation while another task holds the write lock", async () => {
    const other = new Database(engine.store.path);
    try {
      other.prepare("BEGIN IMMEDIATE").run();
      // Nothing stands, so nothing can be voided: the status needs no write lock and does not wait.
      const status = await engine.invokeAs(ana, "signoff/status", { reconId: "billing-gl", period: "2026-10" });
      expect(status.preparer).toBeNull();
      expect(status.figuresAvailable).toBe(true);
    } finally {
      other.prepare("ROLLBACK").run();
      other.close();
    }
  });

  it("signs and withdraws through the engine with the figures worked out in the reader thread", async () => {
    const cash = { reconId: "claim-remittance", period: "2026-10" };
    const signed = await engine.invokeAs(ana, "signoff/sign", { ...cash, role: "preparer", comment: "tied" });
    expect(signed.preparer?.fingerprint).toBe(signed.fingerprint);
    const withdrawn = await engine.invokeAs(ana, "signoff/void", { ...cash, role: "preparer", reason: "late remits" });
    expect(withdrawn.preparer).toBeNull();
    expect(withdrawn.history[0]).toMatchObject({ voidReason: "late remits", voidedBy: "ana" });
    // Refused before any figures are worked out.
    await expect(engine.invokeAs(ana, "signoff/void", { ...cash, role: "preparer", reason: "again" })).rejects.toMatchObject({
      code: "NOT_SIGNED",
    });
    await expect(engine.invokeAs(ana, "signoff/sign", { ...cash, role: "reviewer" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
