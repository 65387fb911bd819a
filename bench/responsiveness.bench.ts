/**
 * Does the engine keep answering while a large store is being read? Each request that passes
 * over a whole table or reconciliation (the dashboard, a balance, sign-off figures, signing off
 * and withdrawing, a grid search) is sent while `app/info` is asked every 50 ms; the bench prints each request's time
 * and the longest wait for `app/info` meanwhile. Peer: the same engine with the reader thread
 * switched off (`offThreadFromRows: Infinity`), as it was before HeavyReads, on the same store
 * in the same run.
 *
 *   npx tsx bench/responsiveness.bench.ts --db FILE        (a store from `tieout demo --encounters 1000000`)
 *   npx tsx bench/responsiveness.bench.ts --encounters 100000   (builds bench/.data/responsiveness-N.db first)
 */
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type { Method } from "../src-shared/api";
import { buildDemo } from "../src-main/demo/buildDemo";
import { createEngine, type Engine } from "../src-main/engine/engine";
import type { CallContext } from "../src-main/engine/handlerRegistry";
import { OFF_THREAD_FROM_ROWS } from "../src-main/engine/jobs/heavyReads";

const { values } = parseArgs({ options: { db: { type: "string" }, encounters: { type: "string" } } });
let dbPath = values.db;
if (!dbPath) {
  const encounters = Number(values.encounters ?? 100_000);
  const dir = resolve("bench/.data");
  mkdirSync(dir, { recursive: true });
  dbPath = join(dir, `responsiveness-${encounters}.db`);
  if (!existsSync(dbPath)) {
    console.log(`building the demo health system with ${encounters.toLocaleString("en-US")} encounters in ${dbPath} …`);
    const engine = await createEngine({ dbPath, mode: "cli" });
    await buildDemo(engine.store, { encounters, outDir: join(dir, `responsiveness-${encounters}`) });
    await engine.close();
  }
}

const admin: CallContext = { user: { userId: "bench", displayName: "Bench", roles: ["admin"] }, sessionId: null, actor: "bench" };
const recon = { templateId: "charge-reconciliation", period: "2026-10" };
const requests: [Method, unknown][] = [
  ["dashboard/summary", {}],
  ["store/summary", {}],
  ["recon/list", {}],
  ["recon/balance", recon],
  ["signoff/status", { reconId: recon.templateId, period: recon.period }],
  // Signing and withdrawing work the figures out again and write only if nothing was committed since.
  ["signoff/sign", { reconId: recon.templateId, period: recon.period, role: "preparer", comment: "responsiveness bench" }],
  ["signoff/void", { reconId: recon.templateId, period: recon.period, role: "preparer", reason: "responsiveness bench" }],
  ["recon/rows", { ...recon, side: "left", offset: 0, limit: 100, search: "TSH" }],
  ["rows/page", { table: "charge", offset: 0, limit: 100, search: "99213" }],
];

/** The request's time, and the longest the engine took meanwhile to answer app/info. */
async function probe(engine: Engine, method: Method, args: unknown): Promise<{ ms: number; stallMs: number }> {
  let stallMs = 0;
  let out = true;
  const asking = (async () => {
    while (out) {
      const t = performance.now();
      await new Promise((r) => setImmediate(r));
      await engine.invokeAs(admin, "app/info", {} as never);
      stallMs = Math.max(stallMs, performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const t0 = performance.now();
  await engine.invokeAs(admin, method, args as never);
  const ms = performance.now() - t0;
  out = false;
  await asking;
  return { ms, stallMs };
}

const results = new Map<string, { ours?: { ms: number; stallMs: number }; peer?: { ms: number; stallMs: number } }>();
for (const [label, offThreadFromRows] of [
  ["peer", Number.POSITIVE_INFINITY],
  ["ours", OFF_THREAD_FROM_ROWS],
] as const) {
  const engine = await createEngine({ dbPath, mode: "cli", offThreadFromRows });
  // A sign-off left standing by an interrupted run of this bench would refuse the sign.
  await engine
    .invokeAs(admin, "signoff/void", { reconId: recon.templateId, period: recon.period, role: "preparer", reason: "bench reset" })
    .catch(() => undefined);
  for (const [method, args] of requests) {
    const r = await probe(engine, method, args);
    results.set(method, { ...results.get(method), [label]: r });
  }
  await engine.close();
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`\nstore: ${dbPath}; reads of ${OFF_THREAD_FROM_ROWS.toLocaleString("en-US")} rows or more leave the engine thread`);
console.log("request              | in place: time, engine stalled | reader thread: time, engine stalled");
for (const [method, { ours, peer }] of results) {
  console.log(
    `${method.padEnd(20)} | ${s(peer!.ms).padStart(8)}, ${s(peer!.stallMs).padStart(8)}          | ${s(ours!.ms).padStart(8)}, ${s(ours!.stallMs).padStart(8)}`,
  );
}
const worst = (k: "ours" | "peer") => Math.max(...[...results.values()].map((r) => r[k]!.stallMs));
console.log(`longest stall: in place ${s(worst("peer"))}, with the reader thread ${s(worst("ours"))}`);
