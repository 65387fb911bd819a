import ExcelJS from "exceljs";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readWorkbookSafely } from "../../../connectors/tabular/xlsxSafe";
import { cellAt, findSoffice, recalculatedSheets } from "./libreOffice.test-helper";
import { FORMULA_LIKE, sampleWorkpaperData } from "./sampleWorkpaper";
import { writeWorkpaper, type WrittenWorkpaper } from "./workpaperWriter";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tieout-workpaper-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readBack(path: string): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  return workbook;
}

describe("workpaper writer", () => {
  let written: WrittenWorkpaper;
  const data = sampleWorkpaperData({ reconciling: 40, matched: 30 });

  beforeAll(async () => {
    written = await writeWorkpaper(data, { outPath: join(dir, "cash.xlsx"), maskPatientIds: true });
  });

  it("writes the cover, a summary, the detail sheets and the audit extract in order", () => {
    expect(written.sheets).toEqual(["Cover", "Summary", "Reconciling items", "Matched items", "Adjustments", "Audit extract"]);
    expect(written.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("puts entity, period, rule-set version, file hashes and signers on the cover", async () => {
    const cover = (await readBack(written.path)).getWorksheet("Cover")!;
    const text = cover.getSheetValues().flat().map(String).join("\n");
    for (const expected of [
      "Riverside Health System",
      "2026-10",
      "cash@3",
      "1".repeat(64),
      "2".repeat(64),
      "Ana Preparer",
      "not signed off",
    ])
      expect(text).toContain(expected);
  });

  it("ties in the summary with live formulas and a difference of zero", async () => {
    const summary = (await readBack(written.path)).getWorksheet("Summary")!;
    const difference = summary.getCell(written.summaryCells.difference.replace("Summary!", ""));
    expect(difference.formula).toMatch(/^ROUND\(C\d+-C\d+,2\)$/);
    expect(difference.result).toBe(0);
    expect(summary.getCell(written.summaryCells.totalReconciling.replace("Summary!", "")).formula).toMatch(/^SUM\(C\d+:C\d+\)$/);
    expect(summary.getCell(written.summaryCells.detailTotal.replace("Summary!", "")).formula).toBe("SUM('Reconciling items'!I:I)");
    expect(written.totals.differenceCents).toBe(0);
  });

  it("styles detail sheets: frozen header, auto-filter, money format, fitted widths", async () => {
    const sheet = (await readBack(written.path)).getWorksheet("Reconciling items")!;
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(sheet.autoFilter).toBe("A1:M41");
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(sheet.getCell("I2").numFmt).toBe("#,##0.00;[Red]-#,##0.00");
    expect(sheet.getColumn(1).width).toBeGreaterThanOrEqual("EX-0000001".length);
    expect(sheet.getColumn(13).width).toBeLessThanOrEqual(50);
  });

  it("writes text from source data that starts with = + - @ as text, never as a formula", async () => {
    const workbook = await readBack(written.path);
    const sheet = workbook.getWorksheet("Reconciling items")!;
    FORMULA_LIKE.forEach((text, k) => {
      const cell = sheet.getCell(`M${k + 2}`);
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.value).toBe(text);
    });
    const matched = workbook.getWorksheet("Matched items")!;
    expect(matched.getCell("H2").type).toBe(ExcelJS.ValueType.String);
    // And in the XML itself: no <f> element anywhere but the summary sheet.
    const unzipped = readWorkbookSafely(new Uint8Array(readFileSync(written.path)), { sheet: "Reconciling items" });
    expect(unzipped.ok && unzipped.rows[1]?.[12]).toBe(FORMULA_LIKE[0]);
  });

  it("masks patient identifiers by default and shows them only when asked", async () => {
    const masked = (await readBack(written.path)).getWorksheet("Reconciling items")!;
    expect(masked.getCell("E2").value).toBe("******0000");
    const open = await writeWorkpaper(data, { outPath: join(dir, "cash-phi.xlsx"), maskPatientIds: false });
    expect((await readBack(open.path)).getWorksheet("Reconciling items")!.getCell("E2").value).toBe("MRN9000000");
  });

  it("continues a table on a new sheet past the row limit", async () => {
    const split = await writeWorkpaper(sampleWorkpaperData({ reconciling: 7, matched: 10 }), {
      outPath: join(dir, "split.xlsx"),
      maskPatientIds: true,
      maxDataRows: 3,
    });
    expect(split.sheets).toEqual([
      "Cover",
      "Summary",
      "Reconciling items",
      "Reconciling items (2)",
      "Reconciling items (3)",
      "Matched items",
      "Matched items (2)",
      "Matched items (3)",
      "Matched items (4)",
      "Adjustments",
      "Audit extract",
    ]);
    const summary = (await readBack(split.path)).getWorksheet("Summary")!;
    expect(summary.getCell(split.summaryCells.detailTotal.replace("Summary!", "")).formula).toBe(
      "SUM('Reconciling items'!I:I)+SUM('Reconciling items (2)'!I:I)+SUM('Reconciling items (3)'!I:I)",
    );
  });
});

const soffice = findSoffice();
if (!soffice) {
  console.warn("LibreOffice is not installed (apt-get install -y libreoffice-calc): the recalculation checks are skipped.");
}

describe.skipIf(!soffice)("workpaper recalculated by LibreOffice", () => {
  it("recalculates a wrong cached result (so the check does not trust our cached values)", async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("Check");
    sheet.getCell("A1").value = { formula: "1+1", result: 5 };
    const path = join(dir, "control.xlsx");
    await workbook.xlsx.writeFile(path);
    const sheets = recalculatedSheets(soffice!, path, join(dir, "lo-control"));
    expect(cellAt(sheets, "Check!A1")).toBe("2");
  });

  for (const shape of [
    { name: "tie", reconciling: 57, matched: 25, maxDataRows: undefined },
    { name: "split", reconciling: 23, matched: 9, maxDataRows: 5 },
  ]) {
    it(`has a zero difference and the engine's totals after recalculation (${shape.name})`, async () => {
      const data = sampleWorkpaperData({ reconciling: shape.reconciling, matched: shape.matched, seed: 11 });
      const written = await writeWorkpaper(data, {
        outPath: join(dir, `lo-${shape.name}.xlsx`),
        maskPatientIds: true,
        ...(shape.maxDataRows ? { maxDataRows: shape.maxDataRows } : {}),
      });
      const sheets = recalculatedSheets(soffice!, written.path, join(dir, `lo-${shape.name}`));
      const cents = (ref: string) => Math.round(Number(cellAt(sheets, ref)) * 100);
      expect(cellAt(sheets, written.summaryCells.difference)).toBe("0");
      expect(cellAt(sheets, written.summaryCells.detailDifference)).toBe("0");
      expect(cents(written.summaryCells.leftBalance)).toBe(data.leftBalanceCents);
      expect(cents(written.summaryCells.rightBalance)).toBe(data.rightBalanceCents);
      expect(cents(written.summaryCells.totalReconciling)).toBe(written.totals.reconcilingCents);
      expect(cents(written.summaryCells.detailTotal)).toBe(written.totals.reconcilingCents);
      expect(cents(written.summaryCells.computedRight)).toBe(data.rightBalanceCents);
      // Formula-looking source text is still text after LibreOffice loaded it.
      expect(sheets.get("Reconciling items")?.[1]?.[12]).toBe(FORMULA_LIKE[0]);
    }, 180_000);
  }
});
