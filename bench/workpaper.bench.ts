/**
 * Writing a 1M-row workpaper: time and peak memory of our streamed exceljs writer against
 * peers on the same rows, in one run.
 *
 * - ours: `writeWorkpaper` (exceljs WorkbookWriter, styles, frozen headers, auto-filters,
 *   money formats, live summary formulas), the whole workpaper with N matched rows.
 * - sheetjs: xlsx 0.18.5 (the stack's package) building the same matched rows as one sheet in
 *   memory (`aoa_to_sheet`) and `writeFile`; no styles (its community build cannot write them).
 * - csv: the same rows as plain CSV through a write stream: the floor for any writer.
 *
 * Each contender runs in its own process so peak RSS (getrusage maxrss) is its own.
 *
 * Run: npx tsx bench/workpaper.bench.ts [rows=1000000]
 * (WORKPAPER_BENCH_CASES=ours,csv to run only some; each case is stopped after 10 minutes.)
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { sampleWorkpaperData } from "../src-main/engine/workpapers/sampleWorkpaper";
import { writeWorkpaper } from "../src-main/engine/workpapers/workpaperWriter";

type Case = "ours" | "sheetjs" | "csv";
const CASE_TIMEOUT_MS = 10 * 60 * 1000;
interface Measurement {
  case: Case;
  rows: number;
  seconds: number;
  peakRssMb: number;
  fileMb: number;
  sheets?: number;
  error?: string;
}

async function runCase(which: Case, rows: number, out: string): Promise<Measurement> {
  const data = sampleWorkpaperData({ reconciling: 1000, matched: rows });
  const started = performance.now();
  let sheets: number | undefined;
  if (which === "ours") {
    const written = await writeWorkpaper(data, { outPath: out, maskPatientIds: true });
    sheets = written.sheets.length;
  } else if (which === "sheetjs") {
    const XLSX = await import("xlsx");
    const aoa: (string | number | null)[][] = [
      ["Match group", "Rule", "Side", "Record type", "Key", "Patient identifier", "Date", "Description", "Amount"],
    ];
    for (const m of data.matchedItems()) {
      aoa.push([m.matchGroupId, m.rule, m.side, m.recordType, m.key, m.patientId, m.date, m.description, m.amountCents / 100]);
    }
    const workbook = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(workbook, XLSX.utils.aoa_to_sheet(aoa), "Matched items");
    // SheetJS's default (no deflate): its pure-JS deflate on a 1M-row sheet ran past 14 minutes here.
    XLSX.writeFile(workbook, out);
    sheets = 1;
  } else {
    const stream = createWriteStream(out);
    const quote = (v: string | number | null) => (v === null ? "" : typeof v === "number" ? String(v) : `"${v.replace(/"/g, '""')}"`);
    let buffer = "";
    for (const m of data.matchedItems()) {
      buffer +=
        [m.matchGroupId, m.rule, m.side, m.recordType, m.key, m.patientId, m.date, m.description, (m.amountCents / 100).toFixed(2)]
          .map(quote)
          .join(",") + "\n";
      if (buffer.length > 1 << 16) {
        if (!stream.write(buffer)) await new Promise<void>((r) => stream.once("drain", () => r()));
        buffer = "";
      }
    }
    stream.write(buffer);
    await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    case: which,
    rows,
    seconds,
    // maxRSS is in kilobytes on Linux.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    fileMb: statSync(out).size / 1024 / 1024,
    ...(sheets !== undefined ? { sheets } : {}),
  };
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === "--case") {
  const [which, rows, out] = rest as [Case, string, string];
  const result = await runCase(which, Number(rows), out);
  process.stdout.write(JSON.stringify(result) + "\n");
} else {
  const rows = Number(mode ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), "tieout-bench-wp-"));
  const self = fileURLToPath(import.meta.url);
  const results: Measurement[] = [];
  const only = process.env.WORKPAPER_BENCH_CASES?.split(",") as Case[] | undefined;
  for (const which of only ?? (["csv", "ours", "sheetjs"] as Case[])) {
    const out = join(dir, `${which}.${which === "csv" ? "csv" : "xlsx"}`);
    const child = spawnSync(process.execPath, ["--import", "tsx", self, "--case", which, String(rows), out], {
      encoding: "utf8",
      maxBuffer: 1 << 24,
      timeout: CASE_TIMEOUT_MS,
    });
    const line = child.stdout.trim().split("\n").pop() ?? "";
    if (child.status === 0 && line.startsWith("{")) results.push(JSON.parse(line) as Measurement);
    else
      results.push({
        case: which,
        rows,
        seconds: NaN,
        peakRssMb: NaN,
        fileMb: NaN,
        error: child.error
          ? `did not finish within ${CASE_TIMEOUT_MS / 1000} s`
          : (child.stderr || `exit ${child.status}`).trim().split("\n").slice(-3).join(" | "),
      });
    const last = results[results.length - 1]!;
    process.stderr.write(`${which}: ${last.error ?? `${last.seconds.toFixed(1)} s, peak RSS ${last.peakRssMb.toFixed(0)} MB`}\n`);
  }
  rmSync(dir, { recursive: true, force: true });
  const ours = results.find((r) => r.case === "ours") ?? results[0]!;
  console.log(`\nWorkpaper with ${rows.toLocaleString("en-US")} matched rows (+1,000 reconciling items for ours), node ${process.version}`);
  console.log("case      seconds   peak RSS MB   file MB   sheets   time vs ours   RSS vs ours");
  for (const r of results) {
    const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}x` : "—");
    console.log(
      [
        r.case.padEnd(8),
        (Number.isFinite(r.seconds) ? r.seconds.toFixed(1) : "failed").padStart(8),
        (Number.isFinite(r.peakRssMb) ? r.peakRssMb.toFixed(0) : "—").padStart(13),
        (Number.isFinite(r.fileMb) ? r.fileMb.toFixed(1) : "—").padStart(9),
        String(r.sheets ?? "").padStart(8),
        ratio(r.seconds, ours.seconds).padStart(14),
        ratio(r.peakRssMb, ours.peakRssMb).padStart(13),
        r.error ? `  ${r.error}` : "",
      ].join(" "),
    );
  }
}
