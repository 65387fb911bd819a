import { createHash } from "node:crypto";
import type { AuditEntryInfo, AuditFilter } from "../../../src-shared/api/audit";
import type { Selectable } from "kysely";
import type { AuditLogTable } from "../store/auditLog.table";
import { escapeLike, type Store } from "../store/store";

export interface AuditEntryInput {
  /** Who: a user id, or `cli:<os user>`, or `system`. */
  actor: string;
  /** What, as a verb phrase in the domain's words: "import", "match", "approve", "sign-off", ... */
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

export interface AuditEntry extends Required<Omit<AuditEntryInput, "before" | "after" | "reason">> {
  seq: number;
  at: string;
  before: unknown;
  after: unknown;
  reason: string | null;
  prevHash: string;
  hash: string;
}

const GENESIS = "0".repeat(64);

/** The hash covers every field of the entry and the previous entry's hash, in a fixed order. */
export function entryHash(e: Omit<AuditRow, "hash">): string {
  const canonical = JSON.stringify([
    e.seq,
    e.at,
    e.actor,
    e.action,
    e.entity_type,
    e.entity_id,
    e.before_json,
    e.after_json,
    e.reason,
    e.prev_hash,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * Appends one entry to the hash-chained audit log. Call it inside the same transaction
 * as the change it records, so a change without its audit entry cannot be committed.
 */
export function appendAudit(store: Store, input: AuditEntryInput): number {
  // Reading the last hash and inserting the next entry must be one write transaction:
  // the engine and a job's worker hold separate connections, and two appends that both
  // read entry n would both try to write entry n + 1 (one fails, or the chain forks).
  if (store.sqlite.inTransaction) return appendInOpenTransaction(store, input);
  return store.sqlite.transaction(() => appendInOpenTransaction(store, input)).immediate();
}

function appendInOpenTransaction(store: Store, input: AuditEntryInput): number {
  const last = store.sqlite.prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").get() as
    { seq: number; hash: string } | undefined;
  const row = {
    seq: (last?.seq ?? 0) + 1,
    at: new Date().toISOString(),
    actor: input.actor,
    action: input.action,
    entity_type: input.entityType,
    entity_id: input.entityId,
    before_json: input.before === undefined ? null : JSON.stringify(input.before),
    after_json: input.after === undefined ? null : JSON.stringify(input.after),
    reason: input.reason ?? null,
    prev_hash: last?.hash ?? GENESIS,
  };
  const hash = entryHash(row);
  store.sqlite
    .prepare(
      `INSERT INTO audit_log (seq, at, actor, action, entity_type, entity_id, before_json, after_json, reason, prev_hash, hash)
       VALUES (@seq, @at, @actor, @action, @entity_type, @entity_id, @before_json, @after_json, @reason, @prev_hash, @hash)`,
    )
    .run({ ...row, hash });
  return row.seq;
}

export type AuditVerification =
  { ok: true; entries: number; lastHash: string } | { ok: false; entries: number; firstBadSeq: number; problem: string };

/**
 * Recomputes the chain from the first entry. Names the first entry that was altered
 * (its hash no longer matches its content), removed (a gap in the sequence, or a
 * previous-hash that does not match), or re-ordered.
 */
export function verifyAuditChain(store: Store): AuditVerification {
  let expectedPrev = GENESIS;
  let expectedSeq = 1;
  let entries = 0;
  const rows = store.sqlite.prepare("SELECT * FROM audit_log ORDER BY seq").iterate() as IterableIterator<AuditRow>;
  for (const row of rows) {
    entries++;
    if (row.seq !== expectedSeq) {
      return { ok: false, entries, firstBadSeq: expectedSeq, problem: `entry ${expectedSeq} is missing (the next entry is ${row.seq})` };
    }
    if (row.prev_hash !== expectedPrev) {
      return {
        ok: false,
        entries,
        firstBadSeq: row.seq,
        problem: `entry ${row.seq} does not follow entry ${row.seq - 1}: an entry before it was altered or removed`,
      };
    }
    if (entryHash(row) !== row.hash) {
      return {
        ok: false,
        entries,
        firstBadSeq: row.seq,
        problem: `entry ${row.seq} (${row.action} ${row.entity_type} ${row.entity_id}) was altered after it was written`,
      };
    }
    expectedPrev = row.hash;
    expectedSeq++;
  }
  return { ok: true, entries, lastHash: expectedPrev };
}

export type AuditRow = Selectable<AuditLogTable>;

export function auditEntryInfo(row: AuditRow): AuditEntryInfo {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    before: row.before_json === null ? null : (JSON.parse(row.before_json) as unknown),
    after: row.after_json === null ? null : (JSON.parse(row.after_json) as unknown),
    reason: row.reason,
    hash: row.hash,
  };
}

/** A bare date as an upper bound means the whole of that day. */
function upperBound(to: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(to) ? `${to}T23:59:59.999Z` : to;
}

function whereClause(filter: AuditFilter): { sql: string; params: string[] } {
  const clauses: string[] = [];
  const params: string[] = [];
  if (filter.actor) {
    clauses.push("actor = ?");
    params.push(filter.actor);
  }
  if (filter.action) {
    clauses.push("action = ?");
    params.push(filter.action);
  }
  if (filter.entityType) {
    clauses.push("entity_type = ?");
    params.push(filter.entityType);
  }
  if (filter.entityId) {
    if (filter.entityId.endsWith("*")) {
      clauses.push("entity_id LIKE ? ESCAPE '\\'");
      params.push(`${escapeLike(filter.entityId.slice(0, -1))}%`);
    } else {
      clauses.push("entity_id = ?");
      params.push(filter.entityId);
    }
  }
  if (filter.from) {
    clauses.push("at >= ?");
    params.push(filter.from);
  }
  if (filter.to) {
    clauses.push("at <= ?");
    params.push(upperBound(filter.to));
  }
  if (filter.search) {
    const like = `%${escapeLike(filter.search)}%`;
    clauses.push(
      "(action LIKE ? ESCAPE '\\' OR entity_type LIKE ? ESCAPE '\\' OR entity_id LIKE ? ESCAPE '\\' OR actor LIKE ? ESCAPE '\\' OR reason LIKE ? ESCAPE '\\')",
    );
    params.push(like, like, like, like, like);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

/** One page of the audit log, newest first, with the distinct actors and actions for filter pickers. */
export function listAudit(
  store: Store,
  filter: AuditFilter,
  offset = 0,
  limit = 100,
): { entries: AuditEntryInfo[]; total: number; offset: number; actors: string[]; actions: string[] } {
  const where = whereClause(filter);
  const safeLimit = Math.max(1, Math.min(1000, Math.trunc(limit)));
  const safeOffset = Math.max(0, Math.trunc(offset));
  const rows = store.sqlite
    .prepare(`SELECT * FROM audit_log ${where.sql} ORDER BY seq DESC LIMIT ? OFFSET ?`)
    .all(...where.params, safeLimit, safeOffset) as AuditRow[];
  const total = (store.sqlite.prepare(`SELECT COUNT(*) AS n FROM audit_log ${where.sql}`).get(...where.params) as { n: number }).n;
  const actors = (store.sqlite.prepare("SELECT DISTINCT actor FROM audit_log ORDER BY actor").all() as { actor: string }[]).map(
    (r) => r.actor,
  );
  const actions = (store.sqlite.prepare("SELECT DISTINCT action FROM audit_log ORDER BY action").all() as { action: string }[]).map(
    (r) => r.action,
  );
  return { entries: rows.map(auditEntryInfo), total, offset: safeOffset, actors, actions };
}

/**
 * Entries about one reconciliation and period, oldest first, streamed: entity ids equal to
 * the reconciliation's id, or starting with `<reconId>/<period>` (the convention for sign-offs,
 * exports, runs, exceptions and adjustments of that period), plus any extra entity keys given.
 */
export function* auditEntriesFor(
  store: Store,
  reconId: string,
  period: string,
  extra: { entityType: string; entityId: string }[] = [],
): Generator<AuditEntryInfo> {
  const extraSql = extra.map(() => " OR (entity_type = ? AND entity_id = ?)").join("");
  const statement = store.sqlite.prepare(
    `SELECT * FROM audit_log WHERE entity_id = ? OR entity_id LIKE ? ESCAPE '\\'${extraSql} ORDER BY seq`,
  );
  const params = [reconId, `${escapeLike(`${reconId}/${period}`)}%`, ...extra.flatMap((e) => [e.entityType, e.entityId])];
  for (const row of statement.iterate(...params) as IterableIterator<AuditRow>) yield auditEntryInfo(row);
}

/**
 * The entry to append when a setting changes (for the settings capability):
 * `appendAudit(store, settingChangeEntry(actor, key, before, after))` in the same transaction.
 */
export function settingChangeEntry(actor: string, key: string, before: unknown, after: unknown, reason?: string): AuditEntryInput {
  return { actor, action: "change setting", entityType: "setting", entityId: key, before, after, reason: reason ?? null };
}
