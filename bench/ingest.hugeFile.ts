/**
 * One HL7 batch file bigger than V8's longest string (~536M characters, so it cannot be
 * read whole): the 100k-encounter DFT batch file repeated `--copies` times, ingested into a
 * fresh store through ingestFile's streaming path. The first copy loads; the others are
 * the same messages again (same MSH-10), so they are parsed, hashed and found to be
 * duplicates: this measures bounded memory on a file past the string limit, not
 * representative load throughput (bench/ingest.bench.ts does that).
 *
 *   npx tsx bench/ingest.hugeFile.ts [--copies 8] [--from bench/.data/hs-100000/ehr/hl7/dft_charges_batch_202610.hl7]
 */
import { spawnSync } from "node:child_process";
import { existsSync, rmSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ingestFile } from "../src-main/engine/ingest/ingestFile";
import { openStore } from "../src-main/engine/store/store";

const { values } = parseArgs({ options: { copies: { type: "string" }, from: { type: "string" } } });
const copies = Number(values.copies ?? 8);
const from = resolve(values.from ?? "bench/.data/hs-100000/ehr/hl7/dft_charges_batch_202610.hl7");
if (!existsSync(from)) throw new Error(`${from} is missing: run npx tsx bench/ingest.bench.ts --encounters 100000 first`);
const huge = resolve(`bench/.data/huge-${copies}x.hl7`);
if (!existsSync(huge)) {
  const cat = spawnSync("sh", ["-c", `for i in $(seq ${copies}); do cat "$1"; done > "$2"`, "sh", from, huge], { stdio: "inherit" });
  if (cat.status !== 0) throw new Error("could not write the file");
}
const db = resolve(`bench/.data/huge-${copies}x.db`);
for (const suffix of ["", "-wal", "-shm"]) rmSync(db + suffix, { force: true });
const store = await openStore(db);
const size = statSync(huge).size;
const started = performance.now();
let pieces = 0;
const summary = ingestFile(store, huge, { onProgress: () => pieces++ });
const seconds = (performance.now() - started) / 1000;
await store.close();
console.log(
  JSON.stringify({
    file: huge,
    bytes: size,
    seconds: Number(seconds.toFixed(1)),
    messagesPerSecond: Math.round(summary.records / seconds),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    pieces,
    records: summary.records,
    loaded: summary.loaded,
    duplicates: summary.duplicates,
    quarantined: summary.quarantined,
    issues: summary.issues.map((i) => `${i.severity} ${i.code}: ${i.message}`),
  }),
);
for (const suffix of ["", "-wal", "-shm"]) rmSync(db + suffix, { force: true });
