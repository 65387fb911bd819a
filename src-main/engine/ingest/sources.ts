import type { ConnectorStatus, QuarantineItem, ResultOf } from "../../../src-shared/api";
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

/**
 * Per-connector counts from the raw archive (what was stored and how it ended up), plus
 * the duplicates the archive never stores: re-sent messages and rows of re-imported files.
 */
export function listConnectors(store: Store): ConnectorStatus[] {
  const rows = store.sqlite
    .prepare(
      `SELECT connector,
              COUNT(*) AS stored,
              SUM(status = 'loaded') AS loaded,
              SUM(status = 'ignored') AS ignored,
              SUM(status = 'quarantined') AS quarantined,
              MAX(received_at) AS last_at
       FROM raw_record WHERE status != 'replayed' GROUP BY connector`,
    )
    .all() as { connector: string; stored: number; loaded: number; ignored: number; quarantined: number; last_at: string | null }[];
  const fileDuplicates = new Map(
    (
      store.sqlite.prepare("SELECT format AS connector, SUM(duplicates) AS duplicates FROM source_file GROUP BY format").all() as {
        connector: string | null;
        duplicates: number;
      }[]
    ).map((r) => [r.connector ?? "unknown", r.duplicates]),
  );
  const activity = new Map(
    (
      store.sqlite.prepare("SELECT * FROM connector_activity").all() as {
        connector: string;
        duplicates: number;
        last_activity_at: string | null;
        last_error: string | null;
      }[]
    ).map((r) => [r.connector, r]),
  );
  const names = new Set([...rows.map((r) => r.connector), ...activity.keys()]);
  return [...names].sort().map((connector) => {
    const row = rows.find((r) => r.connector === connector);
    const live = activity.get(connector);
    const duplicates = (fileDuplicates.get(connector) ?? 0) + (live?.duplicates ?? 0);
    const lastActivityAt =
      [row?.last_at ?? null, live?.last_activity_at ?? null]
        .filter((x): x is string => x !== null)
        .sort()
        .pop() ?? null;
    return {
      connector,
      live: connector.startsWith("mllp:"),
      received: (row?.stored ?? 0) + duplicates,
      loaded: row?.loaded ?? 0,
      ignored: row?.ignored ?? 0,
      quarantined: row?.quarantined ?? 0,
      duplicates,
      lastActivityAt,
      lastError: live?.last_error ?? null,
    };
  });
}
