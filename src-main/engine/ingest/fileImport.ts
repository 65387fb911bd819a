/**
 * One file's import, shared by the whole-file and the streaming paths: the `source_file`
 * row (importing → complete / partial), the unit batches (one IMMEDIATE transaction
 * each, cancellation checked between them), the counts and the audit entry.
 */
import type { FileIngestSummary } from "../../../src-shared/api";
import type { ParseIssue, RawUnit, SourceFormat } from "../../../src-shared/model";
import { appendAudit } from "../audit/auditLog";
import type { Store } from "../store/store";
import type { IngestOptions } from "./ingestFile";
import { UnitLoader } from "./loadUnits";

/**
 * Units one transaction loads at most. Each commit writes every index page its rows touched,
 * and the archive's SHA-256 index and a charge's account index take rows in random order: a
 * 2,000-row batch rewrote most of them each time, and an import spent more time committing
 * than loading. Larger batches write each page fewer times.
 */
export const MAX_BATCH_UNITS = 20_000;

/** How long one transaction may hold the write lock; the engine's own writes (the HL7 feed, a match) wait meanwhile. */
const BATCH_MS = 500;

export class IngestCancelled extends Error {
  constructor() {
    super("cancelled");
    this.name = "IngestCancelled";
  }
}

export function fileIssue(file: string, code: string, message: string): ParseIssue {
  return { code, severity: "error", message, where: { file } };
}

/** A summary of nothing yet, for `path`. */
export function emptySummary(path: string): FileIngestSummary {
  return {
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
}

/**
 * The import of `path` already done in full (same SHA-256): its summary, marked as a
 * duplicate file. Null when the file is new, or was stopped part-way (then `previousId`
 * is the row to resume; its units already loaded come back as duplicates).
 */
export function findPreviousImport(
  store: Store,
  path: string,
  fileSha: string,
): { duplicate: FileIngestSummary | null; previousId: number | null } {
  const previous = store.sqlite
    .prepare("SELECT id, status, format, system FROM source_file WHERE sha256 = ? ORDER BY id DESC LIMIT 1")
    .get(fileSha) as { id: number; status: string; format: string | null; system: string | null } | undefined;
  if (previous?.status === "complete") {
    const summary = emptySummary(path);
    summary.duplicateFile = true;
    summary.format = previous.format as SourceFormat | null;
    summary.system = previous.system as FileIngestSummary["system"];
    return { duplicate: summary, previousId: previous.id };
  }
  return { duplicate: null, previousId: previous?.id ?? null };
}

export class FileImport {
  readonly summary: FileIngestSummary;
  readonly sourceFileId: number;
  readonly receivedAt = new Date().toISOString();
  system: string | null = null;
  private readonly loader: UnitLoader;
  private readonly loadBatch: { immediate: (units: readonly RawUnit[], start: number, end: number) => number };
  private readonly batchSize: number;

  constructor(
    private readonly store: Store,
    readonly path: string,
    readonly fileName: string,
    readonly fileSha: string,
    readonly format: SourceFormat | null,
    sizeBytes: number,
    previousId: number | null,
    private readonly options: IngestOptions,
  ) {
    const sqlite = store.sqlite;
    this.summary = emptySummary(path);
    this.summary.format = format;
    this.sourceFileId =
      previousId ??
      Number(
        sqlite
          .prepare(
            `INSERT INTO source_file (file_name, path, format, system, size_bytes, sha256, received_at, status)
             VALUES (?, ?, ?, NULL, ?, ?, ?, 'importing')`,
          )
          .run(fileName, path, format, sizeBytes, fileSha, this.receivedAt).lastInsertRowid,
      );
    this.loader = new UnitLoader(sqlite);
    this.batchSize = options.batchSize ?? MAX_BATCH_UNITS;
    const context = { connector: format ?? "unknown", sourceFileId: this.sourceFileId, receivedAt: this.receivedAt };
    const summary = this.summary;
    this.loadBatch = sqlite.transaction((units: readonly RawUnit[], start: number, end: number): number => {
      const until = performance.now() + BATCH_MS;
      let i = start;
      while (i < end) {
        const outcome = this.loader.load(units[i]!, context);
        summary.records++;
        if (outcome.status === "duplicate") summary.duplicates++;
        else if (outcome.status === "quarantined") summary.quarantined++;
        else if (outcome.status === "loaded") summary.loaded++;
        i++;
        if ((i & 127) === 0 && performance.now() > until) break;
      }
      return i;
    });
  }

  /** Kept so a quarantined CSV row can be corrected and replayed on its own. */
  setHeaderLine(header: string | null): void {
    this.store.sqlite.prepare("UPDATE source_file SET header_line = ? WHERE id = ?").run(header, this.sourceFileId);
  }

  /**
   * Loads units in batches, one IMMEDIATE transaction each: take the write lock up front;
   * a deferred transaction that reads then writes fails at once (SQLITE_BUSY) when the
   * engine wrote in between, instead of waiting. A batch ends after `batchSize` units or
   * BATCH_MS, whichever comes first. `afterBatch` gets the units done so far.
   */
  loadUnits(units: readonly RawUnit[], afterBatch?: (done: number) => void): void {
    if (this.system === null) {
      this.system = units.find((u) => u.records.length > 0)?.records[0]?.system ?? null;
      this.summary.system = this.system as FileIngestSummary["system"];
    }
    for (let start = 0; start < units.length;) {
      if (this.options.isCancelled?.()) throw new IngestCancelled();
      start = this.loadBatch.immediate(units, start, Math.min(units.length, start + this.batchSize));
      afterBatch?.(start);
    }
  }

  /** Runs the loading; records the outcome (complete, or partial when it throws) and audits it. */
  run(load: () => void): FileIngestSummary {
    try {
      load();
    } catch (error) {
      this.finish("partial");
      throw error;
    }
    this.finish("complete");
    return this.summary;
  }

  private finish(status: "complete" | "partial"): void {
    const sqlite = this.store.sqlite;
    const s = this.summary;
    sqlite
      .transaction(() => {
        sqlite
          .prepare(
            `UPDATE source_file SET units = ?, loaded = ?, quarantined = ?, duplicates = ?, issues_json = ?, system = ?, format = ?, status = ? WHERE id = ?`,
          )
          .run(
            s.records,
            s.loaded,
            s.quarantined,
            s.duplicates,
            JSON.stringify(s.issues),
            this.system,
            this.format,
            status,
            this.sourceFileId,
          );
        appendAudit(this.store, {
          actor: this.options.actor ?? "system",
          action: status === "complete" ? "import" : "import (stopped part-way)",
          entityType: "source_file",
          entityId: String(this.sourceFileId),
          after: {
            file: this.fileName,
            sha256: this.fileSha,
            format: this.format,
            records: s.records,
            loaded: s.loaded,
            quarantined: s.quarantined,
            duplicates: s.duplicates,
          },
        });
      })
      .immediate();
  }
}

/**
 * The unit for a file that yielded none: the file itself (or, for a file too big to hold
 * as one string, its first part: `text` is what the caller could keep), quarantined with
 * the file's issues, so nothing is dropped silently.
 */
export function wholeFileUnit(fileName: string, text: string, issues: ParseIssue[]): RawUnit {
  const unitIssues = issues.length > 0 ? [...issues] : [fileIssue(fileName, "EMPTY", `${fileName}: no records found`)];
  if (issues.length > 0 && !issues.some((i) => i.severity === "error")) {
    unitIssues.push(fileIssue(fileName, "EMPTY", `${fileName}: no records found`));
  }
  return { kind: "file", controlId: null, text, line: 1, records: [], issues: unitIssues };
}
