/**
 * "Exactly once": every approved adjustment reaches the stand-in ERP once, whatever the
 * network or the ERP does and even when the dispatcher is killed mid-send. Counts are
 * asserted on the ERP's side (its posted documents, by idempotency key).
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startErpStandin, type ErpDocument, type ErpFault, type ErpStandin } from "../../../fixtures/standins/erpStandin";
import type { Store } from "../store/store";
import { approveAdjustment, createMasterDataFix, submitAdjustment } from "./adjustments";
import { backoffMs, dispatchDue, judgeHttpOutcome, runDispatcher } from "./dispatcher";
import { saveOutboundSettings } from "./outboundSettings";
import { getOutboxItem, listOutbox, replayOutboxItem } from "./outbox";
import { ana, approvedJournal, rob, tempStore } from "./testSupport.test-helper";

let store: Store;
let dir: string;
let cleanup: () => Promise<void>;
let erp: ErpStandin | null = null;

beforeEach(async () => {
  ({ store, dir, cleanup } = await tempStore("tieout-exactly-once-"));
});
afterEach(async () => {
  await erp?.close();
  erp = null;
  await cleanup();
});

const fastRetries = { baseDelayMs: 20, maxDelayMs: 200, requestTimeoutMs: 600, maxAttempts: 12 };

function expectExactlyOnce(documents: ErpDocument[], store: Store, expectedPosted: number): void {
  const items = listOutbox(store, { limit: 1000 });
  const byKey = new Map<string, number>();
  for (const d of documents) byKey.set(d.idempotencyKey ?? "(none)", (byKey.get(d.idempotencyKey ?? "(none)") ?? 0) + 1);
  expect(documents).toHaveLength(expectedPosted);
  expect([...byKey.values()].every((n) => n === 1)).toBe(true);
  for (const item of items.filter((i) => i.status === "posted")) {
    const doc = documents.find((d) => d.idempotencyKey === item.idempotencyKey);
    expect(doc?.documentId).toBe(item.erpDocumentId);
  }
}

describe("outbox decisions", () => {
  it("retries what may succeed later and dead-letters only a definite refusal", () => {
    expect(judgeHttpOutcome({ kind: "no-answer", reason: "timeout", message: "t" }).outcome).toBe("retry");
    expect(judgeHttpOutcome({ kind: "answer", status: 503, body: { code: "UNAVAILABLE", message: "x" }, replayed: false }).outcome).toBe(
      "retry",
    );
    expect(
      judgeHttpOutcome({ kind: "answer", status: 409, body: { code: "IDEMPOTENCY_IN_PROGRESS", message: "x" }, replayed: false }).outcome,
    ).toBe("retry");
    expect(judgeHttpOutcome({ kind: "answer", status: 409, body: { code: "CONFLICT", message: "x" }, replayed: false }).outcome).toBe(
      "dead",
    );
    expect(judgeHttpOutcome({ kind: "answer", status: 422, body: { code: "PERIOD_CLOSED", message: "x" }, replayed: false }).outcome).toBe(
      "dead",
    );
    expect(judgeHttpOutcome({ kind: "answer", status: 201, body: { documentId: "JE000001" }, replayed: true })).toMatchObject({
      outcome: "posted",
      documentId: "JE000001",
    });
  });

  it("backs off exponentially with jitter, never beyond the cap", () => {
    const policy = { baseDelayMs: 1_000, maxDelayMs: 30_000 };
    expect(backoffMs(1, policy, () => 0)).toBe(500);
    expect(backoffMs(1, policy, () => 0.999)).toBeLessThan(1_000);
    expect(backoffMs(4, policy, () => 0)).toBe(4_000);
    expect(backoffMs(30, policy, () => 0.999)).toBeLessThanOrEqual(30_000);
    expect(backoffMs(30, policy, () => 0)).toBe(15_000);
  });
});

describe("exactly once against the stand-in ERP", () => {
  it("posts each approved journal once through every fault the ERP can inject", async () => {
    erp = await startErpStandin({ port: 0, accounts: ["1200", "4000", "4010", "6100", "1400"] });
    saveOutboundSettings(store, "test", { ...fastRetries, erpUrl: erp.url });
    const faults: ErpFault[] = [
      { kind: "5xx" },
      { kind: "timeout" },
      { kind: "slow", delayMs: 900 },
      { kind: "drop" },
      { kind: "lost-response" },
      { kind: "5xx", status: 500 },
      { kind: "lost-response" },
      { kind: "drop" },
    ];
    erp.setFaults({ queue: faults });
    const ids = Array.from({ length: 8 }, (_, i) => approvedJournal(store, 10_000 + i));
    const result = await runDispatcher(store, { untilIdle: true, maxRunMs: 30_000, pollMs: 50 });
    expect(result.pending).toBe(0);
    const items = listOutbox(store);
    expect(items.map((i) => i.status)).toEqual(ids.map(() => "posted"));
    expectExactlyOnce(erp.posted(), store, 8);
    const stats = erp.stats();
    expect(stats.faults).toMatchObject({ "5xx": 2, timeout: 1, slow: 1, drop: 2, "lost-response": 2 });
    // A lost response and a timed-out slow post were answered from the ERP's idempotency store.
    expect(stats.replays).toBeGreaterThanOrEqual(2);
  });

  it("posts exactly once under a seeded storm of random faults", async () => {
    erp = await startErpStandin({ port: 0 });
    erp.setFaults({ seed: 7, slowMs: 700, probabilities: { "5xx": 0.15, timeout: 0.05, slow: 0.1, drop: 0.1, "lost-response": 0.15 } });
    saveOutboundSettings(store, "test", { ...fastRetries, maxAttempts: 25, erpUrl: erp.url });
    const count = 25;
    for (let i = 0; i < count; i++) approvedJournal(store, 100 + i);
    const result = await runDispatcher(store, { untilIdle: true, maxRunMs: 60_000, pollMs: 50 });
    expect(result.pending).toBe(0);
    expect(listOutbox(store).filter((i) => i.status === "posted")).toHaveLength(count);
    expectExactlyOnce(erp.posted(), store, count);
  }, 90_000);

  it("dead-letters a business rejection with the ERP's answer, and a replay after the fix posts it once", async () => {
    erp = await startErpStandin({ port: 0 });
    saveOutboundSettings(store, "test", { ...fastRetries, erpUrl: erp.url });
    erp.setFaults({ queue: [{ kind: "reject", message: "posting is blocked while the ledger is being revalued" }] });
    approvedJournal(store);
    await dispatchDue(store);
    const [dead] = listOutbox(store);
    expect(dead).toMatchObject({ status: "dead", attempts: 1 });
    expect(dead!.lastError).toMatchObject({
      httpStatus: 422,
      code: "REJECTED",
      message: "posting is blocked while the ledger is being revalued",
    });
    expect(erp.posted()).toHaveLength(0);
    replayOutboxItem(store, rob.userId, dead!.id, "revaluation finished");
    await dispatchDue(store);
    expect(listOutbox(store)[0]).toMatchObject({ status: "posted", erpDocumentId: "JE000001" });
    expectExactlyOnce(erp.posted(), store, 1);
    const history = getOutboxItem(store, dead!.id).attemptHistory;
    expect(history.map((a) => a.outcome)).toEqual(["dead", "posted"]);
  });

  it("dead-letters a master-data fix the ERP finds stale (409), keeping the ERP's message", async () => {
    erp = await startErpStandin({ port: 0, masterData: { costCenter: { D200: { glAccount: "4100" } } } });
    saveOutboundSettings(store, "test", { ...fastRetries, erpUrl: erp.url });
    const fix = createMasterDataFix(store, ana.userId, {
      entity: "costCenter",
      key: "D200",
      field: "glAccount",
      oldValue: "4000",
      newValue: "4010",
    });
    submitAdjustment(store, ana, fix.id);
    approveAdjustment(store, rob, fix.id, null);
    await dispatchDue(store);
    expect(listOutbox(store)[0]).toMatchObject({ status: "dead", lastError: { httpStatus: 409, code: "CONFLICT" } });
    expect(listOutbox(store)[0]!.lastError!.message).toContain('glAccount is "4100"');
  });

  it("gives up after the attempt cap and dead-letters with the last answer", async () => {
    erp = await startErpStandin({ port: 0, faults: { probabilities: { "5xx": 1 } } });
    saveOutboundSettings(store, "test", { ...fastRetries, maxAttempts: 3, erpUrl: erp.url });
    approvedJournal(store);
    const result = await runDispatcher(store, { untilIdle: true, maxRunMs: 10_000, pollMs: 20 });
    expect(result).toMatchObject({ attempted: 3, dead: 1, pending: 0 });
    expect(listOutbox(store)[0]).toMatchObject({ status: "dead", attempts: 3, lastError: { httpStatus: 503 } });
    expect(erp.posted()).toHaveLength(0);
  });

  it("queues while the ERP is unreachable and sends once it answers again", async () => {
    const stateFile = join(dir, "erp-state.json");
    erp = await startErpStandin({ port: 0, stateFile });
    const port = erp.port;
    await erp.close();
    erp = null;
    saveOutboundSettings(store, "test", { ...fastRetries, maxAttempts: 50, erpUrl: `http://127.0.0.1:${port}` });
    approvedJournal(store, 1_000);
    approvedJournal(store, 2_000);
    const offline = await runDispatcher(store, { maxRunMs: 400, pollMs: 20 });
    expect(offline.posted).toBe(0);
    expect(listOutbox(store).every((i) => i.status === "failed" && i.lastError?.code === "NO_ANSWER")).toBe(true);
    erp = await startErpStandin({ port, stateFile });
    const online = await runDispatcher(store, { untilIdle: true, maxRunMs: 10_000, pollMs: 20 });
    expect(online.pending).toBe(0);
    expectExactlyOnce(erp.posted(), store, 2);
  });
});

describe("exactly once when the dispatcher process is killed", () => {
  const runCli = (args: string[]) =>
    spawn(process.execPath, ["bin/tieout.mjs", "outbox", ...args], { cwd: join(__dirname, "../../.."), stdio: ["ignore", "pipe", "pipe"] });

  it("survives SIGKILL mid-dispatch: after a restart every approved journal is posted once and none is lost", async () => {
    erp = await startErpStandin({ port: 0 });
    // Slow answers and lost responses make it likely the kill lands between "sent" and "recorded".
    erp.setFaults({ seed: 11, slowMs: 250, probabilities: { slow: 0.5, "lost-response": 0.2, "5xx": 0.1 } });
    saveOutboundSettings(store, "test", { baseDelayMs: 20, maxDelayMs: 200, requestTimeoutMs: 1_500, maxAttempts: 30, erpUrl: erp.url });
    const count = 30;
    for (let i = 0; i < count; i++) approvedJournal(store, 500 + i);
    const dbPath = store.path;

    let kills = 0;
    for (let round = 0; round < 2; round++) {
      const child = runCli(["run", "--db", dbPath, "--lease-ms", "1500"]);
      let output = "";
      child.stderr.on("data", (c: Buffer) => (output += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      const target = (round + 1) * 8;
      const deadline = Date.now() + 45_000;
      // Wait until the ERP has seen enough requests from this run, then kill without warning.
      while (erp.stats().requests < target && Date.now() < deadline && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(child.exitCode, output).toBeNull();
      child.kill("SIGKILL");
      await exited;
      kills++;
    }
    expect(kills).toBe(2);
    const sendingAfterKill = (store.sqlite.prepare("SELECT COUNT(*) AS n FROM outbox_item WHERE status != 'posted'").get() as { n: number })
      .n;
    expect(sendingAfterKill).toBeGreaterThan(0);

    const final = runCli(["run", "--db", dbPath, "--until-idle", "--max-seconds", "60", "--lease-ms", "1500", "--json"]);
    let stdout = "";
    let stderr = "";
    final.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    final.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => final.once("exit", (c) => resolve(c)));
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout.trim().split("\n").pop()!)).toMatchObject({ pending: 0 });

    const items = listOutbox(store, { limit: 1000 });
    expect(items).toHaveLength(count);
    expect(items.every((i) => i.status === "posted")).toBe(true);
    expectExactlyOnce(erp.posted(), store, count);
    // The kills did land mid-send: attempts without a recorded answer were taken over after the lease.
    const interrupted = store.sqlite.prepare("SELECT COUNT(*) AS n FROM outbox_attempt WHERE outcome = 'interrupted'").get() as {
      n: number;
    };
    expect(interrupted.n).toBeGreaterThanOrEqual(1);
  }, 120_000);
});

describe("file drop", () => {
  it("drops each approved journal as one FBDI file, once, even when a crash makes it send again", async () => {
    const folder = join(dir, "drop");
    saveOutboundSettings(store, "test", { transport: "file", fileFolder: folder, fileFormat: "fbdi", ledgerId: "300000046975971" });
    approvedJournal(store, 4_200);
    approvedJournal(store, 4_300);
    await dispatchDue(store);
    // As if the dispatcher died after the rename but before recording "posted".
    store.sqlite
      .prepare("UPDATE outbox_item SET status = 'sending', lease_until = '2000-01-01T00:00:00.000Z', erp_document_id = NULL WHERE id = 1")
      .run();
    await dispatchDue(store);
    const files = readdirSync(folder);
    expect(files.filter((f) => f.startsWith("GlInterface_") && f.endsWith(".csv"))).toHaveLength(2);
    expect(files.some((f) => f.startsWith("."))).toBe(false);
    const items = listOutbox(store);
    expect(items.every((i) => i.status === "posted" && files.includes(i.erpDocumentId!))).toBe(true);
    const text = readFileSync(join(folder, items.find((i) => i.id === 1)!.erpDocumentId!), "utf8");
    expect(text.split("\r\n").filter(Boolean)).toHaveLength(2);
    expect(text.startsWith("NEW,300000046975971,2026/10/31,Tieout,Adjustment,USD,")).toBe(true);
  });
});
