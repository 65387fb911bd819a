import { hash } from "node:crypto";
import type BetterSqlite3 from "better-sqlite3";
import type { CanonicalRecord, ParseIssue, RawUnit } from "../../../src-shared/model";
import { CANONICAL_TABLES, recordColumns, type SqlValue } from "../store/canonicalTables";
import type { RawRecordStatus } from "../store/rawRecord.table";

/** SHA-256, hex. The one-shot `crypto.hash` costs a fraction of a Hash object on a row-sized text. */
export function sha256(text: string | Uint8Array): string {
  return hash("sha256", text, "hex");
}

export interface UnitOutcome {
  status: RawRecordStatus | "duplicate";
  rawRecordId: number | null;
  records: number;
}

export interface LoadContext {
  connector: string;
  sourceFileId: number | null;
  receivedAt: string;
  /** When set, this unit replays a quarantined raw record. */
  replayOf?: number;
}

/**
 * Writes raw units and their canonical records. Each unit is archived verbatim first;
 * its records are loaded only when it carries no error. A unit already archived
 * (same control id for its kind, or same bytes when it has none) is a duplicate and
 * changes nothing. Callers wrap batches of calls in one transaction.
 */
export class UnitLoader {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private readonly findByControl: BetterSqlite3.Statement<[string, string], { id: number }>;
  private readonly findBySha: BetterSqlite3.Statement<[string, string, string], { id: number }>;
  private readonly insertRaw: BetterSqlite3.Statement;
  private readonly insertLineage: BetterSqlite3.Statement;

  constructor(private readonly sqlite: BetterSqlite3.Database) {
    this.findByControl = sqlite.prepare(
      "SELECT id FROM raw_record WHERE kind = ? AND control_id = ? AND status IN ('loaded', 'ignored') LIMIT 1",
    );
    // By the hash's first 16 characters first: that is what the index holds (migration 0006).
    this.findBySha = sqlite.prepare(
      `SELECT id FROM raw_record WHERE substr(sha256, 1, 16) = ? AND sha256 = ? AND kind = ?
         AND status IN ('loaded', 'ignored', 'quarantined') LIMIT 1`,
    );
    this.insertRaw = sqlite.prepare(
      `INSERT INTO raw_record (source_file_id, connector, kind, control_id, content, sha256, line, received_at, status, issues_json, record_count, replay_of)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertLineage = sqlite.prepare("INSERT OR IGNORE INTO lineage (table_name, row_id, raw_record_id) VALUES (?, ?, ?)");
  }

  /** Is this unit already in the archive? Returns the earlier raw record's id. */
  duplicateOf(unit: RawUnit, unitSha: string): number | null {
    if (unit.controlId) {
      const hit = this.findByControl.get(unit.kind, unit.controlId);
      if (hit) return hit.id;
    }
    return this.findBySha.get(unitSha.slice(0, 16), unitSha, unit.kind)?.id ?? null;
  }

  load(unit: RawUnit, context: LoadContext): UnitOutcome {
    const unitSha = sha256(unit.text);
    if (context.replayOf === undefined && this.duplicateOf(unit, unitSha) !== null) {
      return { status: "duplicate", rawRecordId: null, records: 0 };
    }
    const hasError = unit.issues.some((issue) => issue.severity === "error");
    const status: RawRecordStatus = hasError ? "quarantined" : unit.records.length > 0 ? "loaded" : "ignored";
    // Positional parameters: binding by name costs a property lookup per column per row.
    const info = this.insertRaw.run(
      context.sourceFileId,
      context.connector,
      unit.kind,
      unit.controlId,
      unit.text,
      unitSha,
      unit.line,
      context.receivedAt,
      status,
      unit.issues.length === 0 ? "[]" : JSON.stringify(unit.issues),
      hasError ? 0 : unit.records.length,
      context.replayOf ?? null,
    );
    const rawRecordId = Number(info.lastInsertRowid);
    if (!hasError) {
      for (const record of unit.records) this.writeRecord(record, rawRecordId);
    }
    return { status, rawRecordId, records: hasError ? 0 : unit.records.length };
  }

  private statement(key: string, sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(key);
    if (!statement) {
      statement = this.sqlite.prepare(sql);
      this.statements.set(key, statement);
    }
    return statement;
  }

  writeRecord(record: CanonicalRecord, rawRecordId: number): number {
    const info = CANONICAL_TABLES[record.type];
    const { columns, values } = recordColumns(record);
    columns.push("raw_record_id");
    values.push(rawRecordId);
    const signature = `${info.table}|${columns.join(",")}`;
    if (!("upsertKey" in info)) {
      const insert = this.statement(
        "i|" + signature,
        `INSERT INTO ${info.table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
      );
      return Number(insert.run(values).lastInsertRowid);
    }
    // State tables: update the row with the same natural key, or insert it. `IS` so a
    // null key part (a crosswalk with no effective date) still finds its row.
    const keyColumns = info.upsertKey;
    const keyValues: SqlValue[] = keyColumns.map((column) => values[columns.indexOf(column)] ?? null);
    const find = this.statement(
      "f|" + info.table,
      `SELECT id FROM ${info.table} WHERE ${keyColumns.map((c) => `${c} IS ?`).join(" AND ")}`,
    );
    const existing = find.get(keyValues) as { id: number } | undefined;
    let rowId: number;
    if (existing) {
      const update = this.statement("u|" + signature, `UPDATE ${info.table} SET ${columns.map((c) => `${c} = ?`).join(", ")} WHERE id = ?`);
      update.run([...values, existing.id]);
      rowId = existing.id;
    } else {
      const insert = this.statement(
        "i|" + signature,
        `INSERT INTO ${info.table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
      );
      rowId = Number(insert.run(values).lastInsertRowid);
    }
    this.insertLineage.run(info.table, rowId, rawRecordId);
    return rowId;
  }
}

export function hasErrors(issues: readonly ParseIssue[]): boolean {
  return issues.some((issue) => issue.severity === "error");
}
