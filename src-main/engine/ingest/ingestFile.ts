import { readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import type { FileIngestSummary } from "../../../src-shared/api";
import type { MappingProfile } from "../../../src-shared/mapping";
import type { ParseIssue, ParseResult, RawUnit, SourceFormat } from "../../../src-shared/model";
import { decodeText } from "../../../connectors/decode";
import { detectFormat } from "../../../connectors/detect";
import { parseByFormat } from "../../../connectors/registry";
import type { Store } from "../store/store";
import { appendAudit } from "../audit/auditLog";
import { sha256, UnitLoader } from "./loadUnits";
import { loadProfiles } from "./profiles";

export interface IngestProgress {
  file: string;
  done: number;
  total: number;
}

export interface IngestOptions {
  onProgress?: (progress: IngestProgress) => void;
  isCancelled?: () => boolean;
  /** Extra mapping profiles to try besides the saved ones (e.g. the demo's). */
  profiles?: MappingProfile[];
  /** Units per transaction: big enough to be fast, small enough to report progress. */
  batchSize?: number;
  /** Who imports, for the audit trail (default "system"). */
  actor?: string;
}

export class IngestCancelled extends Error {
  constructor() {
    super("cancelled");
    this.name = "IngestCancelled";
  }
}

function fileIssue(file: string, code: string, message: string): ParseIssue {
  return { code, severity: "error", message, where: { file } };
}

/**
 * Imports one file: archive, parse, load. The same bytes imported twice change
 * nothing. A bad unit is quarantined with its reason and the rest of the file goes on.
 * A file that yields no units at all is archived whole, quarantined, so nothing is lost.
 */
export function ingestFile(store: Store, path: string, options: IngestOptions = {}): FileIngestSummary {
  const fileName = basename(path);
  const bytes = readFileSync(path);
  const fileSha = sha256(bytes);
  const sqlite = store.sqlite;
  const summary: FileIngestSummary = {
    file: path,
    format: null,
    system: null,
    records: 0,
    loaded: 0,
    quarantined: 0,
    duplicates: 0,
    duplicateFile: false,
    issues: [],
  };

  const previous = sqlite
    .prepare("SELECT id, status, format, system FROM source_file WHERE sha256 = ? ORDER BY id DESC LIMIT 1")
    .get(fileSha) as { id: number; status: string; format: string | null; system: string | null } | undefined;
  if (previous?.status === "complete") {
    summary.duplicateFile = true;
    summary.format = previous.format as SourceFormat | null;
    summary.system = previous.system as FileIngestSummary["system"];
    return summary;
  }

  const decoded = decodeText(bytes);
  const detected = detectFormat(fileName, decoded.text.slice(0, 4096), bytes.subarray(0, 8));
  const receivedAt = new Date().toISOString();
  const sourceFileId =
    previous?.id ??
    Number(
      sqlite
        .prepare(
          `INSERT INTO source_file (file_name, path, format, system, size_bytes, sha256, received_at, status)
           VALUES (?, ?, ?, NULL, ?, ?, ?, 'importing')`,
        )
        .run(fileName, path, detected.format, statSync(path).size, fileSha, receivedAt).lastInsertRowid,
    );

  let result: ParseResult;
  if (!detected.format) {
    result = {
      format: "csv",
      units: [],
      issues: [fileIssue(fileName, "UNKNOWN_FORMAT", `${fileName}: not a format Tieout reads (${detected.reason})`)],
    };
  } else {
    const profiles = [...loadProfiles(store), ...(options.profiles ?? [])];
    try {
      result = parseByFormat(detected.format, { bytes, text: decoded.text, fileName, profiles });
    } catch (error) {
      // A parser must not throw on bad input; if one does, the file is still kept.
      result = {
        format: detected.format,
        units: [],
        issues: [fileIssue(fileName, "PARSER_FAILED", `${fileName}: the ${detected.format} reader failed: ${(error as Error).message}`)],
      };
    }
  }
  if (decoded.note) {
    result.issues.push({ code: "ENCODING", severity: "warning", message: `${fileName}: ${decoded.note}`, where: { file: fileName } });
  }
  summary.format = detected.format;
  summary.issues = result.issues;
  const system = result.units.find((u) => u.records.length > 0)?.records[0]?.system ?? null;
  summary.system = system;

  const loader = new UnitLoader(sqlite);
  const connector = detected.format ?? "unknown";
  const units: RawUnit[] =
    result.units.length > 0
      ? result.units
      : [
          {
            kind: "file",
            controlId: null,
            text: decoded.text,
            line: 1,
            records: [],
            issues: result.issues.length > 0 ? result.issues : [fileIssue(fileName, "EMPTY", `${fileName}: no records found`)],
          },
        ];
  if (result.units.length === 0 && !units[0]!.issues.some((i) => i.severity === "error")) {
    units[0]!.issues = [...units[0]!.issues, fileIssue(fileName, "EMPTY", `${fileName}: no records found`)];
  }

  const batchSize = options.batchSize ?? 2000;
  const context = { connector, sourceFileId, receivedAt };
  const loadBatch = sqlite.transaction((batch: RawUnit[]) => {
    for (const unit of batch) {
      const outcome = loader.load(unit, context);
      summary.records++;
      if (outcome.status === "duplicate") summary.duplicates++;
      else if (outcome.status === "quarantined") summary.quarantined++;
      else if (outcome.status === "loaded") summary.loaded++;
    }
  });
  if (detected.format === "csv" || detected.format === "xlsx") {
    // Kept so a quarantined row can be corrected and replayed on its own.
    const header = detected.format === "csv" ? (decoded.text.split(/\r\n|\r|\n/).find((l) => l.trim() !== "") ?? null) : null;
    sqlite.prepare("UPDATE source_file SET header_line = ? WHERE id = ?").run(header, sourceFileId);
  }
  const auditImport = (status: "complete" | "partial") =>
    appendAudit(store, {
      actor: options.actor ?? "system",
      action: status === "complete" ? "import" : "import (stopped part-way)",
      entityType: "source_file",
      entityId: String(sourceFileId),
      after: {
        file: fileName,
        sha256: fileSha,
        format: detected.format,
        records: summary.records,
        loaded: summary.loaded,
        quarantined: summary.quarantined,
        duplicates: summary.duplicates,
      },
    });
  const updateCounts = sqlite.prepare(
    `UPDATE source_file SET units = ?, loaded = ?, quarantined = ?, duplicates = ?, issues_json = ?, system = ?, format = ?, status = ? WHERE id = ?`,
  );
  const writeCounts = (status: "importing" | "complete" | "partial") =>
    updateCounts.run(
      summary.records,
      summary.loaded,
      summary.quarantined,
      summary.duplicates,
      JSON.stringify(summary.issues),
      system,
      detected.format,
      status,
      sourceFileId,
    );

  try {
    for (let start = 0; start < units.length; start += batchSize) {
      if (options.isCancelled?.()) throw new IngestCancelled();
      // IMMEDIATE: take the write lock up front; a deferred transaction that reads then writes
      // fails at once (SQLITE_BUSY) when the engine wrote in between, instead of waiting.
      loadBatch.immediate(units.slice(start, start + batchSize));
      options.onProgress?.({ file: fileName, done: Math.min(start + batchSize, units.length), total: units.length });
    }
  } catch (error) {
    sqlite
      .transaction(() => {
        writeCounts("partial");
        auditImport("partial");
      })
      .immediate();
    throw error;
  }
  sqlite
    .transaction(() => {
      writeCounts("complete");
      auditImport("complete");
    })
    .immediate();
  return summary;
}
