import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EngineEvents } from "../../src-shared/api";
import Database from "better-sqlite3";
import { createEngine, toApiError, type Engine } from "./engine";
import type { CallContext } from "./handlerRegistry";
import { jobHeapLimitMb } from "./jobs/jobRunner";

const admin: CallContext = { user: { userId: "test", displayName: "Test", roles: ["admin"] }, sessionId: null, actor: "test" };

let dir: string;
let engine: Engine;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-engine-"));
  engine = await createEngine({ dbPath: join(dir, "t.db"), mode: "cli" });
});
afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An HL7 file of n one-charge DFT messages. */
function bigHl7(n: number): string {
  const big = join(dir, "big.hl7");
  const messages: string[] = [];
  for (let i = 0; i < n; i++) {
    messages.push(
      `MSH|^~\\&|EHR|H1|BILL|H1|20261001120000||DFT^P03|C${i}|P|2.5.1\rPID|1||M${i}||DOE^J||19800101|F||||||||||A${i}\rPV1|1|O|ED^^^H1||||||||||||||||V${i}\rFT1|1|T${i}||20261001|20261002|CG|300100^CBC|||1|12.50||LAB`,
    );
  }
  writeFileSync(big, messages.join("\r"));
  return big;
}

describe("engine jobs", () => {
  it("runs an import in a worker thread, reporting progress, and records the outcome", async () => {
    const progress: EngineEvents["job/progress"][] = [];
    engine.events.on("job/progress", (p) => progress.push(p));
    const { jobId } = await engine.invokeAs(admin, "jobs/start", {
      kind: "ingest",
      params: { paths: [resolve("fixtures/samples/hl7v2")] },
    });
    const job = await engine.jobs.waitFor(jobId);
    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");
    expect(job.result).toMatchObject({ files: expect.any(Number), loaded: expect.any(Number) });
    expect((job.result as { loaded: number }).loaded).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.jobId === jobId)).toBe(true);
    // The worker wrote through its own connection; the engine's connection sees it.
    const summary = await engine.invokeAs(admin, "store/summary", {});
    expect(summary.tables.find((t) => t.table === "charge")!.rows).toBeGreaterThan(0);
    expect((await engine.invokeAs(admin, "jobs/list", {}))[0]).toMatchObject({ id: jobId, status: "succeeded" });
    // Each imported file is in the audit trail, attributed to whoever started the job.
    const audited = engine.store.sqlite.prepare("SELECT actor, action, after_json FROM audit_log WHERE action = 'import'").all() as {
      actor: string;
      after_json: string;
    }[];
    expect(audited.length).toBe((job.result as { files: number }).files);
    expect(audited.every((a) => a.actor === "test")).toBe(true);
    expect(JSON.parse(audited[0]!.after_json)).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("cancels a long import at a safe point, keeping what was committed", async () => {
    // A file big enough that its import takes several batches (at most 20,000 units each).
    const messages = 60_000;
    const big = bigHl7(messages);
    const { jobId } = await engine.invokeAs(admin, "jobs/start", { kind: "ingest", params: { paths: [big] } });
    // Progress comes after each committed batch, with the units loaded so far.
    const reported: number[] = [];
    engine.events.on("job/progress", (p) => {
      if (p.jobId === jobId) reported.push(p.done);
    });
    // Cancel from inside the first progress event, so the request reaches the worker
    // while most batches are still ahead of it, however loaded the machine is.
    const cancelled = await new Promise<boolean>((resolveCancelled) => {
      const off = engine.events.on("job/progress", (p) => {
        if (p.jobId === jobId && p.done > 0) {
          off();
          resolveCancelled(engine.jobs.cancel(jobId));
        }
      });
    });
    expect(cancelled).toBe(true);
    const job = await engine.jobs.waitFor(jobId);
    expect(job.status).toBe("cancelled");
    const loaded = (engine.store.sqlite.prepare("SELECT COUNT(*) AS n FROM charge").get() as { n: number }).n;
    expect(loaded).toBeGreaterThan(0);
    expect(loaded).toBeLessThan(messages);
    // Whole batches only (a batch is one transaction): what is kept is what the last progress reported.
    expect(loaded).toBe(reported.at(-1));
    expect(engine.store.sqlite.prepare("SELECT COUNT(*) AS n FROM raw_record").get()).toEqual({ n: loaded });
    // Importing the file again loads the rest: the partial file is not treated as already imported.
    const { jobId: again } = await engine.invokeAs(admin, "jobs/start", { kind: "ingest", params: { paths: [big] } });
    expect((await engine.jobs.waitFor(again)).status).toBe("succeeded");
    expect(engine.store.sqlite.prepare("SELECT COUNT(*) AS n FROM charge").get()).toEqual({ n: messages });
  });

  it("queues a job at once while the running one holds the store's write lock, and cancels it there", async () => {
    const big = bigHl7(20_000);
    const { jobId: first } = await engine.invokeAs(admin, "jobs/start", { kind: "ingest", params: { paths: [big] } });
    await new Promise<void>((started) => {
      const off = engine.events.on("job/progress", (p) => {
        if (p.jobId === first && p.done > 0) {
          off();
          started();
        }
      });
    });
    // Another writer takes the lock, as a worker saving a million-row run does for minutes.
    const other = new Database(engine.store.path);
    other.exec("BEGIN IMMEDIATE");
    const t0 = Date.now();
    const { jobId: second } = await engine.invokeAs(admin, "jobs/start", {
      kind: "ingest",
      params: { paths: [resolve("fixtures/samples/hl7v2")] },
    });
    const { jobId: third } = await engine.invokeAs(admin, "jobs/start", { kind: "ingest", params: { paths: [big] } });
    expect(engine.jobs.cancel(third)).toBe(true);
    // Without waiting on the lock (busy_timeout is 10 s): nothing was written yet.
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(engine.jobs.get(second)?.status).toBe("queued");
    expect(engine.jobs.get(third)?.status).toBe("cancelled");
    expect(engine.jobs.list(3).map((j) => [j.id, j.status])).toEqual([
      [third, "cancelled"],
      [second, "queued"],
      [first, "running"],
    ]);
    other.exec("ROLLBACK");
    other.close();
    expect((await engine.jobs.waitFor(first)).status).toBe("succeeded");
    expect((await engine.jobs.waitFor(second)).status).toBe("succeeded");
    const stored = Object.fromEntries(
      (engine.store.sqlite.prepare("SELECT id, status FROM job").all() as { id: string; status: string }[]).map((r) => [r.id, r.status]),
    );
    expect(stored).toEqual({ [first]: "succeeded", [second]: "succeeded", [third]: "cancelled" });
  });

  it("says the store is busy, in words, when a write waited out the lock", () => {
    const busy = Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
    expect(toApiError(busy)).toMatchObject({ code: "STORE_BUSY", message: expect.stringContaining("this change was not made") });
  });

  it("refuses every non-public method without a signed-in session", async () => {
    await expect(engine.invoke("store/summary", {})).rejects.toMatchObject({ code: "NOT_SIGNED_IN" });
    await expect(engine.invoke("store/summary", {}, "made-up-session")).rejects.toMatchObject({ code: "NOT_SIGNED_IN" });
    expect((await engine.invoke("app/info", {})).mode).toBe("cli");
  });

  it("signs a user in and refuses a role the user does not have", async () => {
    await engine.invoke("auth/createUser", { userId: "boss", displayName: "Boss", roles: [], password: "secret" });
    await engine.invokeAs(admin, "auth/createUser", { userId: "ana", displayName: "Ana", roles: ["approver"], password: "pass" });
    await expect(engine.invoke("auth/login", { userId: "ana", password: "wrong" })).rejects.toMatchObject({ code: "SIGN_IN_FAILED" });
    const { sessionId, user } = await engine.invoke("auth/login", { userId: "ana", password: "pass" });
    expect(user.roles).toEqual(["approver"]);
    expect(await engine.invoke("auth/me", {}, sessionId)).toMatchObject({ userId: "ana" });
    await expect(engine.invoke("sources/replay", { rawRecordId: 1 }, sessionId)).rejects.toMatchObject({ code: "FORBIDDEN" });
    // The first user became an administrator; a second user cannot make users.
    expect((await engine.invoke("auth/users", {})).find((u) => u.userId === "boss")?.roles).toContain("admin");
    await expect(
      engine.invoke("auth/createUser", { userId: "x", displayName: "X", roles: ["admin"], password: "pass" }, sessionId),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("shows patient names, MRNs and birth dates only to users with the phi role", async () => {
    engine.store.sqlite
      .prepare(
        "INSERT INTO patient_account (system, account_number, mrn, patient_name, birth_date) VALUES ('ehr', 'A1', 'M1', 'DOE^JANE', '1980-02-03')",
      )
      .run();
    const clerk: CallContext = { user: { userId: "c", displayName: "C", roles: ["preparer"] }, sessionId: null, actor: "c" };
    const masked = await engine.invokeAs(clerk, "rows/page", { table: "patient_account", offset: 0, limit: 10 });
    expect(masked.rows[0]).toMatchObject({ account_number: "A1", mrn: "•••", patient_name: "•••", birth_date: "•••" });
    const phi: CallContext = { ...clerk, user: { ...clerk.user!, roles: ["preparer", "phi"] } };
    const clear = await engine.invokeAs(phi, "rows/page", { table: "patient_account", offset: 0, limit: 10 });
    expect(clear.rows[0]).toMatchObject({ mrn: "M1", patient_name: "DOE^JANE" });
  });

  it("starts a job only for a user with the role its direct method needs, and lets only its starter or an admin cancel it", async () => {
    const viewer: CallContext = { user: { userId: "vic", displayName: "Vic", roles: [] }, sessionId: null, actor: "vic" };
    const ana: CallContext = { user: { userId: "ana", displayName: "Ana", roles: ["preparer"] }, sessionId: null, actor: "ana" };
    const bob: CallContext = { user: { userId: "bob", displayName: "Bob", roles: ["preparer"] }, sessionId: null, actor: "bob" };
    await expect(
      engine.invokeAs(viewer, "jobs/start", { kind: "recon", params: { templateId: "charge-reconciliation", period: "2026-10" } }),
    ).rejects.toMatchObject({ code: "FORBIDDEN", message: "Vic does not have the preparer role needed for a recon job." });
    await expect(engine.invokeAs(viewer, "jobs/start", { kind: "ingest", params: { paths: [bigHl7(1)] } })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    // A workpaper export writes a file where it is told to: a preparer's job, as exceptions/exportWorkbook.
    await expect(
      engine.invokeAs(viewer, "jobs/start", { kind: "workpaper", params: { reconId: "charge-reconciliation", period: "2026-10" } }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(engine.jobs.list()).toEqual([]);

    const { jobId } = await engine.invokeAs(ana, "jobs/start", { kind: "ingest", params: { paths: [bigHl7(60_000)] } });
    expect(engine.jobs.get(jobId)!.requestedBy).toBe("ana");
    await expect(engine.invokeAs(bob, "jobs/cancel", { jobId })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining("Only ana (who started it) or an administrator"),
    });
    await expect(engine.invokeAs(viewer, "jobs/cancel", { jobId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(engine.invokeAs(admin, "jobs/cancel", { jobId: "no-such-job" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await engine.invokeAs(ana, "jobs/cancel", { jobId })).toEqual({ cancelled: true });
    expect((await engine.jobs.waitFor(jobId)).status).toBe("cancelled");
  });

  it("answers a second start of the same job, waiting or running, with the first one", async () => {
    const ana: CallContext = { user: { userId: "ana", displayName: "Ana", roles: ["preparer"] }, sessionId: null, actor: "ana" };
    const big = { kind: "ingest" as const, params: { paths: [bigHl7(60_000)] } };
    const first = await engine.invokeAs(ana, "jobs/start", big);
    const october = { kind: "recon" as const, params: { templateId: "charge-reconciliation", period: "2026-10" } };
    const waiting = await engine.invokeAs(ana, "jobs/start", october);
    // Two people press Run on the same reconciliation: one run.
    expect(await engine.invokeAs(admin, "jobs/start", october)).toEqual(waiting);
    // An import may be asked for again (a file replaced on disk): it queues.
    expect(await engine.invokeAs(admin, "jobs/start", big)).not.toEqual(first);
    const november = await engine.invokeAs(ana, "jobs/start", {
      kind: "recon",
      params: { templateId: "charge-reconciliation", period: "2026-11" },
    });
    expect(november.jobId).not.toBe(waiting.jobId);
    expect(engine.jobs.list().filter((j) => j.kind === "recon")).toHaveLength(2);
    for (const job of engine.jobs.list()) engine.jobs.cancel(job.id);
    await engine.jobs.waitFor(first.jobId);
  });

  it("gives a job's worker 70% of the machine's memory as its heap ceiling, between 4 and 16 GB", () => {
    const GB = 1024 ** 3;
    // An 8 GB laptop: a million-encounter re-run needs about 4.1 GB, past the 4 GB half would give.
    expect(jobHeapLimitMb(8 * GB)).toBe(5734);
    expect(jobHeapLimitMb(4 * GB)).toBe(4096);
    expect(jobHeapLimitMb(64 * GB)).toBe(16_384);
  });

  it("refuses an unknown job kind and an import with no paths, as values", async () => {
    await expect(engine.invokeAs(admin, "jobs/start", { kind: "nope", params: {} } as never)).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(engine.invokeAs(admin, "jobs/start", { kind: "ingest", params: { paths: [] } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("keeps jobs waiting their turn in a journal beside the store, and records them as interrupted if the process died", async () => {
    const journal = engine.jobs.journal!;
    expect(journal).toMatch(/t\.db-queue-\d+-[0-9a-f]{8}\.json$/);
    const big = bigHl7(60_000);
    const { jobId: first } = await engine.invokeAs(admin, "jobs/start", { kind: "ingest", params: { paths: [big] } });
    const { jobId: second } = await engine.invokeAs(admin, "jobs/start", { kind: "ingest", params: { paths: [big] } });
    const { jobId: third } = await engine.invokeAs(admin, "jobs/start", { kind: "ingest", params: { paths: [big] } });
    expect(engine.jobs.cancel(third)).toBe(true);
    const kept = JSON.parse(readFileSync(journal, "utf8")) as { jobs: { id: string; status: string }[] };
    expect(kept.jobs.map((j) => [j.id, j.status])).toEqual([
      [second, "queued"],
      [third, "cancelled"],
    ]);
    expect(kept.jobs.some((j) => j.id === first)).toBe(false);
    // The running job's progress joins it, at most once a second.
    let progress: { id: string; done: number } | null = null;
    for (let waited = 0; waited < 10_000 && !progress?.done; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
      progress = (JSON.parse(readFileSync(journal, "utf8")) as { running: { id: string; done: number } | null }).running;
    }
    expect(progress).toMatchObject({ id: first, done: expect.any(Number) });
    expect(progress!.done).toBeGreaterThan(0);
    // The process dies here: what it leaves is the store and this journal.
    const leftBehind = join(dir, "left-behind.json");
    copyFileSync(journal, leftBehind);
    await engine.close();
    expect(existsSync(journal)).toBe(false);
    // A clean close wrote rows a crash would not have: take them back.
    const raw = new Database(join(dir, "t.db"));
    raw.prepare("DELETE FROM job WHERE id IN (?, ?)").run(second, third);
    raw.prepare("UPDATE job SET status = 'running', finished_at = NULL WHERE id = ?").run(first);
    raw.close();
    copyFileSync(leftBehind, journal);

    engine = await createEngine({ dbPath: join(dir, "t.db"), mode: "cli" });
    // The interrupted job says how far it had got.
    expect(engine.jobs.get(first)).toMatchObject({
      status: "failed",
      error: expect.stringContaining("while this job was running"),
      done: progress!.done,
    });
    expect(engine.jobs.get(second)).toMatchObject({ status: "failed", error: expect.stringContaining("before this job started") });
    expect(engine.jobs.get(third)).toMatchObject({ status: "cancelled", error: null });
    expect(engine.jobs.list(3).map((j) => j.id)).toEqual([third, second, first]);
    expect(existsSync(journal)).toBe(false);
  });

  it("runs its jobs when the journal cannot be written (a full disk, a file held open)", async () => {
    // A directory where the journal goes: every write of it fails.
    rmSync(engine.jobs.journal!);
    mkdirSync(join(engine.jobs.journal!, "in-the-way"), { recursive: true });
    const sample = resolve("fixtures/samples/hl7v2");
    const { jobId: first } = await engine.invokeAs(admin, "jobs/start", { kind: "ingest", params: { paths: [sample] } });
    const { jobId: second } = await engine.invokeAs(admin, "jobs/start", { kind: "ingest", params: { paths: [sample] } });
    expect((await engine.jobs.waitFor(first)).status).toBe("succeeded");
    expect((await engine.jobs.waitFor(second)).status).toBe("succeeded");
  });

  it("leaves alone the jobs of another process on the same store (the app and a scheduled run), and takes over those of one gone", async () => {
    const big = bigHl7(60_000);
    const { jobId: first } = await engine.invokeAs(admin, "jobs/start", { kind: "ingest", params: { paths: [big] } });
    const { jobId: second } = await engine.invokeAs(admin, "jobs/start", { kind: "ingest", params: { paths: [big] } });
    for (let waited = 0; waited < 10_000 && engine.jobs.get(first)?.status !== "running"; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
    }
    // A second engine opens the same store while the first one's job runs and another waits.
    const other = await createEngine({ dbPath: join(dir, "t.db"), mode: "cli" });
    try {
      expect(other.jobs.get(first)).toMatchObject({ status: "running", error: null });
      expect(other.jobs.get(second)).toBeNull();
      expect((await engine.jobs.waitFor(first)).status).toBe("succeeded");
      expect((await engine.jobs.waitFor(second)).status).toBe("succeeded");
      expect(other.jobs.get(second)).toMatchObject({ status: "succeeded" });
    } finally {
      await other.close();
    }

    // Journals of runners in other processes: one alive; one on this machine whose process runs but
    // has not touched its journal for ten minutes (asleep: alive); one on another machine (a store
    // on a shared drive) untouched for ten minutes (gone).
    const job = (id: string) => ({
      id,
      kind: "ingest",
      status: "queued",
      label: `Import ${id}`,
      params_json: "{}",
      requested_by: "x",
      created_at: "2026-10-01T00:00:00Z",
    });
    const journalOf = (instance: string, waiting: string, running: string, pid = process.ppid, host = hostname()) => {
      const path = join(dir, `t.db-queue-${instance}.json`);
      const owner = { pid, host, instance };
      writeFileSync(path, JSON.stringify({ version: 2, owner, jobs: [job(waiting)], running: { id: running, done: 7 } }));
      engine.store.sqlite
        .prepare(
          "INSERT INTO job (id, kind, status, label, params_json, created_at) VALUES (?, 'ingest', 'running', 'x', '{}', '2026-10-01')",
        )
        .run(running);
      return path;
    };
    const alive = journalOf("alive", "w-alive", "r-alive");
    const asleep = journalOf("asleep", "w-asleep", "r-asleep");
    const quiet = journalOf("quiet", "w-quiet", "r-quiet", 4242, "another-machine");
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    utimesSync(quiet, tenMinutesAgo, tenMinutesAgo);
    utimesSync(asleep, tenMinutesAgo, tenMinutesAgo);
    // And one whose process has ended, a moment ago (a crashed scheduled run).
    const ended = journalOf("ended", "w-ended", "r-ended", spawnSync(process.execPath, ["-e", ""]).pid);
    const third = await createEngine({ dbPath: join(dir, "t.db"), mode: "cli" });
    try {
      expect(third.jobs.get("r-alive")).toMatchObject({ status: "running" });
      expect(third.jobs.get("w-alive")).toBeNull();
      expect(existsSync(alive)).toBe(true);
      expect(third.jobs.get("r-asleep")).toMatchObject({ status: "running" });
      expect(existsSync(asleep)).toBe(true);
      expect(third.jobs.get("r-quiet")).toMatchObject({
        status: "failed",
        done: 7,
        error: expect.stringContaining("while this job was running"),
      });
      expect(third.jobs.get("w-quiet")).toMatchObject({ status: "failed", error: expect.stringContaining("before this job started") });
      expect(existsSync(quiet)).toBe(false);
      expect(third.jobs.get("r-ended")).toMatchObject({ status: "failed", done: 7 });
      expect(third.jobs.get("w-ended")).toMatchObject({ status: "failed" });
      expect(existsSync(ended)).toBe(false);
    } finally {
      await third.close();
    }
  });

  it("queues a job while another process holds the write lock, without stalling, and records a job's end once it lets go", async () => {
    const other = new Database(join(dir, "t.db"));
    other.exec("BEGIN IMMEDIATE");
    const sample = resolve("fixtures/samples/hl7v2");
    let locked = true;
    try {
      const t0 = Date.now();
      const { jobId } = await engine.invokeAs(admin, "jobs/start", { kind: "ingest", params: { paths: [sample] } });
      // A quarter-second try, not the ten-second busy timeout.
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect(engine.jobs.get(jobId)).toMatchObject({ status: "queued" });
      expect(JSON.parse(readFileSync(engine.jobs.journal!, "utf8")).jobs.map((j: { id: string }) => j.id)).toEqual([jobId]);
      other.exec("COMMIT");
      locked = false;
      expect((await engine.jobs.waitFor(jobId)).status).toBe("succeeded");

      // A job that ends while the lock is held: its end is known at once, and written once it is free.
      const { jobId: second } = await engine.invokeAs(admin, "jobs/start", {
        kind: "ingest",
        params: { paths: [join(dir, "absent.hl7")] },
      });
      expect(engine.jobs.get(second)).toMatchObject({ status: "running" });
      other.exec("BEGIN IMMEDIATE");
      locked = true;
      const ended = await engine.jobs.waitFor(second);
      expect(ended.status).toBe("failed");
      expect(ended.error).toContain("the store stayed locked by another task or program");
      expect(engine.jobs.get(second)).toMatchObject({ status: "failed", error: ended.error });
      expect(engine.jobs.list(1)[0]).toMatchObject({ id: second, status: "failed" });
      const row = () => other.prepare("SELECT status FROM job WHERE id = ?").get(second) as { status: string };
      expect(row().status).toBe("running");
      expect(JSON.parse(readFileSync(engine.jobs.journal!, "utf8")).ending).toEqual([
        expect.objectContaining({ id: second, status: "failed", error: ended.error }),
      ]);
      other.exec("COMMIT");
      locked = false;
      for (let waited = 0; waited < 5_000 && row().status !== "failed"; waited += 50) await new Promise((r) => setTimeout(r, 50));
      expect(row().status).toBe("failed");

      // The same, but the app closes while the lock is still held: the journal keeps the end, and
      // the next start records what happened, not "interrupted".
      const { jobId: third } = await engine.invokeAs(admin, "jobs/start", { kind: "ingest", params: { paths: [join(dir, "absent.hl7")] } });
      other.exec("BEGIN IMMEDIATE");
      locked = true;
      const thirdEnded = await engine.jobs.waitFor(third);
      await engine.close();
      const kept = readdirSync(dir).filter((f) => /^t\.db-queue-.*\.json$/.test(f));
      expect(kept).toHaveLength(1);
      other.exec("COMMIT");
      locked = false;
      engine = await createEngine({ dbPath: join(dir, "t.db"), mode: "cli" });
      expect(engine.jobs.get(third)).toMatchObject({ status: "failed", error: thirdEnded.error });
      expect(readdirSync(dir).filter((f) => f === kept[0])).toEqual([]);
    } finally {
      if (locked) other.exec("ROLLBACK");
      other.close();
    }
  });

  it("sets an unreadable job journal aside and opens the store", async () => {
    await engine.close();
    const journal = join(dir, "t.db-queue.json");
    writeFileSync(journal, "{ half a journ");
    engine = await createEngine({ dbPath: join(dir, "t.db"), mode: "cli" });
    expect(existsSync(journal)).toBe(false);
    const aside = readdirSync(dir).filter((f) => f.startsWith("t.db-queue.json.unreadable-"));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]!), "utf8")).toBe("{ half a journ");
  });

  it("marks a job that was running when the process died as interrupted on the next start", async () => {
    engine.store.sqlite
      .prepare(
        "INSERT INTO job (id, kind, status, label, params_json, created_at) VALUES ('j1', 'ingest', 'running', 'Import x', '{}', '2026-10-01T00:00:00Z')",
      )
      .run();
    await engine.close();
    engine = await createEngine({ dbPath: join(dir, "t.db"), mode: "cli" });
    const job = engine.jobs.get("j1");
    expect(job).toMatchObject({ status: "failed" });
    expect(job?.error).toContain("interrupted");
  });
});
