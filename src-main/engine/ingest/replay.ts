import type { ParseIssue, ParseResult, RawUnit, SourceFormat } from "../../../src-shared/model";
import { parseByFormat } from "../../../connectors/registry";
import { detectFormat } from "../../../connectors/detect";
import type { Store } from "../store/store";
import { appendAudit } from "../audit/auditLog";
import { UnitLoader } from "./loadUnits";
import { loadProfiles } from "./profiles";
import { UserError } from "../handlerRegistry";

const FORMAT_OF_KIND: Record<string, SourceFormat> = {
  "hl7v2-message": "hl7v2",
  "x12-transaction": "x12-835",
  "bai2-account": "bai2",
  "fhir-resource": "fhir",
};

/** An XLSX row is archived as a JSON array of cells; as CSV it replays through the same mapping. */
function csvLine(cells: string[]): string {
  return cells.map((c) => `"${c.replace(/"/g, '""')}"`).join(",");
}

function toCsvLine(text: string, kind: string): string {
  if (kind !== "xlsx-row") return text;
  try {
    const cells = JSON.parse(text) as unknown;
    return Array.isArray(cells) ? csvLine(cells.map(String)) : text;
  } catch {
    return text;
  }
}

/**
 * Parses a quarantined raw record again — as it was (after a mapping profile or the
 * parser was fixed) or with the analyst's corrected text — and loads it when it is now
 * good. The original stays in the archive, marked `replayed`; the new raw record points
 * back to it with `replay_of`, so lineage shows both.
 */
export function replayQuarantined(
  store: Store,
  rawRecordId: number,
  correctedText?: string,
  actor = "system",
): { rawRecordId: number; status: "loaded" | "ignored" | "quarantined"; issues: ParseIssue[] } {
  const original = store.sqlite
    .prepare(
      `SELECT r.id, r.kind, r.content, r.status, r.connector, r.source_file_id, r.line, f.file_name, f.format, f.header_line
       FROM raw_record r LEFT JOIN source_file f ON f.id = r.source_file_id WHERE r.id = ?`,
    )
    .get(rawRecordId) as
    | {
        id: number;
        kind: string;
        content: string;
        status: string;
        connector: string;
        source_file_id: number | null;
        line: number | null;
        file_name: string | null;
        format: string | null;
        header_line: string | null;
      }
    | undefined;
  if (!original) throw new UserError("NOT_FOUND", `There is no raw record ${rawRecordId}.`);
  if (original.status !== "quarantined") {
    throw new UserError(
      "NOT_QUARANTINED",
      `Raw record ${rawRecordId} is ${original.status}, not quarantined; only quarantined records can be replayed.`,
    );
  }
  const text = correctedText ?? original.content;
  const fileName = `${original.file_name ?? original.connector} (replay of record ${rawRecordId})`;
  const profiles = loadProfiles(store);
  let result: ParseResult;
  if (original.kind === "csv-row" || original.kind === "xlsx-row") {
    const header = original.header_line ? toCsvLine(original.header_line, original.kind) : "";
    result = parseByFormat("csv", { bytes: new Uint8Array(), text: `${header}\n${toCsvLine(text, original.kind)}\n`, fileName, profiles });
  } else {
    const format =
      (original.format as SourceFormat | null) ??
      FORMAT_OF_KIND[original.kind] ??
      detectFormat(original.file_name ?? "", text.slice(0, 4096)).format;
    if (!format) throw new UserError("NOTHING_PARSED", `Tieout cannot tell what format record ${rawRecordId} is in.`);
    result = parseByFormat(format, { bytes: new TextEncoder().encode(text), text, fileName, profiles });
  }
  const units: RawUnit[] = result.units.length > 0 ? result.units : [];
  if (units.length === 0) {
    const issues =
      result.issues.length > 0
        ? result.issues
        : [{ code: "EMPTY", severity: "error" as const, message: `${fileName}: no records found`, where: { file: fileName } }];
    units.push({ kind: original.kind, controlId: null, text, line: original.line ?? 1, records: [], issues });
  }
  const loader = new UnitLoader(store.sqlite);
  const receivedAt = new Date().toISOString();
  return store.sqlite
    .transaction(() => {
      let last: { rawRecordId: number; status: "loaded" | "ignored" | "quarantined"; issues: ParseIssue[] } | null = null;
      for (const unit of units) {
        const outcome = loader.load(unit, {
          connector: original.connector,
          sourceFileId: original.source_file_id,
          receivedAt,
          replayOf: original.id,
        });
        if (outcome.status === "duplicate" || outcome.rawRecordId === null) continue;
        last = {
          rawRecordId: outcome.rawRecordId,
          status: outcome.status as "loaded" | "ignored" | "quarantined",
          issues: [...result.issues, ...unit.issues],
        };
      }
      store.sqlite.prepare("UPDATE raw_record SET status = 'replayed' WHERE id = ?").run(original.id);
      appendAudit(store, {
        actor,
        action: correctedText === undefined ? "replay" : "correct and replay",
        entityType: "raw_record",
        entityId: String(original.id),
        before: correctedText === undefined ? undefined : { text: original.content },
        after: {
          rawRecordId: last?.rawRecordId ?? null,
          status: last?.status ?? null,
          ...(correctedText === undefined ? {} : { text: correctedText }),
        },
      });
      if (original.source_file_id !== null && last && last.status !== "quarantined") {
        store.sqlite
          .prepare("UPDATE source_file SET quarantined = quarantined - 1, loaded = loaded + 1 WHERE id = ? AND quarantined > 0")
          .run(original.source_file_id);
      }
      return last!;
    })
    .immediate();
}
