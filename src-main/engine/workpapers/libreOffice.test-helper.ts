import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import Papa from "papaparse";

/** The LibreOffice binary, or null when it is not installed (`apt-get install -y libreoffice-calc`). */
export function findSoffice(): string | null {
  for (const candidate of ["soffice", "libreoffice"]) {
    const found = spawnSync("which", [candidate], { encoding: "utf8" });
    if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  }
  return null;
}

/**
 * A private LibreOffice profile that recalculates every formula when an .xlsx is loaded
 * (Tools › Options › Calc › Formula › "Recalculation on file load: Always"), so the check
 * never trusts the cached results our writer put in the file.
 */
function recalculatingProfile(dir: string): string {
  const user = join(dir, "lo-profile", "user");
  mkdirSync(user, { recursive: true });
  writeFileSync(
    join(user, "registrymodifications.xcu"),
    `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
`,
  );
  return pathToFileURL(join(dir, "lo-profile")).href;
}

/**
 * Opens the workbook in LibreOffice headless, recalculates, and returns every sheet as rows
 * of cell text (raw values, not as formatted), keyed by sheet name.
 */
export function recalculatedSheets(soffice: string, xlsxPath: string, workDir: string): Map<string, string[][]> {
  const outDir = join(workDir, "csv");
  mkdirSync(outDir, { recursive: true });
  // Filter options: comma, double quote, UTF-8, from row 1, ..., raw values, all sheets (-1, LibreOffice ≥ 7.2).
  execFileSync(
    soffice,
    [
      `-env:UserInstallation=${recalculatingProfile(workDir)}`,
      "--headless",
      "--norestore",
      "--convert-to",
      "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
      "--outdir",
      outDir,
      xlsxPath,
    ],
    { stdio: "pipe", timeout: 180_000 },
  );
  const stem = basename(xlsxPath).replace(/\.xlsx$/i, "");
  const sheets = new Map<string, string[][]>();
  for (const file of readdirSync(outDir)) {
    if (!file.startsWith(`${stem}-`) || !file.endsWith(".csv")) continue;
    const name = file.slice(stem.length + 1, -".csv".length);
    const parsed = Papa.parse<string[]>(readFileSync(join(outDir, file), "utf8"), { skipEmptyLines: false });
    sheets.set(name, parsed.data);
  }
  return sheets;
}

/** The value in an A1 cell reference such as "Summary!C12" from converted sheets. */
export function cellAt(sheets: Map<string, string[][]>, ref: string): string | undefined {
  const match = /^(.+)!([A-Z]+)(\d+)$/.exec(ref);
  if (!match) throw new Error(`not a cell reference: ${ref}`);
  const rows = sheets.get(match[1]!.replace(/^'|'$/g, ""));
  const col = [...match[2]!].reduce((n, c) => n * 26 + c.charCodeAt(0) - 64, 0) - 1;
  return rows?.[Number(match[3]) - 1]?.[col];
}
