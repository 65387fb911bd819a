/**
 * Ingest speed and memory against peers, on the synthetic health system
 * (fixtures/generator) at N encounters: every data file into a fresh store through
 * ingestPaths, as the demo does (bench/ingest.ours.ts), against DuckDB's read_csv for the
 * CSV extracts and python-hl7 for the HL7 batch files (bench/ingest_peers.py) on the same
 * files in the same run. Each engine runs in its own process; the bench prints wall time,
 * peak RSS, rows/s and the ratio per format. X12, BAI2 and FHIR have no peer here: ours
 * only. A missing peer is skipped and said so.
 *
 * The peers do less than we do, so the ratio is an upper bound on what we give up:
 * DuckDB types columns into one table; python-hl7 only parses. We also keep every row's
 * exact text with its SHA-256 in the raw archive, check duplicates, map to canonical
 * tables with lineage, and quarantine bad rows with reasons.
 *
 *   npx tsx bench/ingest.bench.ts [--encounters 100000] [--peers duckdb,python-hl7] [--keep]
 *
 * Generated data is kept under bench/.data/hs-N and reused.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { encounters: { type: "string" }, keep: { type: "boolean" }, peers: { type: "string" } } });
/** Which peers to run (default both); `--peers duckdb` leaves out the slow python-hl7 at large sizes. */
const peerNames = new Set((values.peers ?? "duckdb,python-hl7").split(",").filter((p) => p !== ""));
const encounters = Number(values.encounters ?? 100_000);
const dataRoot = resolve("bench/.data");
const dir = join(dataRoot, `hs-${encounters}`);
mkdirSync(dataRoot, { recursive: true });
if (!existsSync(join(dir, "manifest.json"))) {
  console.log(`generating ${encounters} encounters into ${dir} ...`);
  const gen = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      resolve("fixtures/generator/cli.ts"),
      "--out",
      dir,
      "--encounters",
      String(encounters),
      "--seed",
      "1",
      "--no-stream",
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  if (gen.status !== 0) throw new Error("the generator failed");
}

interface FileResult {
  path: string;
  format: string | null;
  rows?: number;
  units?: number;
  bytes?: number;
  seconds: number;
}
interface EngineResult {
  engine: string;
  wallSeconds: number;
  peakRssMb: number;
  files: FileResult[];
}

function run(cmd: string, args: string[]): EngineResult | string {
  const p = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 26 });
  if (p.status === 3) return `skipped: ${(JSON.parse(p.stdout.trim()) as { missing: string }).missing} is not installed`;
  if (p.error) return `skipped: ${p.error.message}`;
  if (p.status !== 0) return `failed: ${(p.stderr || p.stdout).trim().split("\n").slice(-3).join(" | ")}`;
  return JSON.parse(p.stdout.trim().split("\n").pop()!) as EngineResult;
}

const db = join(dataRoot, `ingest-${encounters}.db`);
const engines: [string, string, string[]][] = [
  ["tieout", process.execPath, ["--import", "tsx", resolve("bench/ingest.ours.ts"), dir, db]],
  ["duckdb", "python3", [resolve("bench/ingest_peers.py"), "duckdb", dir, join(dataRoot, `ingest-${encounters}.duckdb`)]],
  ["python-hl7", "/usr/bin/python3", [resolve("bench/ingest_peers.py"), "hl7", dir]],
];
const results = new Map<string, EngineResult | string>();
for (const [name, cmd, args] of engines) {
  process.stdout.write(`running ${name}... `);
  const result = name === "tieout" || peerNames.has(name) ? run(cmd, args) : "skipped: not in --peers";
  console.log(typeof result === "string" ? result : `${result.wallSeconds.toFixed(1)} s, peak RSS ${result.peakRssMb.toFixed(0)} MB`);
  results.set(name, result);
}

const ours = results.get("tieout")!;
if (typeof ours === "string") throw new Error(`our engine ${ours}`);
const sum = (files: FileResult[], f: (r: FileResult) => number) => files.reduce((s, r) => s + f(r), 0);
console.log(`\ningest bench, ${encounters.toLocaleString("en-US")} encounters (${dir})`);
console.log(
  `${"format".padEnd(9)}${"files".padStart(6)}${"MB".padStart(8)}${"engine".padStart(12)}${"rows".padStart(11)}${"wall s".padStart(9)}${"rows/s".padStart(10)}${"× ours".padStart(8)}`,
);
const formats = [...new Set(ours.files.map((f) => f.format ?? "unknown"))].sort();
const peers: Record<string, string> = { csv: "duckdb", hl7v2: "python-hl7" };
for (const format of formats) {
  const mine = ours.files.filter((f) => (f.format ?? "unknown") === format);
  const mb = sum(mine, (f) => f.bytes ?? 0) / 1e6;
  const oursRows = sum(mine, (f) => f.units ?? 0);
  const oursSeconds = sum(mine, (f) => f.seconds);
  const line = (engine: string, rows: number, seconds: number, ratio: string) =>
    console.log(
      `${format.padEnd(9)}${String(mine.length).padStart(6)}${mb.toFixed(1).padStart(8)}${engine.padStart(12)}${String(rows).padStart(11)}${seconds.toFixed(2).padStart(9)}${Math.round(
        rows / seconds,
      )
        .toString()
        .padStart(10)}${ratio.padStart(8)}`,
    );
  line("tieout", oursRows, oursSeconds, "1.00");
  const peerName = peers[format];
  if (!peerName) continue;
  const peer = results.get(peerName)!;
  if (typeof peer === "string") {
    console.log(`${format.padEnd(9)}${"".padStart(14)}${peerName.padStart(12)}  ${peer}`);
    continue;
  }
  const theirs = peer.files.filter((f) => f.format === format);
  const peerSeconds = sum(theirs, (f) => f.seconds);
  line(
    peerName,
    sum(theirs, (f) => f.rows ?? 0),
    peerSeconds,
    (peerSeconds / oursSeconds).toFixed(2),
  );
}
console.log(`\nwhole run: tieout ${ours.wallSeconds.toFixed(1)} s, peak RSS ${ours.peakRssMb.toFixed(0)} MB`);
for (const name of ["duckdb", "python-hl7"]) {
  const r = results.get(name)!;
  if (typeof r !== "string") console.log(`           ${name} ${r.wallSeconds.toFixed(1)} s, peak RSS ${r.peakRssMb.toFixed(0)} MB`);
}
console.log("(× ours = peer seconds / our seconds: below 1 means the peer is faster)");
if (!values.keep) {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(db + suffix, { force: true });
  rmSync(join(dataRoot, `ingest-${encounters}.duckdb`), { force: true });
}
