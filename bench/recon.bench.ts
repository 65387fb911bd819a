/**
 * Recon speed against peers (issue 8): remittance-to-bank and charge reconciliation on N
 * rows a side, end to end from the same CSV files, our engine against the same passes in
 * DuckDB SQL and in pandas (bench/recon_peers.py). Each engine runs in its own process;
 * the bench prints wall time, peak memory, the ratio to ours, and each engine's precision
 * and recall against the data's truth, so a faster peer cannot win by matching less.
 * A missing peer (`pip install duckdb pandas`) is skipped and said so.
 *
 * Ours loads the files through the product's import (`--load ingest`, the default: archived,
 * de-duplicated, mapped, with lineage) or, to show the floor under it, with plain SQL inserts
 * (`--load direct`).
 *
 *   npx tsx bench/recon.bench.ts [--rows 1000000] [--load ingest|direct] [--keep]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { writeBenchData } from "./reconData";

const { values } = parseArgs({ options: { rows: { type: "string" }, keep: { type: "boolean" }, load: { type: "string" } } });
const loadMode = values.load === "direct" ? "direct" : "ingest";
const rows = Number(values.rows ?? 1_000_000);
const dir = resolve(`bench/.data/recon-${rows}`);
mkdirSync(dir, { recursive: true });
if (!existsSync(join(dir, "truth_matches.csv"))) {
  const t = Date.now();
  const counts = await writeBenchData(dir, rows);
  console.log(`wrote ${JSON.stringify(counts)} to ${dir} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

interface EngineResult {
  engine: string;
  wallSeconds: number;
  phases: Record<string, number>;
  peakRssMb: number;
}

function run(cmd: string, args: string[]): EngineResult | string {
  const p = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 26 });
  if (p.status === 3) return `skipped: ${JSON.parse(p.stdout.trim()).missing} (pip install duckdb pandas)`;
  if (p.status !== 0) return `failed: ${(p.stderr || p.stdout).trim().split("\n").slice(-3).join(" | ")}`;
  return JSON.parse(p.stdout.trim().split("\n").pop()!) as EngineResult;
}

function readSet(file: string, template: string, cols: number[]): Set<string> {
  const out = new Set<string>();
  const lines = readFileSync(file, "utf8").split("\n");
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i]!.split(",");
    if (c[0] !== template) continue;
    out.add(cols.map((k) => c[k]).join("|"));
  }
  return out;
}

function pr(truth: Set<string>, ours: Set<string>): string {
  let tp = 0;
  for (const x of ours) if (truth.has(x)) tp++;
  const p = ours.size ? tp / ours.size : 1;
  const r = truth.size ? tp / truth.size : 1;
  return `${(p * 100).toFixed(2)}% / ${(r * 100).toFixed(2)}%`;
}

const engines: [string, string, string[]][] = [
  ["tieout", process.execPath, ["--import", "tsx", resolve("bench/recon.ours.ts"), dir, loadMode]],
  ["duckdb", "python3", [resolve("bench/recon_peers.py"), "duckdb", dir]],
  ["pandas", "python3", [resolve("bench/recon_peers.py"), "pandas", dir]],
];
const results: { name: string; result: EngineResult | string }[] = [];
for (const [name, cmd, args] of engines) {
  process.stdout.write(`running ${name}... `);
  const result = run(cmd, args);
  console.log(typeof result === "string" ? result : `${result.wallSeconds} s`);
  results.push({ name, result });
}

const ours = results[0]!.result;
console.log(
  `\nrecon bench, ${rows.toLocaleString("en-US")} rows a side (charges and remittances), end to end from CSV; ours loads ${loadMode === "ingest" ? "through the product's import" : "with plain SQL inserts (--load direct)"}`,
);
console.log(`${"engine".padEnd(8)}${"wall s".padStart(9)}${"× ours".padStart(8)}${"peak MB".padStart(9)}   phases (s)`);
for (const { name, result } of results) {
  if (typeof result === "string") {
    console.log(`${name.padEnd(8)} ${result}`);
    continue;
  }
  const ratio = typeof ours === "string" ? "—" : (result.wallSeconds / ours.wallSeconds).toFixed(2);
  console.log(
    `${name.padEnd(8)}${result.wallSeconds.toFixed(2).padStart(9)}${ratio.padStart(8)}${result.peakRssMb.toFixed(0).padStart(9)}   ${JSON.stringify(result.phases)}`,
  );
}
if (typeof ours !== "string") {
  // The targets (issue 8): faster than pandas, and within 1.5× of DuckDB, end to end.
  const targets: Record<string, number> = { pandas: 1, duckdb: 1.5 };
  for (const { name, result } of results.slice(1)) {
    if (typeof result === "string") continue;
    const slower = ours.wallSeconds / result.wallSeconds;
    const target = targets[name];
    console.log(
      `tieout / ${name}: ${slower.toFixed(2)}× the time${target ? ` (target ≤ ${target}×: ${slower <= target ? "met" : "missed"})` : ""}`,
    );
  }
  // Where our time goes inside each run: reading the sides out of SQLite, matching,
  // classifying, and saving every row's state (recon_item, for the grid) with the groups.
  const runs = (ours as EngineResult & { results?: Record<string, { phasesMs?: Record<string, number> }> }).results ?? {};
  for (const [template, r] of Object.entries(runs)) {
    if (r.phasesMs)
      console.log(
        `tieout ${template}: ${Object.entries(r.phasesMs)
          .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
          .join(", ")}`,
      );
  }
}
console.log(`\nprecision / recall against the data's truth`);
for (const template of ["charge-reconciliation", "remittance-bank"]) {
  const tm = readSet(join(dir, "truth_matches.csv"), template, [1, 2]);
  const te = readSet(join(dir, "truth_exceptions.csv"), template, [1, 2, 3]);
  for (const { name, result } of results) {
    if (typeof result === "string") continue;
    const m = readSet(join(dir, `${name === "tieout" ? "ours" : name}_matches.csv`), template, [1, 2]);
    const e = readSet(join(dir, `${name === "tieout" ? "ours" : name}_exceptions.csv`), template, [1, 2, 3]);
    console.log(`${template.padEnd(24)}${name.padEnd(8)} matches ${pr(tm, m)}   exceptions ${pr(te, e)}`);
  }
}
if (!values.keep) rmSync(join(dir, "ours.db"), { force: true });
