import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { frameMessage, MllpDecoder } from "../../connectors/hl7v2/mllpFrame";
import { parseAck } from "../../connectors/hl7v2/mllpListener";
import type { ReconTemplate } from "../../src-shared/reconRules";

const run = promisify(execFile);
const bin = resolve("bin/tieout.mjs");
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tieout-cli-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function tieout(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("the tieout CLI", () => {
  it("lists its commands with --help", async () => {
    const { code, stdout } = await tieout("--help");
    expect(code).toBe(0);
    for (const command of ["migrate", "serve", "listen", "ingest", "demo"]) expect(stdout).toContain(command);
  });

  it("shows a template's rules, saves an edited set with a note, refuses a broken one by path, and goes back", async () => {
    const db = join(dir, "t.db");
    await tieout("migrate", "--db", db);
    const shown = await tieout("rules", "charge-reconciliation", "--db", db);
    expect(shown.stdout).toContain("rules v1 (built-in)");
    expect(shown.stdout).toMatch(/2\. near +1:1, suggested, keys account \+ CDM, amount within \$1\.00, dates -1 to 1 days apart/);
    const rules = JSON.parse((await tieout("rules", "charge-reconciliation", "--db", db, "--json")).stdout) as ReconTemplate;
    rules.passes[1]!.date!.maxDays = 3;
    writeFileSync(join(dir, "rules.json"), JSON.stringify(rules));
    expect(await tieout("rules", "charge-reconciliation", "--db", db, "--set", join(dir, "rules.json"))).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--note WHY is required"),
    });
    const saved = await tieout(
      "rules",
      "charge-reconciliation",
      "--db",
      db,
      "--set",
      join(dir, "rules.json"),
      "--note",
      "Billing posts late",
    );
    expect(saved).toMatchObject({ code: 0, stdout: expect.stringContaining("saved charge-reconciliation rules v2") });
    expect(saved.stdout).toContain("pass near: date window -1 to 1 days → -1 to 3 days");
    rules.passes[1]!.keys[0]!.left = "acct";
    writeFileSync(join(dir, "bad.json"), JSON.stringify(rules));
    const bad = await tieout("rules", "charge-reconciliation", "--db", db, "--set", join(dir, "bad.json"), "--note", "typo");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      `${join(dir, "bad.json")}: the rules were not saved:\n  passes[1].keys[0].left: the left side's query has no column "acct"`,
    );
    expect((await tieout("rules", "charge-reconciliation", "--db", db)).stdout).toMatch(/\* v2 +edited .*cli:.*"Billing posts late"/);
    expect(await tieout("rules", "charge-reconciliation", "--db", db, "--use", "built-in")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--note WHY is required with --use"),
    });
    expect(
      (await tieout("rules", "charge-reconciliation", "--db", db, "--use", "built-in", "--note", "Back to the shipped rules")).stdout,
    ).toContain("runs now use rules v1 (built-in");
  });

  it("migrates a new database, then finds nothing to do", async () => {
    const db = join(dir, "t.db");
    expect((await tieout("migrate", "--db", db)).stdout).toMatch(/applied 0001_initial/);
    expect((await tieout("migrate", "--db", db)).stdout).toContain("nothing to do");
  });

  it("ingests files and prints per-file counts as JSON, exiting 0 even with quarantined records", async () => {
    const db = join(dir, "t.db");
    const { code, stdout } = await tieout(
      "ingest",
      resolve("fixtures/samples/hl7v2/malformed.hl7"),
      resolve("fixtures/samples/x12"),
      "--db",
      db,
      "--json",
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as {
      files: { file: string; records: number; loaded: number; quarantined: number; duplicates: number }[];
    };
    const malformed = result.files.find((f) => f.file.endsWith("malformed.hl7"))!;
    expect(malformed.quarantined).toBeGreaterThan(0);
    expect(malformed.loaded).toBeGreaterThan(0);
    expect(result.files.length).toBe(6);
  });

  it("exits non-zero with a readable message when it cannot run", async () => {
    const missing = await tieout("ingest", join(dir, "no-such-folder"), "--db", join(dir, "t.db"));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/^tieout ingest: Cannot import .*no-such-folder: there is no such file or folder\.\n$/);
    const usage = await tieout("ingest", "--db");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("Usage: tieout ingest");
  });

  it("refuses a mistyped store path or period rather than reconciling an empty new store", async () => {
    const typo = join(dir, "no-such-folder", "hs.db");
    for (const args of [
      ["reconcile", "charge-reconciliation", "--db", typo, "--period", "2026-10"],
      ["rules", "charge-reconciliation", "--db", typo],
      ["audit", "verify", "--db", typo],
      ["outbox", "status", "--db", typo],
    ]) {
      const result = await tieout(...args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`there is no Tieout store at ${typo}`);
    }
    expect(existsSync(join(dir, "no-such-folder"))).toBe(false);
    const db = join(dir, "t.db");
    await tieout("migrate", "--db", db);
    const month13 = await tieout("reconcile", "charge-reconciliation", "--db", db, "--period", "2026-13");
    expect(month13).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--period is YYYY-MM with a month 01 to 12, e.g. 2026-10; found "2026-13"'),
    });
    expect(
      JSON.parse((await tieout("reconcile", "charge-reconciliation", "--db", db, "--period", "2026-10", "--json")).stdout),
    ).toMatchObject({
      leftRows: 0,
      period: "2026-10",
    });
  });

  it("runs the HL7 live feed headless and acknowledges what it stored", async () => {
    const db = join(dir, "t.db");
    const child = spawn(process.execPath, [bin, "listen", "--db", db, "--mllp", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const port = await new Promise<number>((resolvePort, reject) => {
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          const match = /on [\d.]+:(\d+)/.exec(output);
          if (match) resolvePort(Number(match[1]));
        });
        child.once("exit", (code) => reject(new Error(`listen exited ${code}: ${output}`)));
      });
      const message =
        "MSH|^~\\&|EHR|H1|TIEOUT|H1|20261001120000||ADT^A04^ADT_A01|CLI-1|P|2.5.1\rPID|1||M1||DOE^J||19800101|F||||||||||A1\rPV1|1|O|ED^^^H1||||||||||||||||V1";
      const ackText = await new Promise<string>((resolveAck, reject) => {
        const socket = connect(port, "127.0.0.1", () => socket.write(frameMessage(message)));
        const decoder = new MllpDecoder();
        socket.on("data", (chunk) => {
          const [frame] = decoder.push(chunk);
          if (frame) {
            socket.end();
            resolveAck(frame.toString("utf8"));
          }
        });
        socket.on("error", reject);
      });
      expect(parseAck(ackText)).toMatchObject({ code: "AA", controlId: "CLI-1" });
    } finally {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
  });
});
