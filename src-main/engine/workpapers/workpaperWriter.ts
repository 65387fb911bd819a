import ExcelJS from "exceljs";
import { createHash } from "node:crypto";
import { createReadStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { AuditEntryInfo } from "../../../src-shared/api/audit";
import {
  centsToCell,
  columnLetter,
  EXCEL_MAX_ROWS,
  HEADER_FILL,
  HEADER_FONT,
  MONEY_FORMAT,
  plannedSheets,
  quoteSheet,
  textCell,
  writeDetailSheets,
  type DetailColumn,
} from "./sheetWriter";
import { describeCondition, passCriteria, validateTemplate } from "../../../src-shared/reconRules";
import {
  AGE_BUCKETS,
  type AdjustmentLine,
  type MatchedItem,
  type ReconcilingItem,
  type RulesUsed,
  type WorkpaperData,
} from "./workpaperData";

export interface WriteWorkpaperOptions {
  outPath: string;
  /** Mask patient identifiers (the default); only a phi user who asked may turn it off. */
  maskPatientIds: boolean;
  /** Data rows per detail sheet; default Excel's limit less the header row. Tests lower it. */
  maxDataRows?: number;
  onProgress?: (phase: string, done: number, total: number | null) => void;
  isCancelled?: () => boolean;
}

/** Where the summary's figures are, so checks can find them after recalculation. */
export interface SummaryCells {
  leftBalance: string;
  totalReconciling: string;
  computedRight: string;
  rightBalance: string;
  difference: string;
  detailTotal: string;
  detailDifference: string;
}

export interface WrittenWorkpaper {
  path: string;
  sha256: string;
  sheets: string[];
  /** Detail rows written (reconciling, matched, adjustments, audit). */
  rows: number;
  summaryCells: SummaryCells;
  totals: { leftBalanceCents: number; reconcilingCents: number; rightBalanceCents: number; differenceCents: number };
}

const RECONCILING_COLUMNS: DetailColumn<ReconcilingItem>[] = [
  { header: "Exception", kind: "text", value: (r) => r.exceptionId },
  { header: "Reason", kind: "text", value: (r) => r.reason },
  { header: "Side", kind: "text", value: (r) => r.side },
  { header: "Key", kind: "text", value: (r) => r.key },
  { header: "Patient identifier", kind: "patientId", value: (r) => r.patientId },
  { header: "Date", kind: "date", value: (r) => r.date },
  { header: "Age (days)", kind: "integer", value: (r) => r.ageDays },
  { header: "Ageing", kind: "text", value: (r) => ageLabel(r.ageDays) },
  { header: "Amount", kind: "money", value: (r) => r.amountCents },
  { header: "Status", kind: "text", value: (r) => r.status },
  { header: "Owner", kind: "text", value: (r) => r.owner },
  { header: "Explanation", kind: "text", value: (r) => r.explanation, maxWidth: 50 },
  { header: "Description", kind: "text", value: (r) => r.description, maxWidth: 50 },
];
/** Column of the amount in the reconciling items sheets (for the summary's cross-check). */
const RECONCILING_AMOUNT = columnLetter(RECONCILING_COLUMNS.findIndex((c) => c.header === "Amount") + 1);

const MATCHED_COLUMNS: DetailColumn<MatchedItem>[] = [
  { header: "Match group", kind: "text", value: (r) => r.matchGroupId },
  { header: "Rule", kind: "text", value: (r) => r.rule },
  { header: "Side", kind: "text", value: (r) => r.side },
  { header: "Record type", kind: "text", value: (r) => r.recordType },
  { header: "Key", kind: "text", value: (r) => r.key },
  { header: "Patient identifier", kind: "patientId", value: (r) => r.patientId },
  { header: "Date", kind: "date", value: (r) => r.date },
  { header: "Description", kind: "text", value: (r) => r.description, maxWidth: 50 },
  { header: "Amount", kind: "money", value: (r) => r.amountCents },
];

const ADJUSTMENT_COLUMNS: DetailColumn<AdjustmentLine>[] = [
  { header: "Adjustment", kind: "text", value: (r) => r.adjustmentId },
  { header: "Status", kind: "text", value: (r) => r.status },
  { header: "Kind", kind: "text", value: (r) => r.kind },
  { header: "Account", kind: "text", value: (r) => r.account },
  { header: "Cost center", kind: "text", value: (r) => r.costCenter },
  { header: "Description", kind: "text", value: (r) => r.description, maxWidth: 50 },
  { header: "Debit", kind: "money", value: (r) => r.debitCents },
  { header: "Credit", kind: "money", value: (r) => r.creditCents },
  { header: "Prepared by", kind: "text", value: (r) => r.preparedBy },
  { header: "Approved by", kind: "text", value: (r) => r.approvedBy },
  { header: "Posted at", kind: "text", value: (r) => r.postedAt },
];

const AUDIT_COLUMNS: DetailColumn<AuditEntryInfo>[] = [
  { header: "Seq", kind: "integer", value: (r) => r.seq },
  { header: "At (UTC)", kind: "text", value: (r) => r.at },
  { header: "Actor", kind: "text", value: (r) => r.actor },
  { header: "Action", kind: "text", value: (r) => r.action },
  { header: "Entity type", kind: "text", value: (r) => r.entityType },
  { header: "Entity", kind: "text", value: (r) => r.entityId },
  { header: "Reason", kind: "text", value: (r) => r.reason, maxWidth: 60 },
  { header: "Before", kind: "text", value: (r) => (r.before === null ? null : JSON.stringify(r.before)), maxWidth: 40 },
  { header: "After", kind: "text", value: (r) => (r.after === null ? null : JSON.stringify(r.after)), maxWidth: 40 },
  { header: "Entry hash", kind: "text", value: (r) => r.hash, maxWidth: 66 },
];

function ageLabel(ageDays: number): string {
  if (ageDays <= 30) return "0-30";
  if (ageDays <= 60) return "31-60";
  if (ageDays <= 90) return "61-90";
  return "91+";
}

function styleTitle(cell: ExcelJS.Cell): void {
  cell.font = { bold: true, size: 14 };
}

function styleHeaderRow(row: ExcelJS.Row): void {
  row.eachCell((cell) => {
    cell.font = HEADER_FONT;
    cell.fill = HEADER_FILL;
  });
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Label and value rows, the label bold (the Cover's and the Rules sheet's headings). */
function addLabelledRows(sheet: ExcelJS.Worksheet, fields: [string, string | Date | null][]): void {
  for (const [label, value] of fields) {
    const row = sheet.addRow([label, typeof value === "string" ? textCell(value) : value]);
    row.getCell(1).font = { bold: true };
    row.commit();
  }
}

const signerText = (s: WorkpaperData["preparer"]) => (s ? `${s.displayName} (${s.userId})` : "not signed off");

function writeCover(workbook: ExcelJS.stream.xlsx.WorkbookWriter, data: WorkpaperData, masked: boolean): void {
  const sheet = workbook.addWorksheet("Cover");
  sheet.columns = [{ width: 28 }, { width: 70 }, { width: 22 }, { width: 24 }];
  styleTitle(sheet.addRow([textCell(`${data.reconciliationName} — ${data.period}`)]).getCell(1));
  sheet.addRow([]);
  const fields: [string, string | Date | null][] = [
    ["Entity", data.entity],
    ["Period", data.period],
    ["Reconciliation", data.reconciliationName],
    ["Reconciliation id", data.reconId],
    ["Rule-set version", data.ruleSetVersion ?? "—"],
    ["Run", data.runId ? `${data.runId}${data.runAt ? ` at ${data.runAt}` : ""}` : "—"],
    ["Prepared by", signerText(data.preparer)],
    ["Preparer signed at (UTC)", data.preparer?.signedAt ?? "—"],
    ["Reviewed by", signerText(data.reviewer)],
    ["Reviewer signed at (UTC)", data.reviewer?.signedAt ?? "—"],
    ["Figures fingerprint (SHA-256)", data.fingerprint],
    [
      "Audit trail",
      data.auditChain.ok
        ? `hash chain intact: ${data.auditChain.entries} entries, last ${data.auditChain.lastHash}`
        : `HASH CHAIN BROKEN at entry ${data.auditChain.firstBadSeq}: ${data.auditChain.problem}`,
    ],
    ["Patient identifiers", masked ? "masked (last four characters shown)" : "shown unmasked (PHI: handle accordingly)"],
    ["Generated at (UTC)", data.generatedAt],
    ["Generated by", data.generatedBy],
  ];
  addLabelledRows(sheet, fields);
  sheet.addRow([]).commit();
  styleHeaderRow(sheet.addRow(["Input file", "SHA-256", "System", "Received (UTC)"]));
  for (const file of data.inputFiles) {
    sheet.addRow([textCell(file.fileName), file.sha256, textCell(file.system ?? ""), file.receivedAt]).commit();
  }
  if (data.inputFiles.length === 0) sheet.addRow(["(no input files recorded for this run)"]).commit();
  sheet.commit();
}

const yesNo = (b: boolean | undefined) => (b === undefined ? "" : b ? "yes" : "no");

/**
 * The matching rules the run used, as an auditor reads them: the version and who changed it why,
 * each pass's criteria in order, the rules that raise exceptions or expected items, and the side
 * queries. What the auto-matching accepted is then on the page, not only in the tool.
 */
function writeRules(workbook: ExcelJS.stream.xlsx.WorkbookWriter, data: WorkpaperData, rules: RulesUsed): void {
  const t = rules.definition;
  const sheet = workbook.addWorksheet("Rules");
  sheet.columns = [
    { width: 26 },
    { width: 34 },
    { width: 16 },
    { width: 14 },
    { width: 44 },
    { width: 22 },
    { width: 30 },
    { width: 24 },
    { width: 28 },
  ];
  styleTitle(sheet.addRow([textCell(`Matching rules used by run ${data.runId ?? "—"}`)]).getCell(1));
  sheet.addRow([]);
  const fields: [string, string][] = [
    ["Rule set", `${t.id} v${rules.version} (${rules.origin})`],
    ["Rule hash (SHA-256)", rules.hash],
    ["Saved by", rules.savedBy ?? "Tieout (shipped rules)"],
    ["Why", rules.note ?? ""],
    ["Run-out days after the period", String(t.runOutDays)],
    ["Left side", `${t.left.label} (${t.left.recordTypes.join(", ")})`],
    ["Right side", `${t.right.label} (${t.right.recordTypes.join(", ")})`],
  ];
  addLabelledRows(sheet, fields);
  sheet.addRow([]).commit();
  styleHeaderRow(
    sheet.addRow([
      "Pass (in order)",
      "Description",
      "Results",
      "Cardinality",
      "Blocking keys",
      "Amount tolerance",
      "Date window",
      "Text similarity",
      "Tie-break keys",
    ]),
  );
  t.passes.forEach((p, i) => {
    const c = passCriteria(p);
    sheet
      .addRow([
        `${i + 1}. ${p.id}`,
        textCell(p.label),
        c.results,
        c.cardinality,
        textCell(c.keys),
        c.amount,
        c.date,
        textCell(c.text),
        textCell(c.prefer),
      ])
      .commit();
  });
  sheet.addRow([]).commit();
  styleHeaderRow(
    sheet.addRow([
      "Exception rule (first that applies)",
      "Applies to",
      "When (all hold)",
      "Keeps the match",
      "Message",
      "Correction proposed",
    ]),
  );
  for (const r of t.exceptions) {
    const when = r.when.map(describeCondition).join("; ") || "always";
    sheet.addRow([textCell(r.reason), r.on, textCell(when), yesNo(r.keepMatch), textCell(r.message), r.correction ?? ""]).commit();
  }
  if (t.exceptions.length === 0) sheet.addRow(["(none: every break gets the unmatched reason below)"]).commit();
  sheet.addRow([]).commit();
  styleHeaderRow(sheet.addRow(["Expected item rule", "Applies to", "When (all hold)"]));
  for (const r of t.expected)
    sheet.addRow([textCell(r.reason), r.on, textCell(r.when.map(describeCondition).join("; ") || "always")]).commit();
  if (t.expected.length === 0) sheet.addRow(["(none)"]).commit();
  sheet.addRow([]).commit();
  sheet.addRow(["Unmatched left row, no rule applies", textCell(t.unmatchedLeftReason)]).commit();
  sheet.addRow(["Unmatched right row, no rule applies", textCell(t.unmatchedRightReason)]).commit();
  sheet.addRow([]).commit();
  for (const side of ["left", "right"] as const) {
    const row = sheet.addRow([`${side === "left" ? "Left" : "Right"} side query`, textCell(t[side].sql.replace(/\s+/g, " ").trim())]);
    row.getCell(2).alignment = { wrapText: true, vertical: "top" };
    row.commit();
  }
  sheet.commit();
}

/** Planned detail sheets, so the summary (written before them) can refer to them by name. */
function summaryLayout(data: WorkpaperData, maxDataRows: number) {
  const reconcilingCount = data.reconcilingByReason.reduce((n, r) => n + r.count, 0);
  return {
    reconcilingSheets: plannedSheets("Reconciling items", reconcilingCount, maxDataRows),
    matchedSheets: plannedSheets("Matched items", data.matchedCount, maxDataRows),
    reconcilingCount,
  };
}

function writeSummary(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  data: WorkpaperData,
  reconcilingSheets: string[],
): { cells: SummaryCells; reconcilingCents: number } {
  const sheet = workbook.addWorksheet("Summary", { views: [{ state: "frozen", ySplit: 3 }] });
  sheet.columns = [
    { width: 44 },
    { width: 10, style: { numFmt: "#,##0" } },
    { width: 18, style: { numFmt: MONEY_FORMAT } },
    ...AGE_BUCKETS.map(() => ({ width: 16, style: { numFmt: MONEY_FORMAT } })),
  ];
  let r = 0;
  const add = (values: ExcelJS.CellValue[]) => {
    const row = sheet.addRow(values);
    r = row.number;
    return row;
  };
  styleTitle(add([textCell(`Summary — ${data.reconciliationName} — ${data.period}`)]).getCell(1));
  add([textCell(`${data.entity}; amounts in currency units; every total below is a live formula`)]).getCell(1).font = { italic: true };
  styleHeaderRow(add(["", "Items", "Amount", ...AGE_BUCKETS.map((b) => `Aged ${b} days`)]));
  const leftRow = add([textCell(`${data.leftLabel} balance`), null, centsToCell(data.leftBalanceCents)]).number;
  add(["Reconciling items by reason"]).getCell(1).font = { bold: true };
  const firstReason = r + 1;
  for (const reason of data.reconcilingByReason) {
    add([
      textCell(`  ${reason.reason}`),
      reason.count,
      centsToCell(reason.amountCents),
      ...AGE_BUCKETS.map((b) => centsToCell(reason.ageing[b].amountCents)),
    ]);
  }
  if (data.reconcilingByReason.length === 0) add(["  (none)", 0, 0]);
  const lastReason = r;
  const reconcilingCents = data.reconcilingByReason.reduce((s, x) => s + x.amountCents, 0);
  const reconcilingCount = data.reconcilingByReason.reduce((s, x) => s + x.count, 0);
  const totalRow = add([
    "Total reconciling items",
    { formula: `SUM(B${firstReason}:B${lastReason})`, result: reconcilingCount },
    { formula: `SUM(C${firstReason}:C${lastReason})`, result: centsToCell(reconcilingCents) },
    ...AGE_BUCKETS.map((b, k) => {
      const col = columnLetter(4 + k);
      return {
        formula: `SUM(${col}${firstReason}:${col}${lastReason})`,
        result: centsToCell(data.reconcilingByReason.reduce((s, x) => s + x.ageing[b].amountCents, 0)),
      };
    }),
  ]);
  totalRow.font = { bold: true };
  const total = totalRow.number;
  const computedRow = add([
    textCell(`${data.leftLabel} balance + reconciling items`),
    null,
    { formula: `C${leftRow}+C${total}`, result: centsToCell(data.leftBalanceCents + reconcilingCents) },
  ]).number;
  const rightRow = add([textCell(`${data.rightLabel} balance`), null, centsToCell(data.rightBalanceCents)]).number;
  const differenceCents = data.leftBalanceCents + reconcilingCents - data.rightBalanceCents;
  // Rounded to the cent: the cells hold binary doubles, and a sum of them can be off by 1e-13.
  const differenceRow = add([
    "Difference (must be zero)",
    null,
    { formula: `ROUND(C${computedRow}-C${rightRow},2)`, result: centsToCell(differenceCents) },
  ]);
  differenceRow.font = { bold: true };
  differenceRow.getCell(3).border = { top: { style: "thin" }, bottom: { style: "double" } };
  add([]);
  const detailSum = reconcilingSheets.map((name) => `SUM(${quoteSheet(name)}!${RECONCILING_AMOUNT}:${RECONCILING_AMOUNT})`).join("+");
  const detailRow = add([
    "Reconciling items per detail sheets",
    null,
    { formula: detailSum, result: centsToCell(reconcilingCents) },
  ]).number;
  const detailDifference = add([
    "Detail agrees with summary (must be zero)",
    null,
    { formula: `ROUND(C${detailRow}-C${total},2)`, result: 0 },
  ]).number;
  add([]);
  add(["Matched items (rows on the matched sheets)", data.matchedCount]);
  add([textCell(`Figures fingerprint ${data.fingerprint}`)]).getCell(1).font = { color: { argb: "FF666666" } };
  sheet.commit();
  return {
    cells: {
      leftBalance: `Summary!C${leftRow}`,
      totalReconciling: `Summary!C${total}`,
      computedRight: `Summary!C${computedRow}`,
      rightBalance: `Summary!C${rightRow}`,
      difference: `Summary!C${differenceRow.number}`,
      detailTotal: `Summary!C${detailRow}`,
      detailDifference: `Summary!C${detailDifference}`,
    },
    reconcilingCents,
  };
}

/**
 * Writes an auditor's workpaper as a streamed .xlsx: Cover, Summary (live formulas that tie),
 * Reconciling items, Matched items, Adjustments and Audit extract. Detail rows go to disk as
 * they are read, so a million rows never sit in memory; past Excel's row limit a table
 * continues on "… (2)".
 */
export async function writeWorkpaper(data: WorkpaperData, options: WriteWorkpaperOptions): Promise<WrittenWorkpaper> {
  const maxDataRows = Math.min(options.maxDataRows ?? EXCEL_MAX_ROWS - 1, EXCEL_MAX_ROWS - 1);
  mkdirSync(dirname(options.outPath), { recursive: true });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: options.outPath, useStyles: true, useSharedStrings: false });
  workbook.creator = "Tieout";
  workbook.created = new Date(data.generatedAt);
  const layout = summaryLayout(data, maxDataRows);
  const progress = options.onProgress ?? (() => undefined);
  const common = { maskPatientIds: options.maskPatientIds, maxDataRows, isCancelled: options.isCancelled ?? (() => false) };

  progress("Writing cover and summary", 0, null);
  writeCover(workbook, data, options.maskPatientIds);
  const summary = writeSummary(workbook, data, layout.reconcilingSheets);
  const sheets = ["Cover", "Summary"];
  // Rules stored under looser checks may lack parts the sheet shows: the Cover's version stands then.
  if (data.rules && validateTemplate(data.rules.definition).length === 0) {
    writeRules(workbook, data, data.rules);
    sheets.push("Rules");
  }

  let rows = 0;
  const reconciling = await writeDetailSheets(workbook, "Reconciling items", RECONCILING_COLUMNS, data.reconcilingItems(), {
    ...common,
    onRows: (done) => progress("Writing reconciling items", done, layout.reconcilingCount),
  });
  const plannedNames = layout.reconcilingSheets.join(", ");
  const writtenNames = reconciling.sheets.map((s) => s.name).join(", ");
  if (plannedNames !== writtenNames || reconciling.rows !== layout.reconcilingCount) {
    throw new Error(
      `the reconciling items changed while the workpaper was written (${layout.reconcilingCount} expected, ${reconciling.rows} read); export again`,
    );
  }
  sheets.push(...reconciling.sheets.map((s) => s.name));
  rows += reconciling.rows;
  const matched = await writeDetailSheets(workbook, "Matched items", MATCHED_COLUMNS, data.matchedItems(), {
    ...common,
    onRows: (done) => progress("Writing matched items", done, data.matchedCount),
  });
  sheets.push(...matched.sheets.map((s) => s.name));
  rows += matched.rows;
  const adjustments = await writeDetailSheets(workbook, "Adjustments", ADJUSTMENT_COLUMNS, data.adjustments, common);
  sheets.push(...adjustments.sheets.map((s) => s.name));
  rows += adjustments.rows;
  const audit = await writeDetailSheets(workbook, "Audit extract", AUDIT_COLUMNS, data.auditExtract(), {
    ...common,
    onRows: (done) => progress("Writing the audit extract", done, null),
  });
  sheets.push(...audit.sheets.map((s) => s.name));
  rows += audit.rows;

  progress("Finishing the workbook", rows, rows);
  await workbook.commit();
  return {
    path: options.outPath,
    sha256: await fileSha256(options.outPath),
    sheets,
    rows,
    summaryCells: summary.cells,
    totals: {
      leftBalanceCents: data.leftBalanceCents,
      reconcilingCents: summary.reconcilingCents,
      rightBalanceCents: data.rightBalanceCents,
      differenceCents: data.leftBalanceCents + summary.reconcilingCents - data.rightBalanceCents,
    },
  };
}
