import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EngineEvents } from "../../src-shared/api";
import { createEngine, type Engine } from "./engine";

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

describe("engine jobs", () => {
  it("runs an import in a worker thread, reporting progress, and records the outcome", async () => {
    const progress: EngineEvents["job/progress"][] = [];
    engine.events.on("job/progress", (p) => progress.push(p));
    const { jobId } = await engine.invoke("jobs/start", { kind: "ingest", params: { paths: [resolve("fixtures/samples/hl7v2")] } });
    const job = await engine.jobs.waitFor(jobId);
    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");
    expect(job.result).toMatchObject({ files: expect.any(Number), loaded: expect.any(Number) });
    expect((job.result as { loaded: number }).loaded).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.jobId === jobId)).toBe(true);
    // The worker wrote through its own connection; the engine's connection sees it.
    const summary = await engine.invoke("store/summary", {});
    expect(summary.tables.find((t) => t.table === "charge")!.rows).toBeGreaterThan(0);
    expect((await engine.invoke("jobs/list", {}))[0]).toMatchObject({ id: jobId, status: "succeeded" });
  });

  it("cancels a long import at a safe point, keeping what was committed", async () => {
    // A CSV big enough that its import takes many batches.
    const big = join(dir, "big.hl7");
    const messages: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      messages.push(
        `MSH|^~\\&|EHR|H1|BILL|H1|20261001120000||DFT^P03|C${i}|P|2.5.1\rPID|1||M${i}||DOE^J||19800101|F||||||||||A${i}\rPV1|1|O|ED^^^H1||||||||||||||||V${i}\rFT1|1|T${i}||20261001|20261002|CG|300100^CBC|||1|12.50||LAB`,
      );
    }
    writeFileSync(big, messages.join("\r"));
    const { jobId } = await engine.invoke("jobs/start", { kind: "ingest", params: { paths: [big] } });
    await new Promise<void>((resolveStarted) => {
      const off = engine.events.on("job/progress", (p) => {
        if (p.jobId === jobId && p.done > 0) {
          off();
          resolveStarted();
        }
      });
    });
    expect((await engine.invoke("jobs/cancel", { jobId })).cancelled).toBe(true);
    const job = await engine.jobs.waitFor(jobId);
    expect(job.status).toBe("cancelled");
    const loaded = engine.store.sqlite.prepare("SELECT COUNT(*) AS n FROM charge").get() as { n: number };
    expect(loaded.n).toBeGreaterThan(0);
    expect(loaded.n).toBeLessThan(30_000);
    expect(loaded.n % 2000).toBe(0); // whole batches only: a batch is one transaction
    // Importing the file again loads the rest: the partial file is not treated as already imported.
    const { jobId: again } = await engine.invoke("jobs/start", { kind: "ingest", params: { paths: [big] } });
    expect((await engine.jobs.waitFor(again)).status).toBe("succeeded");
    expect(engine.store.sqlite.prepare("SELECT COUNT(*) AS n FROM charge").get()).toEqual({ n: 30_000 });
  });

  it("refuses an unknown job kind and an import with no paths, as values", async () => {
    await expect(engine.invoke("jobs/start", { kind: "nope", params: {} } as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(engine.invoke("jobs/start", { kind: "ingest", params: { paths: [] } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
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
