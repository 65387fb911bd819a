/**
 * Our side of bench/ingest.bench.ts, in its own process so its peak RSS is its own:
 * a fresh store, the generator's CSV layouts saved as mapping profiles, then every data
 * file through ingestPaths, as the demo does (src-main/demo/buildDemo.ts), one file per
 * call so each file's time is known. Prints one JSON line.
 *
 *   node --import tsx bench/ingest.ours.ts DATA_DIR DB_PATH
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { mappingProfiles } from "../fixtures/generator";
import { ingestPaths } from "../src-main/engine/ingest/ingestPaths";
import { saveProfile } from "../src-main/engine/ingest/profiles";
import { openStore } from "../src-main/engine/store/store";

const [dataDir, dbPath] = process.argv.slice(2) as [string, string];
for (const suffix of ["", "-wal", "-shm"]) rmSync(dbPath + suffix, { force: true });
const manifest = JSON.parse(readFileSync(join(dataDir, "manifest.json"), "utf8")) as {
  files: { path: string; format: string; content: string; bytes: number }[];
};
const store = await openStore(dbPath);
for (const profile of mappingProfiles) saveProfile(store, profile);
// The data files, not the message stream, which carries the same messages as the HL7 batch files.
const dataFiles = manifest.files.filter((f) => f.content !== "message-stream");
const started = performance.now();
const files = [];
for (const f of dataFiles) {
  const t = performance.now();
  const result = ingestPaths(store, [join(dataDir, f.path)]);
  const s = result.files[0]!;
  files.push({
    path: f.path,
    format: s.format,
    bytes: f.bytes,
    units: s.records,
    loaded: s.loaded,
    quarantined: s.quarantined,
    seconds: (performance.now() - t) / 1000,
  });
}
const wallSeconds = (performance.now() - started) / 1000;
await store.close();
console.log(JSON.stringify({ engine: "tieout", wallSeconds, peakRssMb: process.resourceUsage().maxRSS / 1024, files }));
