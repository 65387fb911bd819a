import { createHash } from "node:crypto";
import type { Store } from "../store/store";

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
export function entryHash(e: {
  seq: number;
  at: string;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  before_json: string | null;
  after_json: string | null;
  reason: string | null;
  prev_hash: string;
}): string {
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
  const rows = store.sqlite.prepare("SELECT * FROM audit_log ORDER BY seq").iterate() as IterableIterator<{
    seq: number;
    at: string;
    actor: string;
    action: string;
    entity_type: string;
    entity_id: string;
    before_json: string | null;
    after_json: string | null;
    reason: string | null;
    prev_hash: string;
    hash: string;
  }>;
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
