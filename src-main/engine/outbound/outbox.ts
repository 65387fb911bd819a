import { randomUUID } from "node:crypto";
import type { ErpDocumentRequest } from "../../../connectors/erp/erpDocuments";
import type { AdjustmentKind, OutboxAttemptInfo, OutboxItemInfo, OutboxStatus } from "../../../src-shared/api/outbound";
import { appendAudit } from "../audit/auditLog";
import { UserError } from "../handlerRegistry";
import type { Store } from "../store/store";
import { loadOutboundSettings } from "./outboundSettings";

/** What the outbox stores per item: the document exactly as approved, frozen at approval. */
export interface OutboxPayload {
  documentId: string;
  request: ErpDocumentRequest;
}

interface OutboxRow {
  id: number;
  adjustment_id: number;
  idempotency_key: string;
  transport: "http" | "file";
  status: OutboxStatus;
  payload_json: string;
  attempts: number;
  next_attempt_at: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  erp_document_id: string | null;
  last_error_json: string | null;
  created_at: string;
  updated_at: string;
  posted_at: string | null;
}

interface ContentForOutbox {
  kind: AdjustmentKind;
  description: string | null;
  ledger: string | null;
  period: string | null;
  accountingDate: string | null;
  body: Record<string, unknown>;
  lines: {
    account: string;
    costCenter?: string | null;
    departmentCode?: string | null;
    debitCents: number;
    creditCents: number;
    description?: string | null;
  }[];
}

export function erpRequestFor(
  number: string,
  content: ContentForOutbox,
  settings: { journalSource: string; journalCategory: string },
): ErpDocumentRequest {
  if (content.kind === "journal") {
    return {
      kind: "journal",
      body: {
        journalId: number,
        ledger: content.ledger ?? "",
        period: content.period ?? "",
        accountingDate: content.accountingDate ?? "",
        source: settings.journalSource,
        category: settings.journalCategory,
        description: content.description,
        lines: content.lines.map((l) => ({
          account: l.account,
          costCenter: l.costCenter ?? null,
          departmentCode: l.departmentCode ?? null,
          debitCents: l.debitCents,
          creditCents: l.creditCents,
          description: l.description ?? null,
        })),
      },
    };
  }
  const b = content.body;
  if (content.kind === "inventory") {
    return {
      kind: "inventory-adjustment",
      body: {
        item: b.item as string,
        location: b.location as string,
        quantity: b.quantity as number,
        unitCostCents: b.unitCostCents as number | null,
        reason: b.reason as string,
        reference: number,
      },
    };
  }
  return {
    kind: "master-data-fix",
    body: {
      entity: b.entity as string,
      key: b.key as string,
      field: b.field as string,
      oldValue: b.oldValue as string | null,
      newValue: b.newValue as string | null,
    },
  };
}

/**
 * Queues an approved adjustment. Called inside the approval's transaction. The idempotency
 * key is made once here and never changes, through every retry, restart and replay, so the
 * ERP can recognise a repeat of something it already posted.
 */
export function enqueueApproved(store: Store, actor: string, adjustment: { id: number }, content: ContentForOutbox): number {
  const settings = loadOutboundSettings(store);
  const number = `ADJ-${String(adjustment.id).padStart(6, "0")}`;
  const payload: OutboxPayload = { documentId: number, request: erpRequestFor(number, content, settings) };
  const key = `tieout-${number}-${randomUUID()}`;
  const now = new Date().toISOString();
  const result = store.sqlite
    .prepare(
      `INSERT INTO outbox_item (adjustment_id, idempotency_key, transport, status, payload_json, attempts, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, 'queued', ?, 0, ?, ?, ?)`,
    )
    .run(adjustment.id, key, settings.transport, JSON.stringify(payload), now, now, now);
  const itemId = Number(result.lastInsertRowid);
  appendAudit(store, {
    actor,
    action: "queue",
    entityType: "outbox-item",
    entityId: String(itemId),
    after: { adjustmentId: adjustment.id, idempotencyKey: key, transport: settings.transport, status: "queued" },
  });
  return itemId;
}

function itemInfo(store: Store, row: OutboxRow): OutboxItemInfo {
  const adjustment = store.sqlite
    .prepare("SELECT kind, amount_cents, exception_ref FROM adjustment WHERE id = ?")
    .get(row.adjustment_id) as {
    kind: AdjustmentKind;
    amount_cents: number;
    exception_ref: string | null;
  };
  return {
    id: row.id,
    adjustmentId: row.adjustment_id,
    adjustmentNumber: `ADJ-${String(row.adjustment_id).padStart(6, "0")}`,
    kind: adjustment.kind,
    idempotencyKey: row.idempotency_key,
    transport: row.transport,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === "queued" || row.status === "failed" ? row.next_attempt_at : null,
    erpDocumentId: row.erp_document_id,
    lastError: row.last_error_json ? (JSON.parse(row.last_error_json) as OutboxItemInfo["lastError"]) : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    postedAt: row.posted_at,
    amountCents: adjustment.amount_cents,
    exceptionRef: adjustment.exception_ref,
  };
}

function readItem(store: Store, id: number): OutboxRow {
  const row = store.sqlite.prepare("SELECT * FROM outbox_item WHERE id = ?").get(id) as OutboxRow | undefined;
  if (!row) throw new UserError("NOT_FOUND", `there is no outbox item ${id}`);
  return row;
}

export function listOutbox(store: Store, filter: { status?: OutboxStatus; limit?: number } = {}): OutboxItemInfo[] {
  const limit = Math.min(Math.max(Number(filter.limit ?? 200) || 200, 1), 1000);
  const rows = (
    filter.status
      ? store.sqlite.prepare(`SELECT * FROM outbox_item WHERE status = ? ORDER BY id DESC LIMIT ${limit}`).all(filter.status)
      : store.sqlite.prepare(`SELECT * FROM outbox_item ORDER BY id DESC LIMIT ${limit}`).all()
  ) as OutboxRow[];
  return rows.map((r) => itemInfo(store, r));
}

export function getOutboxItem(store: Store, id: number): OutboxItemInfo & { attemptHistory: OutboxAttemptInfo[]; payload: unknown } {
  const row = readItem(store, id);
  const attempts = store.sqlite
    .prepare(
      "SELECT attempt, started_at AS startedAt, finished_at AS finishedAt, outcome, http_status AS httpStatus, message FROM outbox_attempt WHERE item_id = ? ORDER BY attempt",
    )
    .all(id) as OutboxAttemptInfo[];
  return { ...itemInfo(store, row), attemptHistory: attempts, payload: JSON.parse(row.payload_json) as unknown };
}

export const OUTBOX_STATUSES: OutboxStatus[] = ["queued", "sending", "posted", "failed", "dead", "abandoned"];

export function outboxStatus(store: Store): {
  counts: Record<OutboxStatus, number>;
  nextAttemptAt: string | null;
  lastPostedAt: string | null;
} {
  const counts = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as Record<OutboxStatus, number>;
  for (const row of store.sqlite.prepare("SELECT status, COUNT(*) AS n FROM outbox_item GROUP BY status").all() as {
    status: OutboxStatus;
    n: number;
  }[]) {
    counts[row.status] = row.n;
  }
  const next = store.sqlite.prepare("SELECT MIN(next_attempt_at) AS at FROM outbox_item WHERE status IN ('queued', 'failed')").get() as {
    at: string | null;
  };
  const last = store.sqlite.prepare("SELECT MAX(posted_at) AS at FROM outbox_item WHERE status = 'posted'").get() as { at: string | null };
  return { counts, nextAttemptAt: next.at, lastPostedAt: last.at };
}

function requireReason(reason: unknown, what: string): string {
  if (typeof reason !== "string" || reason.trim() === "")
    throw new UserError("REASON_REQUIRED", `${what} needs a reason (what was fixed).`, { where: { field: "reason" } });
  return reason.trim();
}

/**
 * Puts a dead item back in the queue with a fresh retry budget and the same idempotency key:
 * the ERP consumes a key only on success, so a corrected repeat is accepted, and a repeat of
 * something that did post is answered with the original document.
 */
export function replayOutboxItem(store: Store, actor: string, id: number, reason: string): OutboxItemInfo {
  const why = requireReason(reason, "A replay");
  store.sqlite
    .transaction(() => {
      const row = readItem(store, id);
      if (row.status !== "dead") throw new UserError("INVALID_STATE", `outbox item ${id} is ${row.status}; only a dead item is replayed`);
      const now = new Date().toISOString();
      const transport = loadOutboundSettings(store).transport;
      store.sqlite
        .prepare(
          "UPDATE outbox_item SET status = 'queued', attempts_before_replay = attempts, next_attempt_at = ?, transport = ?, updated_at = ? WHERE id = ?",
        )
        .run(now, transport, now, id);
      appendAudit(store, {
        actor,
        action: "replay",
        entityType: "outbox-item",
        entityId: String(id),
        before: { status: "dead", lastError: row.last_error_json ? (JSON.parse(row.last_error_json) as unknown) : null },
        after: { status: "queued", transport },
        reason: why,
      });
    })
    .immediate();
  return itemInfo(store, readItem(store, id));
}

export function abandonOutboxItem(store: Store, actor: string, id: number, reason: string): OutboxItemInfo {
  const why = requireReason(reason, "Abandoning an item");
  store.sqlite
    .transaction(() => {
      const row = readItem(store, id);
      if (row.status !== "dead")
        throw new UserError("INVALID_STATE", `outbox item ${id} is ${row.status}; only a dead item can be abandoned`);
      const now = new Date().toISOString();
      store.sqlite.prepare("UPDATE outbox_item SET status = 'abandoned', next_attempt_at = NULL, updated_at = ? WHERE id = ?").run(now, id);
      appendAudit(store, {
        actor,
        action: "abandon",
        entityType: "outbox-item",
        entityId: String(id),
        before: { status: "dead" },
        after: { status: "abandoned" },
        reason: why,
      });
    })
    .immediate();
  return itemInfo(store, readItem(store, id));
}
