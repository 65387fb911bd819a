import { readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import type { FileIngestSummary } from "../../../src-shared/api";
import type { MappingProfile } from "../../../src-shared/mapping";
import type { ParseResult, RawUnit } from "../../../src-shared/model";
import { decodeText } from "../../../connectors/decode";
import { detectFormat } from "../../../connectors/detect";
import { parseByFormat } from "../../../connectors/registry";
import type { Store } from "../store/store";
import { FileImport, fileIssue, findPreviousImport, wholeFileUnit } from "./fileImport";
import { ingestLargeFile } from "./ingestLargeFile";
import { sha256 } from "./loadUnits";
import { loadProfiles } from "./profiles";

export { IngestCancelled } from "./fileImport";

/**
 * Files at least this big are read as a stream and loaded piece by piece (ingestLargeFile.ts);
 * smaller ones are read whole. 64 MiB keeps every everyday file on the simple path while a
 * piece's parse result stays a few hundred MB at most.
 */
export const STREAM_THRESHOLD_BYTES = 64 * 1024 * 1024;

export interface IngestProgress {
  file: string;
  /** Units loaded (whole-file path) or bytes read (streaming path), out of `total`. */
  done: number;
  total: number;
}

export interface IngestOptions {
  onProgress?: (progress: IngestProgress) => void;
  isCancelled?: () => boolean;
  /** Extra mapping profiles to try besides the saved ones (e.g. the demo's). */
  profiles?: MappingProfile[];
  /** Units per transaction at most (default MAX_BATCH_UNITS; a transaction also ends after half a second). */
  batchSize?: number;
  /** Who imports, for the audit trail (default "system"). */
  actor?: string;
  /** Files of at least this many bytes are streamed (default STREAM_THRESHOLD_BYTES); tests set it low. */
  streamThresholdBytes?: number;
  /** Streaming: characters per piece handed to a parser (default PIECE_CHARS in ingestLargeFile.ts). */
  pieceChars?: number;
  /** Streaming: bytes per read (default 4 MiB); tests set it low to split characters and rows across reads. */
  streamChunkBytes?: number;
  /** Streaming: how much of a big file that yields no unit is archived (default ARCHIVE_HEAD_BYTES). */
  archiveHeadBytes?: number;
}

/**
 * Imports one file: archive, parse, load. The same bytes imported twice change
 * nothing. A bad unit is quarantined with its reason and the rest of the file goes on.
 * A file that yields no units at all is archived whole, quarantined, so nothing is lost.
 * Big files (see STREAM_THRESHOLD_BYTES) are streamed with bounded memory.
 */
export function ingestFile(store: Store, path: string, options: IngestOptions = {}): FileIngestSummary {
  const size = statSync(path).size;
  if (size >= (options.streamThresholdBytes ?? STREAM_THRESHOLD_BYTES)) return ingestLargeFile(store, path, size, options);
  return ingestWholeFile(store, path, options);
}

/** The whole file in memory: read, decode, parse, load. */
export function ingestWholeFile(
  store: Store,
  path: string,
  options: IngestOptions = {},
  extraIssues: ParseResult["issues"] = [],
): FileIngestSummary {
  const fileName = basename(path);
  const bytes = readFileSync(path);
  const fileSha = sha256(bytes);
  const { duplicate, previousId } = findPreviousImport(store, path, fileSha);
  if (duplicate) return duplicate;

  const decoded = decodeText(bytes);
  const detected = detectFormat(fileName, decoded.text.slice(0, 4096), bytes.subarray(0, 8));
  const job = new FileImport(store, path, fileName, fileSha, detected.format, bytes.length, previousId, options);

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
  result.issues.push(...extraIssues);
  job.summary.issues = result.issues;

  const units: RawUnit[] = result.units.length > 0 ? result.units : [wholeFileUnit(fileName, decoded.text, result.issues)];
  if (detected.format === "csv" || detected.format === "xlsx") {
    job.setHeaderLine(detected.format === "csv" ? (decoded.text.split(/\r\n|\r|\n/).find((l) => l.trim() !== "") ?? null) : null);
  }
  return job.run(() => {
    job.loadUnits(units, (done) => options.onProgress?.({ file: fileName, done, total: units.length }));
  });
}
