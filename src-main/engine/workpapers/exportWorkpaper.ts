import { randomUUID } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import type { Role } from "../../../src-shared/api";
import type { ExportRecord, WorkpaperExportParams } from "../../../src-shared/api/audit";
import { appendAudit, verifyAuditChain } from "../audit/auditLog";
import { checkReconPeriod, enforceSignoffs, figuresOnce, hasStandingSignoff, readSignoffStatus, reconPeriodEntity } from "../audit/signoff";
import { UserError } from "../handlerRegistry";
import { commitMark, ifUnchangedSince, type Store } from "../store/store";
import type { WorkpaperExportTable } from "../store/workpaperExport.table";
import type { ReconSource } from "./reconSource";
import type { WorkpaperData } from "./workpaperData";
import { writeWorkpaper, type WrittenWorkpaper } from "./workpaperWriter";

/**
 * The figures once for the whole export (each working-out is a pass over every stored row: half a
 * minute at a million encounters), with the standing sign-offs checked against them first. A void
 * commits only if nothing was committed since the figures were read (`commitMark`); otherwise they
 * are worked out again, and the last try checks without that guard rather than fail the export.
 */
function checkedFigures(store: Store, source: ReconSource, reconId: string, period: string, actor: string): ReconSource {
  if (!hasStandingSignoff(store, reconId, period)) return figuresOnce(source);
  for (let attempt = 1; attempt < 3; attempt++) {
    const mark = commitMark(store);
    const figures = figuresOnce(source);
    figures.summary(reconId, period);
    if (ifUnchangedSince(store, mark, () => enforceSignoffs(store, figures, reconId, period, actor))) return figures;
  }
  const figures = figuresOnce(source);
  enforceSignoffs(store, figures, reconId, period, actor);
  return figures;
}

/** Reads everything a workpaper shows from the store and the reconciliation engine. */
export function workpaperDataFor(store: Store, source: ReconSource, reconId: string, period: string, actor: string): WorkpaperData {
  source = checkedFigures(store, source, reconId, period, actor);
  const summary = source.summary(reconId, period);
  if (!summary) throw new UserError("NO_RUN", `Reconciliation ${reconId} has no run for ${period}; run it before exporting a workpaper.`);
  const status = readSignoffStatus(store, source, reconId, period);
  const adjustments = source.adjustments(reconId, period);
  return {
    entity: summary.entity,
    period,
    reconId,
    reconciliationName: summary.reconciliationName,
    ruleSetVersion: summary.ruleSetVersion,
    rules: summary.rules ?? null,
    runId: summary.runId,
    runAt: summary.runAt,
    leftLabel: summary.leftLabel,
    rightLabel: summary.rightLabel,
    inputFiles: summary.inputFiles,
    preparer: status.preparer,
    reviewer: status.reviewer,
    leftBalanceCents: summary.leftBalanceCents,
    rightBalanceCents: summary.rightBalanceCents,
    reconcilingByReason: summary.reconcilingByReason,
    matchedCount: summary.matchedCount,
    reconcilingItems: () => source.reconcilingItems(reconId, period),
    matchedItems: () => source.matchedItems(reconId, period),
    adjustments,
    auditExtract: () => source.auditExtract(reconId, period),
    auditChain: verifyAuditChain(store),
    fingerprint: status.fingerprint,
    generatedAt: new Date().toISOString(),
    generatedBy: actor,
  };
}

/** The roles of whoever started the export: a CLI user holds every role (they can open the file anyway). */
export function actorRoles(store: Store, actor: string): Role[] {
  if (actor.startsWith("cli:")) return ["admin", "preparer", "approver", "reviewer", "phi"];
  const row = store.sqlite.prepare("SELECT roles_json FROM app_user WHERE user_id = ? AND active = 1").get(actor) as
    { roles_json: string } | undefined;
  return row ? (JSON.parse(row.roles_json) as Role[]) : [];
}

export function checkWorkpaperParams(params: unknown): WorkpaperExportParams {
  const p = (params ?? {}) as Partial<WorkpaperExportParams>;
  const { reconId, period } = checkReconPeriod(p.reconId, p.period);
  if (p.outPath !== undefined && (typeof p.outPath !== "string" || !/\.xlsx$/i.test(p.outPath)))
    throw new UserError("BAD_REQUEST", `a workpaper is written to an .xlsx file; found "${String(p.outPath)}"`);
  return { reconId, period, ...(p.outPath ? { outPath: resolve(p.outPath) } : {}), includePhi: p.includePhi === true };
}

/** Exports land beside the database unless the caller names a file. */
export function defaultExportPath(store: Store, reconId: string, period: string, kind: "workpaper" | "exceptions"): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");
  const safeRecon = reconId.replace(/[^A-Za-z0-9._-]/g, "_");
  return join(dirname(store.path), "exports", `${safeRecon}_${period}_${kind}_${stamp}.xlsx`);
}

/** Records a written workbook (a workpaper or an exceptions round-trip file) in `workpaper_export`. */
export function insertExport(store: Store, row: WorkpaperExportTable): void {
  store.sqlite
    .prepare(
      `INSERT INTO workpaper_export (id, kind, recon_id, period, path, sha256, rows, sheets_json, phi_unmasked, fingerprint, created_by, created_at)
       VALUES (@id, @kind, @recon_id, @period, @path, @sha256, @rows, @sheets_json, @phi_unmasked, @fingerprint, @created_by, @created_at)`,
    )
    .run(row);
}

export function exportRecord(row: WorkpaperExportTable): ExportRecord {
  return {
    id: row.id,
    kind: row.kind,
    reconId: row.recon_id,
    period: row.period,
    path: row.path,
    sha256: row.sha256,
    rows: row.rows,
    sheets: JSON.parse(row.sheets_json) as string[],
    phiUnmasked: row.phi_unmasked === 1,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

export function listExports(store: Store, filter: { reconId?: string; period?: string; limit?: number }): ExportRecord[] {
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  if (filter.reconId) {
    clauses.push("recon_id = ?");
    params.push(filter.reconId);
  }
  if (filter.period) {
    clauses.push("period = ?");
    params.push(filter.period);
  }
  const rows = store.sqlite
    .prepare(
      `SELECT * FROM workpaper_export ${clauses.length ? `WHERE ${clauses.join(" AND ")}` : ""} ORDER BY created_at DESC, rowid DESC LIMIT ?`,
    )
    .all(...params, Math.max(1, Math.min(500, filter.limit ?? 50))) as WorkpaperExportTable[];
  return rows.map(exportRecord);
}

/**
 * Writes the workpaper and records the export (table and audit trail) once the file is
 * complete. Patient identifiers stay masked unless asked for by a user with the phi role.
 */
export async function exportWorkpaper(
  store: Store,
  source: ReconSource,
  params: WorkpaperExportParams,
  actor: string,
  hooks: { onProgress?: (phase: string, done: number, total: number | null) => void; isCancelled?: () => boolean } = {},
): Promise<{ record: ExportRecord; written: WrittenWorkpaper }> {
  const unmask = params.includePhi === true;
  if (unmask && !actorRoles(store, actor).includes("phi"))
    throw new UserError("FORBIDDEN", `${actor} does not have the phi role, so patient identifiers stay masked; export again without them.`);
  const data = workpaperDataFor(store, source, params.reconId, params.period, actor);
  const outPath = params.outPath ?? defaultExportPath(store, params.reconId, params.period, "workpaper");
  const written = await writeWorkpaper(data, { outPath, maskPatientIds: !unmask, ...hooks });
  const id = randomUUID();
  const row: WorkpaperExportTable = {
    id,
    kind: "workpaper",
    recon_id: params.reconId,
    period: params.period,
    path: written.path,
    sha256: written.sha256,
    rows: written.rows,
    sheets_json: JSON.stringify(written.sheets),
    phi_unmasked: unmask ? 1 : 0,
    fingerprint: data.fingerprint,
    created_by: actor,
    created_at: new Date().toISOString(),
  };
  store.sqlite
    .transaction(() => {
      insertExport(store, row);
      appendAudit(store, {
        actor,
        action: "export workpaper",
        entityType: "workpaper",
        entityId: reconPeriodEntity(params.reconId, params.period),
        after: {
          exportId: id,
          path: written.path,
          sha256: written.sha256,
          sheets: written.sheets,
          rows: written.rows,
          patientIdentifiers: unmask ? "unmasked" : "masked",
          fingerprint: data.fingerprint,
        },
      });
    })
    .immediate();
  return { record: exportRecord(row), written };
}
