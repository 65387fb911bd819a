import ExcelJS from "exceljs";
import { whyNotOwner } from "../auth/users";
import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type { ExportRecord, RoundtripChange, RoundtripPreview } from "../../../src-shared/api/audit";
import { MAX_FILE_BYTES, readWorkbookSafely } from "../../../connectors/tabular/xlsxSafe";
import { appendAudit } from "../audit/auditLog";
import { checkReconPeriod, reconPeriodEntity } from "../audit/signoff";
import { UserError } from "../handlerRegistry";
import type { Store } from "../store/store";
import type { WorkpaperExportTable } from "../store/workpaperExport.table";
import { actorRoles, defaultExportPath, exportRecord, insertExport } from "./exportWorkpaper";
import type { ExceptionEdit, ReconSource } from "./reconSource";
import { writeDetailSheets, type DetailColumn, textCell } from "./sheetWriter";
import type { ReconcilingItem } from "./workpaperData";

export const ABOUT_SHEET = "About";
export const EXCEPTIONS_SHEET = "Exceptions";
const EDITABLE = ["Owner", "Explanation"] as const;

const COLUMNS: DetailColumn<ReconcilingItem>[] = [
  { header: "Exception", kind: "text", value: (r) => r.exceptionId },
  { header: "Reason", kind: "text", value: (r) => r.reason },
  { header: "Side", kind: "text", value: (r) => r.side },
  { header: "Key", kind: "text", value: (r) => r.key },
  { header: "Patient identifier", kind: "patientId", value: (r) => r.patientId },
  { header: "Date", kind: "date", value: (r) => r.date },
  { header: "Age (days)", kind: "integer", value: (r) => r.ageDays },
  { header: "Amount", kind: "money", value: (r) => r.amountCents },
  { header: "Description", kind: "text", value: (r) => r.description, maxWidth: 50 },
  { header: "Owner", kind: "text", value: (r) => r.owner ?? "" },
  { header: "Explanation", kind: "text", value: (r) => r.explanation ?? "", maxWidth: 60 },
];

interface Base {
  owner: string;
  explanation: string;
}

/**
 * Writes the open exceptions of a reconciliation and period to a workbook for offline work.
 * What each exception's owner and explanation were at export is kept, so the import can
 * tell the analyst's edits from changes made in Tieout meanwhile.
 */
export async function exportExceptionsWorkbook(
  store: Store,
  source: ReconSource,
  input: { reconId: string; period: string; outPath?: string | undefined; includePhi?: boolean | undefined },
  actor: string,
): Promise<ExportRecord> {
  const { reconId, period } = checkReconPeriod(input.reconId, input.period);
  if (input.outPath !== undefined && !/\.xlsx$/i.test(input.outPath))
    throw new UserError("BAD_REQUEST", `the exceptions workbook is an .xlsx file; found "${input.outPath}"`);
  const unmask = input.includePhi === true;
  if (unmask && !actorRoles(store, actor).includes("phi"))
    throw new UserError("FORBIDDEN", `${actor} does not have the phi role, so patient identifiers stay masked.`);
  const id = randomUUID();
  const outPath = input.outPath ? resolve(input.outPath) : defaultExportPath(store, reconId, period, "exceptions");
  mkdirSync(dirname(outPath), { recursive: true });

  const bases: { exceptionId: string; base: Base }[] = [];
  const items = function* () {
    for (const item of source.openExceptions(reconId, period)) {
      bases.push({ exceptionId: item.exceptionId, base: { owner: item.owner ?? "", explanation: item.explanation ?? "" } });
      yield item;
    }
  };
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: outPath, useStyles: true, useSharedStrings: false });
  const about = workbook.addWorksheet(ABOUT_SHEET);
  about.columns = [{ width: 22 }, { width: 80 }];
  const now = new Date().toISOString();
  for (const [label, value] of [
    ["Export id", id],
    ["Reconciliation", reconId],
    ["Period", period],
    ["Exported at (UTC)", now],
    ["Exported by", actor],
    ["How to use", "Fill in Owner and Explanation on the Exceptions sheet, save, and import the workbook back into Tieout."],
    [
      "",
      "Leave the Exception column and this sheet as they are. Changes made in Tieout meanwhile are shown as conflicts, not overwritten.",
    ],
  ] as const) {
    const row = about.addRow([label, textCell(value)]);
    row.getCell(1).font = { bold: true };
    row.commit();
  }
  about.commit();
  const written = await writeDetailSheets(workbook, EXCEPTIONS_SHEET, COLUMNS, items(), {
    maskPatientIds: !unmask,
    maxDataRows: 1_048_575,
  });
  if (written.sheets.length > 1) throw new UserError("TOO_MANY", "More open exceptions than fit on one sheet; export them by reason.");
  await workbook.commit();
  const bytes = readFileSync(outPath);
  const row: WorkpaperExportTable = {
    id,
    kind: "exceptions",
    recon_id: reconId,
    period,
    path: outPath,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    rows: written.rows,
    sheets_json: JSON.stringify([ABOUT_SHEET, EXCEPTIONS_SHEET]),
    phi_unmasked: unmask ? 1 : 0,
    fingerprint: null,
    created_by: actor,
    created_at: now,
  };
  store.sqlite
    .transaction(() => {
      insertExport(store, row);
      const insert = store.sqlite.prepare("INSERT INTO exception_roundtrip_row (export_id, exception_id, base_json) VALUES (?, ?, ?)");
      for (const b of bases) insert.run(id, b.exceptionId, JSON.stringify(b.base));
      appendAudit(store, {
        actor,
        action: "export exceptions workbook",
        entityType: "exceptions workbook",
        entityId: reconPeriodEntity(reconId, period),
        after: {
          exportId: id,
          path: outPath,
          sha256: row.sha256,
          exceptions: written.rows,
          patientIdentifiers: unmask ? "unmasked" : "masked",
        },
      });
    })
    .immediate();
  return exportRecord(row);
}

function readSheets(path: string): { bytes: Uint8Array; about: string[][]; rows: string[][] } {
  const size = statSync(path).size;
  if (size > MAX_FILE_BYTES) throw new UserError("TOO_LARGE", `${basename(path)} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB.`);
  const bytes = new Uint8Array(readFileSync(path));
  const about = readWorkbookSafely(bytes, { sheet: ABOUT_SHEET });
  if (!about.ok)
    throw new UserError(
      "NOT_A_ROUNDTRIP",
      `${basename(path)}: ${about.reason}. Import the workbook Tieout exported (it has an About sheet).`,
    );
  const exceptions = readWorkbookSafely(bytes, { sheet: EXCEPTIONS_SHEET });
  if (!exceptions.ok) throw new UserError("NOT_A_ROUNDTRIP", `${basename(path)}: ${exceptions.reason}.`);
  return { bytes, about: about.rows, rows: exceptions.rows };
}

/**
 * Compares a returned workbook with what was exported and with Tieout now. With `apply`,
 * changes only the workbook made are applied (each with the workbook's name, hash and row
 * in the audit trail); where Tieout changed the same field differently it is a conflict and
 * Tieout's value stays.
 */
export function importExceptionsWorkbook(
  store: Store,
  source: ReconSource,
  path: string,
  apply: boolean,
  actor: string,
): RoundtripPreview & { applied: number } {
  const { bytes, about, rows } = readSheets(path);
  const fileName = basename(path);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const exportId = about.find((r) => r[0] === "Export id")?.[1] ?? "";
  const exported = store.sqlite.prepare("SELECT * FROM workpaper_export WHERE id = ? AND kind = 'exceptions'").get(exportId) as
    WorkpaperExportTable | undefined;
  if (!exported)
    throw new UserError(
      "UNKNOWN_EXPORT",
      `${fileName} names export "${exportId}", which this database did not write; import it where it was exported.`,
    );
  const header = rows[0] ?? [];
  const idColumn = header.indexOf("Exception");
  const editable = EDITABLE.map((name) => ({ name, column: header.indexOf(name) }));
  const missing = [["Exception", idColumn] as const, ...editable.map((e) => [e.name, e.column] as const)].filter(([, c]) => c < 0);
  if (missing.length > 0)
    throw new UserError(
      "BAD_WORKBOOK",
      `${fileName}, sheet ${EXCEPTIONS_SHEET}, row 1: expected the columns ${missing.map(([n]) => n).join(", ")}; found ${header.join(", ")}`,
    );

  const baseRows = new Map(
    (
      store.sqlite.prepare("SELECT exception_id, base_json FROM exception_roundtrip_row WHERE export_id = ?").all(exportId) as {
        exception_id: string;
        base_json: string;
      }[]
    ).map((r) => [r.exception_id, JSON.parse(r.base_json) as Base]),
  );
  const changes: RoundtripChange[] = [];
  const problems: { row: number; message: string }[] = [];
  const edits = new Map<string, { edit: ExceptionEdit; row: number }>();
  const seen = new Set<string>();
  rows.slice(1).forEach((cells, k) => {
    const rowNumber = k + 2;
    const exceptionId = (cells[idColumn] ?? "").trim();
    if (exceptionId === "" && cells.every((c) => c.trim() === "")) return;
    const base = baseRows.get(exceptionId);
    if (!base) {
      problems.push({ row: rowNumber, message: `row ${rowNumber}: exception "${exceptionId}" was not in this export; the row is ignored` });
      return;
    }
    if (seen.has(exceptionId)) {
      problems.push({ row: rowNumber, message: `row ${rowNumber}: exception ${exceptionId} appears twice; only its first row is used` });
      return;
    }
    seen.add(exceptionId);
    const current = source.exception(exceptionId);
    if (!current) {
      problems.push({ row: rowNumber, message: `row ${rowNumber}: exception ${exceptionId} no longer exists in Tieout` });
      return;
    }
    for (const { name, column } of editable) {
      const field = name === "Owner" ? "owner" : "explanation";
      const workbook = (cells[column] ?? "").trim();
      const was = base[field];
      const now = current[field] ?? "";
      if (workbook === was) continue; // not touched offline
      const notOwner = field === "owner" && workbook !== "" ? whyNotOwner(store, workbook) : null;
      if (notOwner) {
        problems.push({
          row: rowNumber,
          message: `row ${rowNumber}: exception ${exceptionId}: owner ${notOwner}; the owner is left as it is`,
        });
        continue;
      }
      const outcome: RoundtripChange["outcome"] = now === workbook ? "same" : now === was ? "apply" : "conflict";
      changes.push({ exceptionId, field, base: was, workbook, current: now, outcome });
      if (outcome === "apply") {
        const entry = edits.get(exceptionId) ?? { edit: {}, row: rowNumber };
        entry.edit[field] = workbook;
        edits.set(exceptionId, entry);
      }
    }
  });
  const preview: RoundtripPreview = {
    exportId,
    reconId: exported.recon_id,
    period: exported.period,
    fileName,
    sha256,
    rows: Math.max(0, rows.length - 1),
    changes,
    problems,
  };
  if (!apply) return { ...preview, applied: 0 };

  const conflicts = changes.filter((c) => c.outcome === "conflict");
  store.sqlite
    .transaction(() => {
      for (const [exceptionId, { edit, row }] of edits) {
        source.updateException(exceptionId, edit, actor, { via: "workbook", exportId, fileName, sha256, row });
      }
      store.sqlite
        .prepare(
          `INSERT INTO exception_import (id, export_id, file_name, sha256, imported_by, imported_at, applied, conflicts_json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(randomUUID(), exportId, fileName, sha256, actor, new Date().toISOString(), edits.size, JSON.stringify(conflicts));
      appendAudit(store, {
        actor,
        action: "import exceptions workbook",
        entityType: "exceptions workbook",
        entityId: reconPeriodEntity(exported.recon_id, exported.period),
        after: { exportId, fileName, sha256, applied: edits.size, conflicts, problems },
        reason: conflicts.length > 0 ? `${conflicts.length} conflicting change(s) left as they are in Tieout` : null,
      });
    })
    .immediate();
  return { ...preview, applied: edits.size };
}
