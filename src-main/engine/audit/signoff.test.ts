import ExcelJS from "exceljs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { UserInfo } from "../../../src-shared/api";
import { exportExceptionsWorkbook, importExceptionsWorkbook } from "../workpapers/exceptionsRoundtrip";
import { exportWorkpaper } from "../workpapers/exportWorkpaper";
import { MemoryReconSource } from "../workpapers/memoryReconSource.test-helper";
import { UNCLASSIFIED } from "../../../src-shared/api/audit";
import { createUser } from "../auth/users";
import { openStore, type Store } from "../store/store";
import { appendAudit, auditEntriesFor, listAudit, verifyAuditChain } from "./auditLog";
import { enforceSignoffs, signOff, signoffStatus, withdrawSignoff } from "./signoff";

const ana: UserInfo = { userId: "ana", displayName: "Ana Preparer", roles: ["preparer"] };
const rob: UserInfo = { userId: "rob", displayName: "Rob Reviewer", roles: ["preparer", "reviewer", "phi"] };

let dir: string;
let store: Store;
let source: MemoryReconSource;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-signoff-"));
  store = await openStore(join(dir, "t.db"));
  createUser(store, "system", { ...ana, password: "demo" });
  createUser(store, "system", { ...rob, password: "demo" });
  source = new MemoryReconSource(store);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const key = { reconId: "cash", period: "2026-10" };

describe("sign-off", () => {
  it("takes a preparer then a different reviewer, and audits both", () => {
    signOff(store, source, ana, { ...key, role: "preparer" });
    expect(() => signOff(store, source, ana, { ...key, role: "reviewer" })).toThrow(/reviewer role/);
    const { status } = signOff(store, source, rob, { ...key, role: "reviewer", comment: "agreed to bank" });
    expect(status.preparer?.userId).toBe("ana");
    expect(status.reviewer?.userId).toBe("rob");
    const actions = listAudit(store, { action: "sign-off" }).entries.map((e) => e.actor);
    expect(actions).toEqual(["rob", "ana"]);
    expect(verifyAuditChain(store).ok).toBe(true);
  });

  it("refuses a review before a preparer sign-off and by the preparer", () => {
    expect(() => signOff(store, source, rob, { ...key, role: "reviewer" })).toThrow(/needs a preparer sign-off/);
    signOff(store, source, rob, { ...key, role: "preparer" });
    expect(() => signOff(store, source, rob, { ...key, role: "reviewer" })).toThrow(/someone other than the preparer/);
  });

  it("voids both sign-offs visibly when a signed figure changes, and the audit trail says which", () => {
    signOff(store, source, ana, { ...key, role: "preparer" });
    signOff(store, source, rob, { ...key, role: "reviewer" });
    source.exceptions[0]!.amountCents += 1; // a reconciling item changes by one cent after sign-off
    source.leftBalanceCents -= 1; // (and the left balance with it, so the reconciliation still ties)
    const { status, changes } = signoffStatus(store, source, key.reconId, key.period);
    expect(status.preparer).toBeNull();
    expect(status.reviewer).toBeNull();
    expect(changes.map((c) => c.role).sort()).toEqual(["preparer", "reviewer"]);
    const voided = status.history.find((h) => h.role === "preparer")!;
    expect(voided.voidReason).toContain("left balance 500000.00 → 499999.99");
    expect(voided.voidReason).toContain('reconciling items "Unapplied cash" 1 totalling 250.00 → 1 totalling 250.01');
    const audit = listAudit(store, { action: "void sign-off" }).entries;
    expect(audit).toHaveLength(2);
    expect(audit.some((a) => a.reason?.includes("left balance"))).toBe(true);
  });

  it("works the figures out only when a sign-off stands, and once per request (a pass over every row at scale)", () => {
    let summaries = 0;
    const counting = Object.assign(Object.create(source) as MemoryReconSource, {
      summary: (reconId: string, period: string) => (summaries++, source.summary(reconId, period)),
    });
    expect(enforceSignoffs(store, counting, key.reconId, key.period)).toEqual([]);
    expect(summaries).toBe(0);
    signOff(store, source, ana, { ...key, role: "preparer" });
    expect(enforceSignoffs(store, counting, key.reconId, key.period)).toEqual([]);
    expect(summaries).toBe(1);
    // Checking and then showing the status works them out once, not twice.
    expect(signoffStatus(store, counting, key.reconId, key.period).status.preparer?.userId).toBe("ana");
    expect(summaries).toBe(2);
  });

  it("keeps a sign-off when nothing changed and lets the signer withdraw it with a reason", () => {
    signOff(store, source, ana, { ...key, role: "preparer" });
    expect(signoffStatus(store, source, key.reconId, key.period).status.preparer?.userId).toBe("ana");
    expect(() => withdrawSignoff(store, source, rob, { ...key, role: "preparer", reason: "x" })).toThrow(/Only Ana Preparer/);
    const { status } = withdrawSignoff(store, source, ana, { ...key, role: "preparer", reason: "late charges found" });
    expect(status.preparer).toBeNull();
    expect(listAudit(store, { action: "withdraw sign-off" }).entries[0]?.reason).toBe("late charges found");
  });

  it("refuses to sign a reconciliation that does not tie or has no run", () => {
    source.leftBalanceCents += 5;
    expect(() => signOff(store, source, ana, { ...key, role: "preparer" })).toThrow(/does not tie/);
    source.hasRun = false;
    expect(() => signOff(store, source, ana, { ...key, role: "preparer" })).toThrow(/no run/);
  });

  it("refuses to sign while any row is not yet classified, even a pair whose amounts cancel out", () => {
    // The figures add up by construction; the unclassified rows are what the balance calls unexplained.
    const unclassified = (exceptionId: string, amountCents: number) => ({
      ...source.exceptions[0]!,
      exceptionId,
      reason: UNCLASSIFIED,
      amountCents,
      status: "unmatched",
    });
    source.exceptions.push(unclassified("right:T9", 165_10));
    source.leftBalanceCents -= 165_10;
    for (const [user, role] of [
      [ana, "preparer"],
      [rob, "reviewer"],
    ] as const)
      expect(() => signOff(store, source, user, { ...key, role })).toThrow(
        "cash 2026-10 has 1 row not yet classified (an unexplained difference of -165.10): match, explain or raise them before signing off.",
      );
    // An unmatched pair of $50.00 nets to nothing, and is still work not done.
    source.exceptions.pop();
    source.leftBalanceCents += 165_10;
    source.exceptions.push(unclassified("left:C8", -50_00), unclassified("right:T8", 50_00));
    expect(() => signOff(store, source, ana, { ...key, role: "preparer" })).toThrow(
      "cash 2026-10 has 2 rows not yet classified (an unexplained difference of 0.00)",
    );
    source.exceptions.splice(-2, 2);
    expect(signOff(store, source, ana, { ...key, role: "preparer" }).status.preparer).toBeTruthy();
  });

  it("refuses a stale screen: the fingerprint the signer saw must still hold", () => {
    const before = signoffStatus(store, source, key.reconId, key.period).status.fingerprint;
    source.matched.pop();
    expect(() => signOff(store, source, ana, { ...key, role: "preparer", expectedFingerprint: before })).toThrow(
      /changed since you opened/,
    );
  });
});

describe("audit log", () => {
  it("filters by actor, action, entity prefix and date range, newest first, paged", () => {
    appendAudit(store, { actor: "ana", action: "match", entityType: "match_group", entityId: "cash/2026-10/MG-1" });
    appendAudit(store, { actor: "rob", action: "approve", entityType: "adjustment", entityId: "cash/2026-10/ADJ-1" });
    expect(listAudit(store, { actor: "ana", action: "match" }).total).toBe(1);
    expect(listAudit(store, { entityId: "cash/2026-10*" }).entries.map((e) => e.action)).toEqual(["approve", "match"]);
    expect(listAudit(store, { to: "2000-01-01" }).total).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    expect(listAudit(store, { from: today, to: today }).total).toBe(4); // two users created + two entries
    expect(listAudit(store, {}, 1, 2).entries.map((e) => e.seq)).toEqual([3, 2]);
    expect(listAudit(store, { search: "approve" }).total).toBe(1);
    expect([...auditEntriesFor(store, "cash", "2026-10")].map((e) => e.action)).toEqual(["match", "approve"]);
  });

  it("keeps the chain intact when a worker thread and the engine append at once", async () => {
    const count = 400;
    const worker = new Worker(new URL("./appendWorker.test-helper.mjs", import.meta.url), { workerData: { dbPath: store.path, count } });
    const done = new Promise<{ failed: string | null }>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    let mainFailed: string | null = null;
    for (let k = 0; k < count; k++) {
      try {
        appendAudit(store, { actor: "engine", action: "y", entityType: "t", entityId: String(k) });
      } catch (error) {
        mainFailed = String(error);
        break;
      }
      if (k % 20 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    const { failed } = await done;
    expect({ mainFailed, failed }).toEqual({ mainFailed: null, failed: null });
    expect(verifyAuditChain(store)).toMatchObject({ ok: true, entries: 2 + 2 * count });
  });
});

describe("workpaper export from the store", () => {
  it("writes the file, records the export and audits it; PHI needs the phi role", async () => {
    signOff(store, source, ana, { ...key, role: "preparer" });
    const { record, written } = await exportWorkpaper(store, source, { ...key, outPath: join(dir, "wp.xlsx") }, "ana");
    expect(record.sheets).toContain("Audit extract");
    expect(written.totals.differenceCents).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(written.path);
    const auditSheet = workbook.getWorksheet("Audit extract")!;
    expect(auditSheet.getCell("D2").value).toBe("sign-off");
    expect(workbook.getWorksheet("Cover")!.getSheetValues().flat().map(String).join(" ")).toContain("Ana Preparer (ana)");
    expect(listAudit(store, { action: "export workpaper" }).entries[0]?.after).toMatchObject({ patientIdentifiers: "masked" });
    await expect(exportWorkpaper(store, source, { ...key, outPath: join(dir, "phi.xlsx"), includePhi: true }, "ana")).rejects.toThrow(
      /phi role/,
    );
    const phi = await exportWorkpaper(store, source, { ...key, outPath: join(dir, "phi.xlsx"), includePhi: true }, "rob");
    expect(phi.record.phiUnmasked).toBe(true);
  });
});

describe("workpaper export and the sign-off check", () => {
  it("works the figures out once per export, and again when something was committed while they were worked out", async () => {
    signOff(store, source, ana, { ...key, role: "preparer" });
    let summaries = 0;
    let race = false;
    const counting = Object.assign(Object.create(source) as MemoryReconSource, {
      summary: (reconId: string, period: string) => {
        summaries++;
        const figures = source.summary(reconId, period);
        if (race) {
          race = false;
          // Meanwhile someone unmatches a pair, and it commits: these figures are stale before they are used.
          source.matched.pop();
          appendAudit(store, { actor: "rob", action: "unmatch", entityType: "match_group", entityId: "cash/2026-10/MG-1" });
        }
        return figures;
      },
    });
    await exportWorkpaper(store, counting, { ...key, outPath: join(dir, "once.xlsx") }, "ana");
    expect(summaries).toBe(1);
    expect(signoffStatus(store, source, key.reconId, key.period).status.preparer?.userId).toBe("ana");

    race = true;
    summaries = 0;
    await exportWorkpaper(store, counting, { ...key, outPath: join(dir, "race.xlsx") }, "ana");
    expect(summaries).toBe(2);
    // Checked against the figures as they stood when the void committed, not the stale ones.
    const status = signoffStatus(store, source, key.reconId, key.period).status;
    expect(status.preparer).toBeNull();
    expect(status.history[0]?.voidReason).toContain("matched items 2 → 1");
  });
});

describe("exceptions round trip", () => {
  async function fillIn(path: string, edits: Record<string, { owner?: string; explanation?: string }>): Promise<string> {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    const sheet = workbook.getWorksheet("Exceptions")!;
    const header = (sheet.getRow(1).values as unknown[]).map(String);
    sheet.eachRow((row, n) => {
      if (n === 1) return;
      const edit = edits[String(row.getCell(1).value)];
      if (edit?.owner !== undefined) row.getCell(header.indexOf("Owner")).value = edit.owner;
      if (edit?.explanation !== undefined) row.getCell(header.indexOf("Explanation")).value = edit.explanation;
    });
    const out = path.replace(/\.xlsx$/, "-filled.xlsx");
    await workbook.xlsx.writeFile(out);
    return out;
  }

  it("applies offline edits with provenance and shows conflicts without overwriting them", async () => {
    const exported = await exportExceptionsWorkbook(store, source, { ...key, outPath: join(dir, "ex.xlsx") }, "ana");
    expect(exported.rows).toBe(3);
    const filled = await fillIn(exported.path, {
      "EX-1": { owner: "ana", explanation: "deposit posted 11/02" },
      "EX-2": { explanation: "appeal filed" },
      // A name rather than a user id: no filter or "Me" view would ever find the work.
      "EX-3": { owner: "Robert" },
    });
    // Meanwhile someone explains EX-2 differently in Tieout.
    source.exceptions[1]!.explanation = "written off";

    const preview = importExceptionsWorkbook(store, source, filled, false, "ana");
    expect(preview.applied).toBe(0);
    expect(preview.changes.map((c) => `${c.exceptionId}.${c.field}:${c.outcome}`).sort()).toEqual([
      "EX-1.explanation:apply",
      "EX-1.owner:apply",
      "EX-2.explanation:conflict",
    ]);
    expect(preview.problems.map((p) => p.message)).toEqual([
      'row 4: exception EX-3: owner "Robert" is not a Tieout user (an owner is a user id, such as ana); the owner is left as it is',
    ]);
    expect(source.exceptions[0]!.owner).toBeNull();

    const result = importExceptionsWorkbook(store, source, filled, true, "ana");
    expect(result.applied).toBe(1);
    expect(source.exceptions[0]).toMatchObject({ owner: "ana", explanation: "deposit posted 11/02" });
    expect(source.exceptions[1]!.explanation).toBe("written off");
    expect(source.exceptions[2]!.owner).toBeNull();
    const explain = listAudit(store, { action: "explain" }).entries[0]!;
    expect(explain.after).toMatchObject({ provenance: { via: "workbook", fileName: "ex-filled.xlsx", row: 2 } });
    expect(listAudit(store, { action: "import exceptions workbook" }).entries[0]?.reason).toMatch(/1 conflicting/);
    expect(verifyAuditChain(store).ok).toBe(true);
  });

  it("refuses a workbook this database did not export", async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet("About").addRow(["Export id", "nope"]);
    workbook.addWorksheet("Exceptions").addRow(["Exception", "Owner", "Explanation"]);
    const path = join(dir, "stranger.xlsx");
    await workbook.xlsx.writeFile(path);
    expect(() => importExceptionsWorkbook(store, source, path, false, "ana")).toThrow(/did not write/);
  });
});
