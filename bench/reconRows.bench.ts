/**
 * The Reconcile grid on a million rows per side: time to first rows and per-page fetch
 * latency of `recon/rows` (what each side's AG Grid asks for while a user scrolls), on a
 * reconciliation with N materialized items per side. Peer: pandas reading the same items
 * from the same SQLite file and sorting them to show the first page. Targets (issue 5):
 * first rows < 1 s, each page fetch < 100 ms.
 *
 *   npx tsx bench/reconRows.bench.ts [--rows 1000000]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type { ReconRowsArgs } from "../src-shared/api/recon";
import { reconRows } from "../src-main/engine/recon/queries";
import { openStore } from "../src-main/engine/store/store";

const { values } = parseArgs({ options: { rows: { type: "string" } } });
const perSide = Number(values.rows ?? 1_000_000);
const dir = resolve("bench/.data");
mkdirSync(dir, { recursive: true });
const dbPath = join(dir, `recon-rows-${perSide}.db`);
const fresh = !existsSync(dbPath);
const store = await openStore(dbPath);
const templateId = "charge-reconciliation";
const period = "2026-10";

if (fresh) {
  const t0 = performance.now();
  const reconciliationId = Number(
    store.sqlite
      .prepare("INSERT INTO reconciliation (template_id, period, created_at) VALUES (?, ?, ?)")
      .run(templateId, period, new Date().toISOString()).lastInsertRowid,
  );
  const insert = store.sqlite.prepare(
    `INSERT INTO recon_item (reconciliation_id, side, row_key, amount_cents, row_date, fields_json, row_hash, status, reason)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const statuses = ["matched", "matched", "matched", "matched", "exception", "expected"] as const;
  const fill = store.sqlite.transaction((side: string, from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const status = statuses[i % statuses.length]!;
      const amount = ((i * 7919) % 250_000) + 100;
      const date = `2026-10-${String(1 + (i % 28)).padStart(2, "0")}`;
      const key = `${side === "left" ? "ehr" : "billing"}:T${String(i).padStart(9, "0")}`;
      const fields = JSON.stringify({
        transaction_id: key,
        account_number: `A${i % 400_000}`,
        cdm_code: `CDM${300_000 + (i % 997)}`,
        amount_cents: amount,
        service_date: date,
      });
      insert.run(reconciliationId, side, key, amount, date, fields, key, status, status === "exception" ? "missing-in-billing" : null);
    }
  });
  for (const side of ["left", "right"])
    for (let from = 0; from < perSide; from += 100_000) fill.immediate(side, from, Math.min(perSide, from + 100_000));
  console.log(`built ${2 * perSide} recon items in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

const time = <T>(fn: () => T): [T, number] => {
  const t = performance.now();
  const result = fn();
  return [result, performance.now() - t];
};

const pageSize = 100; // the Reconcile grids' block size
const scenarios: { name: string; request: ReconRowsArgs }[] = [
  { name: "left side, default order", request: { templateId, period, side: "left", offset: 0, limit: pageSize } },
  {
    name: "right side, by amount desc",
    request: { templateId, period, side: "right", offset: 0, limit: pageSize, sort: [{ column: "amountCents", direction: "desc" }] },
  },
  { name: "left side, exceptions only", request: { templateId, period, side: "left", offset: 0, limit: pageSize, status: ["exception"] } },
];
const results: { name: string; total: number; firstMs: number; p50: number; p95: number; max: number }[] = [];
for (const scenario of scenarios) {
  const [first, firstMs] = time(() => reconRows(store, scenario.request));
  await new Promise((r) => setImmediate(r)); // the UI's pause between the first page and the first scroll
  const latencies: number[] = [];
  for (let block = 1; block <= 20; block++)
    latencies.push(time(() => reconRows(store, { ...scenario.request, offset: block * pageSize }))[1]);
  for (let jump = 0; jump < 20; jump++) {
    const offset = Math.floor((((jump * 2654435761) >>> 0) / 2 ** 32) * Math.max(1, first.total - pageSize));
    latencies.push(time(() => reconRows(store, { ...scenario.request, offset }))[1]);
  }
  latencies.sort((a, b) => a - b);
  results.push({ name: scenario.name, total: first.total, firstMs, p50: latencies[20]!, p95: latencies[38]!, max: latencies[39]! });
}
await store.close();

const peer = spawnSync(
  "python3",
  [
    "-c",
    `
import sqlite3, time, pandas as pd
t = time.perf_counter()
df = pd.read_sql_query("SELECT * FROM recon_item WHERE side = 'right'", sqlite3.connect(${JSON.stringify(dbPath)}))
page = df.sort_values("amount_cents", ascending=False).iloc[0:${pageSize}]
print(f"{(time.perf_counter() - t) * 1000:.1f}")
`,
  ],
  { encoding: "utf8" },
);
const peerMs = peer.status === 0 ? Number(peer.stdout.trim()) : null;

console.log(`\nrecon/rows with ${perSide.toLocaleString("en-US")} items per side, page = ${pageSize} rows`);
console.log(
  "scenario".padEnd(34),
  "rows".padStart(10),
  "first ms".padStart(9),
  "p50 ms".padStart(8),
  "p95 ms".padStart(8),
  "max ms".padStart(8),
);
for (const r of results) {
  console.log(
    r.name.padEnd(34),
    r.total.toLocaleString("en-US").padStart(10),
    r.firstMs.toFixed(1).padStart(9),
    r.p50.toFixed(1).padStart(8),
    r.p95.toFixed(1).padStart(8),
    r.max.toFixed(1).padStart(8),
  );
}
const sorted = results[1]!;
if (peerMs === null)
  console.log(`\npeer (pandas) skipped: ${peer.stderr.split("\n").filter(Boolean).pop() ?? "python3 with pandas not found"}`);
else
  console.log(
    `\npeer pandas: first sorted page in ${peerMs.toFixed(0)} ms; Tieout ${sorted.firstMs.toFixed(0)} ms; ratio ${(peerMs / sorted.firstMs).toFixed(1)}x`,
  );
const firstWorst = Math.max(...results.map((r) => r.firstMs));
const p95Worst = Math.max(...results.map((r) => r.p95));
console.log(
  `targets: first rows < 1000 ms: ${firstWorst < 1000 ? "met" : "MISSED"} (${firstWorst.toFixed(0)} ms); page fetch p95 < 100 ms: ${p95Worst < 100 ? "met" : "MISSED"} (${p95Worst.toFixed(0)} ms)`,
);
