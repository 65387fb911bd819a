import type { QuarantineItem, ResultOf } from "../../../src-shared/api";
import type { ParseIssue } from "../../../src-shared/model";
import type { Store } from "../store/store";

export function listSourceFiles(store: Store, limit = 200): ResultOf<"sources/files"> {
  const rows = store.sqlite
    .prepare(
      `SELECT id, file_name, format, system, received_at, units, loaded, quarantined, duplicates, sha256
       FROM source_file ORDER BY id DESC LIMIT ?`,
    )
    .all(limit) as {
    id: number;
    file_name: string;
    format: string | null;
    system: string | null;
    received_at: string;
    units: number;
    loaded: number;
    quarantined: number;
    duplicates: number;
    sha256: string;
  }[];
  return rows.map((r) => ({
    id: r.id,
    fileName: r.file_name,
    format: r.format,
    system: r.system,
    receivedAt: r.received_at,
    records: r.units,
    loaded: r.loaded,
    quarantined: r.quarantined,
    duplicates: r.duplicates,
    sha256: r.sha256,
  }));
}

export function listQuarantine(store: Store, limit = 100, offset = 0): { items: QuarantineItem[]; total: number } {
  const rows = store.sqlite
    .prepare(
      `SELECT r.id, f.file_name, r.kind, r.line, r.received_at, r.issues_json, r.content
       FROM raw_record r LEFT JOIN source_file f ON f.id = r.source_file_id
       WHERE r.status = 'quarantined' ORDER BY r.id DESC LIMIT ? OFFSET ?`,
    )
    .all(limit, offset) as {
    id: number;
    file_name: string | null;
    kind: string;
    line: number | null;
    received_at: string;
    issues_json: string;
    content: string;
  }[];
  const total = (store.sqlite.prepare("SELECT COUNT(*) AS n FROM raw_record WHERE status = 'quarantined'").get() as { n: number }).n;
  return {
    total,
    items: rows.map((r) => ({
      rawRecordId: r.id,
      sourceFile: r.file_name,
      kind: r.kind,
      line: r.line,
      receivedAt: r.received_at,
      issues: JSON.parse(r.issues_json) as ParseIssue[],
      // A quarantined whole file can be large; the list shows its start.
      text: r.content.length > 4000 ? r.content.slice(0, 4000) + "\n…" : r.content,
    })),
  };
}
