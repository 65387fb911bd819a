import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CorrectionPayload } from "../../../src-shared/api/recon";
import { formatCents } from "../../../src-shared/money";
import { buildDemo } from "../../demo/buildDemo";
import { verifyAuditChain } from "../audit/auditLog";
import { createEngine, type Engine } from "../engine";
import type { CallContext } from "../handlerRegistry";
import { readTruth, scoreAgainstTruth } from "./score";
import { BUILT_IN_TEMPLATES } from "./templates";

const admin: CallContext = { user: { userId: "t", displayName: "T", roles: ["admin"] }, sessionId: null, actor: "t" };
const viewer: CallContext = { user: { userId: "v", displayName: "V", roles: [] }, sessionId: null, actor: "v" };
const period = "2026-10";

let dir: string;
let engine: Engine;
let outDir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-recon-"));
  engine = await createEngine({ dbPath: join(dir, "t.db"), mode: "cli" });
  outDir = join(dir, "demo");
  await buildDemo(engine.store, { encounters: 400, seed: 3, outDir });
  for (const t of BUILT_IN_TEMPLATES) await engine.invokeAs(admin, "recon/run", { templateId: t.id, period });
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the seven templates on the synthetic health system", () => {
  it("find the generator's matches and exceptions", () => {
    const report = scoreAgainstTruth(engine.store, readTruth(join(outDir, "truth.json")));
    expect(report.notRun).toEqual([]);
    expect(report.lines).toHaveLength(14);
    for (const line of report.lines) {
      // 400 encounters leave few exceptions per template; one indistinguishable duplicate costs a lot.
      expect(line.precision, `${line.templateId} ${line.kind} precision`).toBeGreaterThanOrEqual(0.95);
      expect(line.recall, `${line.templateId} ${line.kind} recall`).toBeGreaterThanOrEqual(0.95);
    }
  });

  it("tie to the cent: the run's balance and the stored balance agree, with nothing unexplained", async () => {
    for (const t of BUILT_IN_TEMPLATES) {
      const [info] = await engine.invokeAs(admin, "recon/list", { period }).then((l) => l.filter((x) => x.templateId === t.id));
      const stored = await engine.invokeAs(admin, "recon/balance", { templateId: t.id, period });
      const run = info!.lastRun!.balance;
      expect(stored.leftTotalCents).toBe(run.leftTotalCents);
      expect(stored.rightTotalCents).toBe(run.rightTotalCents);
      expect(stored.unexplainedCents).toBe(0);
      expect(run.unexplainedCents).toBe(0);
      const sum = stored.reconciling.reduce((s, l) => s + l.amountCents, 0);
      expect(stored.leftTotalCents - stored.rightTotalCents).toBe(sum + stored.unexplainedCents);
    }
  });

  it("propose balanced journals, inventory adjustments and master-data fixes", async () => {
    const { items } = await engine.invokeAs(admin, "recon/corrections", { limit: 5000 });
    const kinds = new Set(items.map((c) => c.kind));
    expect(kinds).toEqual(new Set(["gl-journal", "inventory-adjustment", "master-data-fix"]));
    for (const c of items) {
      if (c.payload.kind !== "gl-journal") continue;
      const lines = (c.payload as Extract<CorrectionPayload, { kind: "gl-journal" }>).journal.lines;
      for (const p of new Set(lines.map((l) => l.period))) {
        const inPeriod = lines.filter((l) => l.period === p);
        expect(inPeriod.reduce((s, l) => s + l.debitCents, 0)).toBe(inPeriod.reduce((s, l) => s + l.creditCents, 0));
      }
    }
  });

  it("record the rule version, row counts and an input hash; the same inputs hash the same", async () => {
    const runs = await engine.invokeAs(admin, "recon/runs", { templateId: "claim-remittance", period });
    const again = await engine.invokeAs(admin, "recon/run", { templateId: "claim-remittance", period });
    expect(again.inputHash).toBe(runs[0]!.inputHash);
    expect(again.ruleVersion).toBe(BUILT_IN_TEMPLATES.find((t) => t.id === "claim-remittance")!.version);
    expect(again.changedRows).toBe(0);
    // Nothing changed: every group is kept, nothing re-matched.
    expect(again.keptGroups).toBe(again.passes.reduce((s, p) => s + p.groups + p.suggested, 0) + again.manualGroups);
  });

  it("explain each match in words", async () => {
    const page = await engine.invokeAs(admin, "recon/rows", {
      templateId: "remittance-bank",
      period,
      side: "right",
      offset: 0,
      limit: 5,
      status: ["matched"],
    });
    expect(page.rows.length).toBeGreaterThan(0);
    const group = await engine.invokeAs(admin, "recon/group", { groupId: page.rows[0]!.groupId! });
    expect(group.explanation).toMatch(/trace .+ (equal|in the deposit addenda)/);
  });
});

describe("the grid's search", () => {
  it("looks at a row's values and its amount as shown, not at the names of its fields", async () => {
    const templateId = "charge-reconciliation";
    const search = async (text: string) =>
      (await engine.invokeAs(admin, "recon/rows", { templateId, period, side: "left", offset: 0, limit: 5, search: text })).total;
    const all = (await engine.invokeAs(admin, "recon/rows", { templateId, period, side: "left", offset: 0, limit: 1 })).total;
    expect(all).toBeGreaterThan(10);
    for (const fieldName of ["cdm_code", "account_number", "amount_cents", '"', '":']) expect(await search(fieldName)).toBe(0);
    const [first] = (await engine.invokeAs(admin, "recon/rows", { templateId, period, side: "left", offset: 0, limit: 1 })).rows;
    const cents = first!.amountCents!;
    const sameAmount = engine.store.sqlite
      .prepare(
        "SELECT COUNT(*) AS n FROM recon_item WHERE side = 'left' AND amount_cents = ? AND reconciliation_id = (SELECT reconciliation_id FROM recon_item WHERE id = ?)",
      )
      .get(cents, first!.itemId) as { n: number };
    expect(await search(formatCents(cents, "en-US"))).toBeGreaterThanOrEqual(sameAmount.n);
    expect(await search(String(first!.fields.account_number))).toBeGreaterThanOrEqual(1);
  });
});

describe("manual decisions", () => {
  const templateId = "charge-reconciliation";

  it("keep an unmatch, a manual match and an explanation across re-runs, each audited", async () => {
    const matched = await engine.invokeAs(admin, "recon/rows", {
      templateId,
      period,
      side: "left",
      offset: 0,
      limit: 2,
      status: ["matched"],
      sort: [{ column: "rowKey", direction: "asc" }],
    });
    const [a, b] = matched.rows;
    const ga = await engine.invokeAs(admin, "recon/group", { groupId: a!.groupId! });
    const gb = await engine.invokeAs(admin, "recon/group", { groupId: b!.groupId! });
    await engine.invokeAs(admin, "recon/unmatch", { groupIds: [ga.groupId, gb.groupId], reason: "test" });
    // The list's unexplained difference is today's, not the run's: the unmatched rows are in it at once.
    const live = async () => {
      const info = (await engine.invokeAs(admin, "recon/list", { period })).find((r) => r.templateId === templateId)!;
      return {
        list: info.unexplainedCents,
        balance: (await engine.invokeAs(admin, "recon/balance", { templateId, period })).unexplainedCents,
      };
    };
    const afterUnmatch = await live();
    expect(afterUnmatch.list).toBe(afterUnmatch.balance);
    expect(afterUnmatch.list).toBe(ga.leftCents - ga.rightCents + gb.leftCents - gb.rightCents);
    await engine.invokeAs(admin, "recon/explain", { templateId, period, side: "left", keys: [a!.rowKey], note: "test" });
    const afterExplain = await live();
    expect(afterExplain.list).toBe(afterExplain.balance);
    expect(afterExplain.list).not.toBe(afterUnmatch.list);
    await engine.invokeAs(admin, "recon/explain", { templateId, period, side: "left", keys: [a!.rowKey], note: "", explained: false });

    let rerun = await engine.invokeAs(admin, "recon/run", { templateId, period });
    let rows = await engine.invokeAs(admin, "recon/rows", { templateId, period, side: "left", offset: 0, limit: 10, search: a!.rowKey });
    expect(rows.rows.find((r) => r.rowKey === a!.rowKey)!.status).toBe("exception"); // held out of automatic matching

    // Cross them over by hand: a's left with b's right.
    const manual = await engine.invokeAs(admin, "recon/matchManual", {
      templateId,
      period,
      leftKeys: [a!.rowKey],
      rightKeys: [gb.right[0]!.rowKey],
      note: "cross-match for the test",
    });
    expect(manual.kind).toBe("manual");
    await engine.invokeAs(admin, "recon/explain", {
      templateId,
      period,
      side: "right",
      keys: [ga.right[0]!.rowKey],
      note: "duplicate posting, reversed in November",
    });

    rerun = await engine.invokeAs(admin, "recon/run", { templateId, period });
    expect(rerun.manualGroups).toBe(1);
    const group = await engine.invokeAs(admin, "recon/group", { groupId: manual.groupId });
    expect(group.left.map((r) => r.rowKey)).toEqual([a!.rowKey]);
    expect(group.right.map((r) => r.rowKey)).toEqual([gb.right[0]!.rowKey]);
    rows = await engine.invokeAs(admin, "recon/rows", { templateId, period, side: "right", offset: 0, limit: 10, status: ["explained"] });
    expect(rows.rows.map((r) => r.rowKey)).toContain(ga.right[0]!.rowKey);
    const balance = await engine.invokeAs(admin, "recon/balance", { templateId, period });
    expect(balance.reconciling.some((l) => l.kind === "explained")).toBe(true);
    expect(balance.unexplainedCents).toBe(0);

    const actions = engine.store.sqlite.prepare("SELECT action FROM audit_log WHERE actor = 't' ORDER BY seq").all() as {
      action: string;
    }[];
    expect(actions.map((x) => x.action)).toEqual(expect.arrayContaining(["recon-run", "unmatch", "match", "explain"]));
    expect(verifyAuditChain(engine.store).ok).toBe(true);
  });

  it("keep an exception's owner, comments and age across re-runs, and refuse a caller without the role", async () => {
    const { items } = await engine.invokeAs(admin, "exceptions/list", {
      templateId,
      period,
      status: ["open"],
      reason: ["late-charge"],
      offset: 0,
      limit: 1,
    });
    const e = items[0]!;
    // The search takes what was typed literally: "%" and "_" are not wildcards.
    const byKey = await engine.invokeAs(admin, "exceptions/list", { templateId, period, search: e.leftKeys[0]!, offset: 0, limit: 5 });
    expect(byKey.items.map((x) => x.exceptionId)).toContain(e.exceptionId);
    for (const search of ["%%%", "____"]) {
      expect((await engine.invokeAs(admin, "exceptions/list", { templateId, period, search, offset: 0, limit: 1 })).total).toBe(0);
    }
    // Work goes to someone who can do it: not a read-only auditor, not a name nobody signs in as.
    await expect(engine.invokeAs(admin, "exceptions/assign", { exceptionIds: [e.exceptionId], owner: "ava" })).rejects.toThrow(
      "Cannot assign to ava: Ava Auditor (read only) cannot work exceptions (no preparer role).",
    );
    await expect(engine.invokeAs(admin, "exceptions/assign", { exceptionIds: [e.exceptionId], owner: "Robert" })).rejects.toThrow(
      /Cannot assign to Robert: "Robert" is not a Tieout user/,
    );
    await engine.invokeAs(admin, "exceptions/assign", { exceptionIds: [e.exceptionId], owner: "ana" });
    await engine.invokeAs(admin, "exceptions/comment", { exceptionId: e.exceptionId, text: "asked the department" });
    await engine.invokeAs(admin, "recon/run", { templateId, period });
    const after = await engine.invokeAs(admin, "exceptions/get", { exceptionId: e.exceptionId });
    expect(after.exception.owner).toBe("ana");
    expect(after.exception.openedAt).toBe(e.openedAt);
    expect(after.exception.lagDays).toBeGreaterThan(3);
    expect(after.comments.map((c) => c.text)).toEqual(["asked the department"]);
    await engine.invokeAs(admin, "exceptions/resolve", { exceptionIds: [e.exceptionId], resolution: "late DFT, within policy" });
    await engine.invokeAs(admin, "recon/run", { templateId, period });
    expect((await engine.invokeAs(admin, "exceptions/get", { exceptionId: e.exceptionId })).exception.status).toBe("resolved");
    await expect(engine.invokeAs(viewer, "exceptions/resolve", { exceptionIds: [e.exceptionId], resolution: "x" })).rejects.toThrow(
      /preparer/,
    );
  });

  it("leaves a locked reconciliation untouched by a re-run and refuses to change it by hand", async () => {
    const before = await engine.invokeAs(admin, "recon/balance", { templateId: "supply-inventory", period });
    await engine.invokeAs(admin, "recon/lock", { templateId: "supply-inventory", period, locked: true });
    const page = await engine.invokeAs(admin, "recon/rows", {
      templateId: "supply-inventory",
      period,
      side: "left",
      offset: 0,
      limit: 1,
      status: ["matched"],
    });
    await expect(engine.invokeAs(admin, "recon/unmatch", { groupIds: [page.rows[0]!.groupId!] })).rejects.toThrow(/locked/);
    await engine.invokeAs(admin, "recon/run", { templateId: "supply-inventory", period });
    expect(await engine.invokeAs(admin, "recon/balance", { templateId: "supply-inventory", period })).toEqual(before);
    await engine.invokeAs(admin, "recon/lock", { templateId: "supply-inventory", period, locked: false });
  });

  it("runs as a job in a worker thread", async () => {
    const { jobId } = await engine.invokeAs(admin, "jobs/start", { kind: "recon", params: { templateId: "master-data", period } });
    const job = await engine.jobs.waitFor(jobId);
    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");
    expect((job.result as { templateId: string }).templateId).toBe("master-data");
  });
});
