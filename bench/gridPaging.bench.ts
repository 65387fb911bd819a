/**
 * Grid paging on a million rows: time to first rows and per-page fetch latency of
 * `rows/page` (what the AG Grid infinite row model asks for while a user scrolls), on a
 * store with N charges per side (billing and EHR, 2N rows in the table). The peer is
 * what an analyst's data team would run: pandas reading the same SQLite table, then
 * sorting and slicing a page. Targets (issue 5): first rows < 1 s, each page < 100 ms.
 *
 *   npx tsx bench/gridPaging.bench.ts [--rows 1000000] [--keep]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { rowPage } from "../src-main/engine/browse/rowPage";
import { openStore } from "../src-main/engine/store/store";

const { values } = parseArgs({ options: { rows: { type: "string" }, keep: { type: "boolean" } } });
const perSide = Number(values.rows ?? 1_000_000);
const dir = resolve("bench/.data");
mkdirSync(dir, { recursive: true });
const dbPath = join(dir, `grid-${perSide}.db`);
const fresh = !existsSync(dbPath);
const store = await openStore(dbPath);

if (fresh) {
  const t0 = performance.now();
  const insert = store.sqlite.prepare(
    `INSERT INTO charge (system, transaction_id, account_number, visit_number, cdm_code, department_code, quantity, amount_cents, service_date, posting_date, transaction_type)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'CG')`,
  );
  const fill = store.sqlite.transaction((system: string, from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const day = 1 + (i % 28);
      insert.run(
        system,
        `${system[0]!.toUpperCase()}${String(i).padStart(9, "0")}`,
        `A${String(i % 400_000).padStart(7, "0")}`,
        `V${String(i % 450_000).padStart(7, "0")}`,
        `CDM${300_000 + (i % 997)}`,
        ["LAB", "RAD", "ED", "OR", "PHARM", "MED"][i % 6]!,
        1 + (i % 3),
        ((i * 7919) % 250_000) + 100,
        `2026-10-${String(day).padStart(2, "0")}`,
        `2026-10-${String(Math.min(28, day + (i % 5))).padStart(2, "0")}`,
      );
    }
  });
  for (const system of ["billing", "ehr"])
    for (let from = 0; from < perSide; from += 100_000) fill.immediate(system, from, Math.min(perSide, from + 100_000));
  console.log(`built ${2 * perSide} charges in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const result = fn();
  return [result, performance.now() - t];
}

const pageSize = 200;
const total = 2 * perSide;
const scenarios: { name: string; request: Parameters<typeof rowPage>[1] }[] = [
  { name: "unsorted", request: { table: "charge", offset: 0, limit: pageSize } },
  {
    name: "sorted by amount desc",
    request: { table: "charge", offset: 0, limit: pageSize, sort: [{ column: "amount_cents", direction: "desc" }] },
  },
  {
    name: "filtered system=billing, sorted by service date",
    request: {
      table: "charge",
      offset: 0,
      limit: pageSize,
      sort: [{ column: "service_date", direction: "asc" }],
      filters: [{ column: "system", kind: "text", op: "equals", value: "billing" }],
    },
  },
];

const results: { name: string; firstMs: number; p50: number; p95: number; max: number }[] = [];
for (const scenario of scenarios) {
  const [, firstMs] = time(() => rowPage(store, scenario.request));
  // What the UI gives the engine between the first page and the user's first scroll.
  await new Promise((resolve) => setImmediate(resolve));
  const latencies: number[] = [];
  // Scrolling: consecutive blocks from the top, then jumps to random places (the scrollbar dragged).
  for (let block = 1; block <= 20; block++)
    latencies.push(time(() => rowPage(store, { ...scenario.request, offset: block * pageSize }))[1]);
  for (let jump = 0; jump < 20; jump++) {
    const offset = Math.floor((((jump * 2654435761) >>> 0) / 2 ** 32) * (total - pageSize));
    latencies.push(time(() => rowPage(store, { ...scenario.request, offset }))[1]);
  }
  latencies.sort((a, b) => a - b);
  results.push({
    name: scenario.name,
    firstMs,
    p50: latencies[Math.floor(latencies.length / 2)]!,
    p95: latencies[Math.floor(latencies.length * 0.95)]!,
    max: latencies[latencies.length - 1]!,
  });
}
await store.close();

// Peer: pandas reads the table and sorts it to show the same first page.
const peerScript = `
import sqlite3, time, pandas as pd
t = time.perf_counter()
con = sqlite3.connect(${JSON.stringify(dbPath)})
df = pd.read_sql_query("SELECT * FROM charge", con)
page = df.sort_values("amount_cents", ascending=False).iloc[0:${pageSize}]
print(f"{(time.perf_counter() - t) * 1000:.1f}")
`;
const peer = spawnSync("python3", ["-c", peerScript], { encoding: "utf8" });
const peerMs = peer.status === 0 ? Number(peer.stdout.trim()) : null;

console.log(
  `\nrows/page on ${total.toLocaleString("en-US")} charges (${perSide.toLocaleString("en-US")} per side), page = ${pageSize} rows`,
);
console.log("scenario".padEnd(50), "first ms".padStart(9), "p50 ms".padStart(8), "p95 ms".padStart(8), "max ms".padStart(8));
for (const r of results) {
  console.log(
    r.name.padEnd(50),
    r.firstMs.toFixed(1).padStart(9),
    r.p50.toFixed(1).padStart(8),
    r.p95.toFixed(1).padStart(8),
    r.max.toFixed(1).padStart(8),
  );
}
const sorted = results.find((r) => r.name.startsWith("sorted"))!;
if (peerMs === null)
  console.log(
    `\npeer (pandas) skipped: ${peer.stderr.split("\n").filter(Boolean).pop() ?? "python3 with pandas not found"} (pip install pandas)`,
  );
else
  console.log(
    `\npeer pandas: first sorted page in ${peerMs.toFixed(0)} ms; Tieout ${sorted.firstMs.toFixed(0)} ms; ratio ${(peerMs / sorted.firstMs).toFixed(1)}x`,
  );
const worst = Math.max(...results.map((r) => r.p95));
const firstWorst = Math.max(...results.map((r) => r.firstMs));
console.log(
  `targets: first rows < 1000 ms: ${firstWorst < 1000 ? "met" : "MISSED"} (${firstWorst.toFixed(0)} ms); page fetch p95 < 100 ms: ${worst < 100 ? "met" : "MISSED"} (${worst.toFixed(0)} ms)`,
);
if (!values.keep) rmSync(dbPath.replace(/\.db$/, ".db-wal"), { force: true });
