import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { writeD365GeneralJournal } from "../../../connectors/erp/d365GeneralJournal";
import { ERP_PATHS } from "../../../connectors/erp/erpDocuments";
import { postErpDocument, type ErpHttpOutcome } from "../../../connectors/erp/erpHttpClient";
import { writeFbdiGlInterface } from "../../../connectors/erp/fbdiGlInterface";
import { dropFileAtomically } from "../../../connectors/erp/fileDrop";
import { writeGenericCsv, writeGenericXlsx } from "../../../connectors/erp/genericExport";
import type { DispatchSummary, OutboundSettings, OutboxStatus } from "../../../src-shared/api/outbound";
import { appendAudit } from "../audit/auditLog";
import type { Store } from "../store/store";
import { loadOutboundSettings } from "./outboundSettings";
import type { OutboxPayload } from "./outbox";

export interface OutboxChange {
  id: number;
  adjustmentId: number;
  status: OutboxStatus;
  erpDocumentId: string | null;
}

export interface DispatchOptions {
  /** Identifies this dispatcher in leases; defaults to a fresh id per process. */
  owner?: string;
  /** At most this many items per pass. */
  limit?: number;
  /** How long a claimed item stays ours before another dispatcher may take it over. */
  leaseMs?: number;
  onChange?: (change: OutboxChange) => void;
  /** For tests: the jitter source. */
  random?: () => number;
}

const PROCESS_OWNER = `dispatcher-${process.pid}-${randomUUID().slice(0, 8)}`;

/**
 * Exponential backoff with "equal jitter" (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): half the capped exponential delay is fixed, half is random, so retries from many
 * items spread out but never come sooner than half the backoff.
 */
export function backoffMs(
  attempt: number,
  settings: Pick<OutboundSettings, "baseDelayMs" | "maxDelayMs">,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(exponential / 2 + random() * (exponential / 2));
}

interface ClaimedItem {
  id: number;
  adjustment_id: number;
  idempotency_key: string;
  transport: "http" | "file";
  payload_json: string;
  attempts: number;
  attempts_before_replay: number;
}

/**
 * Takes the next due item under a lease, in one immediate transaction so two dispatchers
 * (the app and `tieout outbox run`) never take the same item. An item left "sending" by a
 * dispatcher that died is due again once its lease runs out; its unfinished attempt is
 * recorded as interrupted. The idempotency key makes the resend safe.
 */
function claimNext(store: Store, owner: string, leaseMs: number): ClaimedItem | null {
  return store.sqlite
    .transaction((): ClaimedItem | null => {
      const now = new Date();
      const nowIso = now.toISOString();
      const row = store.sqlite
        .prepare(
          `SELECT id, adjustment_id, idempotency_key, transport, payload_json, attempts, attempts_before_replay, status FROM outbox_item
           WHERE (status IN ('queued', 'failed') AND next_attempt_at <= ?) OR (status = 'sending' AND lease_until <= ?)
           ORDER BY next_attempt_at, id LIMIT 1`,
        )
        .get(nowIso, nowIso) as (ClaimedItem & { status: OutboxStatus }) | undefined;
      if (!row) return null;
      if (row.status === "sending") {
        store.sqlite
          .prepare(
            "UPDATE outbox_attempt SET finished_at = ?, outcome = 'interrupted', message = 'the dispatcher stopped before an answer was recorded' WHERE item_id = ? AND finished_at IS NULL",
          )
          .run(nowIso, row.id);
      }
      const attempt = row.attempts + 1;
      store.sqlite
        .prepare("UPDATE outbox_item SET status = 'sending', attempts = ?, lease_owner = ?, lease_until = ?, updated_at = ? WHERE id = ?")
        .run(attempt, owner, new Date(now.getTime() + leaseMs).toISOString(), nowIso, row.id);
      store.sqlite.prepare("INSERT INTO outbox_attempt (item_id, attempt, started_at) VALUES (?, ?, ?)").run(row.id, attempt, nowIso);
      appendAudit(store, {
        actor: "system",
        action: "send",
        entityType: "outbox-item",
        entityId: String(row.id),
        before: { status: row.status },
        after: { status: "sending", attempt, dispatcher: owner },
      });
      return { ...row, attempts: attempt };
    })
    .immediate();
}

type Verdict =
  | { outcome: "posted"; documentId: string; httpStatus: number | null; message: string }
  | { outcome: "retry" | "dead"; code: string; message: string; httpStatus: number | null; body: unknown };

const errorBody = (body: unknown): { code: string; message: string } => {
  const b = body as { code?: unknown; message?: unknown } | null;
  return {
    code: typeof b?.code === "string" ? b.code : "ERP_ERROR",
    message: typeof b?.message === "string" ? b.message : typeof body === "string" ? body.slice(0, 500) : JSON.stringify(body),
  };
};

/** What an HTTP outcome means for the item: only a definite business refusal is final. */
export function judgeHttpOutcome(outcome: ErpHttpOutcome): Verdict {
  if (outcome.kind === "no-answer") {
    return {
      outcome: "retry",
      code: outcome.reason === "timeout" ? "TIMEOUT" : "NO_ANSWER",
      message: outcome.message,
      httpStatus: null,
      body: null,
    };
  }
  const { status, body } = outcome;
  if (status >= 200 && status < 300) {
    const documentId = (body as { documentId?: unknown } | null)?.documentId;
    if (typeof documentId === "string" && documentId !== "") {
      return {
        outcome: "posted",
        documentId,
        httpStatus: status,
        message: outcome.replayed ? "already posted (idempotent replay)" : "posted",
      };
    }
    return {
      outcome: "retry",
      code: "NO_DOCUMENT_ID",
      message: "the ERP answered success without a document id",
      httpStatus: status,
      body,
    };
  }
  const error = errorBody(body);
  // 409 "still in progress" is transient; 408/425/429 and 5xx are the server's way of saying "later".
  if (status === 409 && error.code === "IDEMPOTENCY_IN_PROGRESS") return { outcome: "retry", ...error, httpStatus: status, body };
  if (status === 408 || status === 425 || status === 429 || status >= 500) return { outcome: "retry", ...error, httpStatus: status, body };
  return { outcome: "dead", ...error, httpStatus: status, body };
}

function fileNameFor(
  item: ClaimedItem,
  payload: OutboxPayload,
  settings: OutboundSettings,
): { name: string; content: string | Uint8Array } {
  const documents = [{ documentId: payload.documentId, request: payload.request }];
  const base = item.idempotency_key;
  if (payload.request.kind === "journal" && settings.fileFormat === "fbdi") {
    const content = writeFbdiGlInterface([payload.request.body], {
      ledgerId: settings.ledgerId,
      currency: settings.currency,
      groupId: item.id,
      createdDate: new Date().toISOString().slice(0, 10),
    });
    return { name: `GlInterface_${base}.csv`, content };
  }
  if (payload.request.kind === "journal" && settings.fileFormat === "d365") {
    return {
      name: `GeneralJournal_${base}.csv`,
      content: writeD365GeneralJournal([payload.request.body], { journalName: "GenJrn", currency: settings.currency }),
    };
  }
  // FBDI GL_INTERFACE and the D365 general journal carry journals only; other documents go as generic files.
  if (settings.fileFormat === "xlsx") return { name: `${base}.xlsx`, content: writeGenericXlsx(documents) };
  return { name: `${base}.csv`, content: writeGenericCsv(documents) };
}

async function deliver(item: ClaimedItem, settings: OutboundSettings): Promise<Verdict> {
  const payload = JSON.parse(item.payload_json) as OutboxPayload;
  if (item.transport === "file") {
    if (!settings.fileFolder) {
      return {
        outcome: "dead",
        code: "NO_FOLDER",
        message: "no file-drop folder is configured (Outbox settings)",
        httpStatus: null,
        body: null,
      };
    }
    try {
      mkdirSync(settings.fileFolder, { recursive: true });
      const file = fileNameFor(item, payload, settings);
      const result = dropFileAtomically(settings.fileFolder, file.name, file.content);
      return {
        outcome: "posted",
        documentId: file.name,
        httpStatus: null,
        message: result.written ? `written to ${result.path}` : `already in ${result.path}`,
      };
    } catch (error) {
      return { outcome: "retry", code: "FILE_DROP_FAILED", message: (error as Error).message, httpStatus: null, body: null };
    }
  }
  if (!settings.erpUrl) {
    return {
      outcome: "retry",
      code: "NO_ERP_URL",
      message: "no ERP address is configured (Outbox settings); the item waits",
      httpStatus: null,
      body: null,
    };
  }
  const outcome = await postErpDocument(settings.erpUrl, ERP_PATHS[payload.request.kind], payload.request.body, {
    idempotencyKey: item.idempotency_key,
    timeoutMs: settings.requestTimeoutMs,
  });
  return judgeHttpOutcome(outcome);
}

function record(
  store: Store,
  item: ClaimedItem,
  owner: string,
  verdict: Verdict,
  settings: OutboundSettings,
  random: () => number,
): OutboxChange | null {
  return store.sqlite
    .transaction((): OutboxChange | null => {
      const now = new Date();
      const nowIso = now.toISOString();
      const current = store.sqlite.prepare("SELECT status, lease_owner FROM outbox_item WHERE id = ?").get(item.id) as {
        status: OutboxStatus;
        lease_owner: string | null;
      };
      store.sqlite
        .prepare(
          "UPDATE outbox_attempt SET finished_at = ?, outcome = ?, http_status = ?, message = ? WHERE item_id = ? AND attempt = ? AND finished_at IS NULL",
        )
        .run(nowIso, verdict.outcome, verdict.httpStatus, verdict.message, item.id, item.attempts);
      if (verdict.outcome === "posted") {
        // The ERP's word is final even if our lease ran out meanwhile: never post twice, never lose a post.
        if (current.status === "posted") return null;
        store.sqlite
          .prepare(
            "UPDATE outbox_item SET status = 'posted', erp_document_id = ?, posted_at = ?, updated_at = ?, lease_owner = NULL, lease_until = NULL, next_attempt_at = NULL, last_error_json = NULL WHERE id = ?",
          )
          .run(verdict.documentId, nowIso, nowIso, item.id);
        appendAudit(store, {
          actor: "system",
          action: "post",
          entityType: "outbox-item",
          entityId: String(item.id),
          before: { status: current.status },
          after: { status: "posted", erpDocumentId: verdict.documentId, attempt: item.attempts, note: verdict.message },
        });
        return { id: item.id, adjustmentId: item.adjustment_id, status: "posted", erpDocumentId: verdict.documentId };
      }
      // Another dispatcher took the item over after our lease ran out: its attempt decides.
      if (current.status !== "sending" || current.lease_owner !== owner) return null;
      const lastError = { code: verdict.code, message: verdict.message, httpStatus: verdict.httpStatus, body: verdict.body };
      const dead = verdict.outcome === "dead" || item.attempts - item.attempts_before_replay >= settings.maxAttempts;
      const next = dead
        ? null
        : new Date(now.getTime() + backoffMs(item.attempts - item.attempts_before_replay, settings, random)).toISOString();
      store.sqlite
        .prepare(
          "UPDATE outbox_item SET status = ?, next_attempt_at = ?, last_error_json = ?, updated_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?",
        )
        .run(dead ? "dead" : "failed", next, JSON.stringify(lastError), nowIso, item.id);
      appendAudit(store, {
        actor: "system",
        action: dead ? "dead-letter" : "fail",
        entityType: "outbox-item",
        entityId: String(item.id),
        before: { status: "sending" },
        after: {
          status: dead ? "dead" : "failed",
          attempt: item.attempts,
          nextAttemptAt: next,
          error: lastError,
          ...(dead && verdict.outcome === "retry" ? { gaveUpAfter: item.attempts } : {}),
        },
      });
      return { id: item.id, adjustmentId: item.adjustment_id, status: dead ? "dead" : "failed", erpDocumentId: null };
    })
    .immediate();
}

/** Sends every item due now, one at a time, at most `limit`. One bounded pass. */
export async function dispatchDue(store: Store, options: DispatchOptions = {}): Promise<DispatchSummary> {
  const owner = options.owner ?? PROCESS_OWNER;
  const limit = options.limit ?? 100;
  const random = options.random ?? Math.random;
  const summary: DispatchSummary = { attempted: 0, posted: 0, retrying: 0, dead: 0 };
  for (let i = 0; i < limit; i++) {
    const settings = loadOutboundSettings(store);
    const leaseMs = options.leaseMs ?? settings.requestTimeoutMs + 5_000;
    const item = claimNext(store, owner, leaseMs);
    if (!item) break;
    summary.attempted++;
    options.onChange?.({ id: item.id, adjustmentId: item.adjustment_id, status: "sending", erpDocumentId: null });
    const verdict = await deliver(item, settings);
    const change = record(store, item, owner, verdict, settings, random);
    if (verdict.outcome === "posted") summary.posted++;
    else if (change?.status === "dead") summary.dead++;
    else summary.retrying++;
    if (change) options.onChange?.(change);
  }
  return summary;
}

/** Items not yet finished: queued, sending, or failed and waiting for a retry. */
export function pendingCount(store: Store): number {
  return (
    store.sqlite.prepare("SELECT COUNT(*) AS n FROM outbox_item WHERE status IN ('queued', 'sending', 'failed')").get() as { n: number }
  ).n;
}

/** When the next item falls due (a retry time or an expiring lease), or null when none waits. */
export function nextDueAt(store: Store): number | null {
  const row = store.sqlite
    .prepare(
      `SELECT MIN(t) AS at FROM (
         SELECT next_attempt_at AS t FROM outbox_item WHERE status IN ('queued', 'failed')
         UNION ALL SELECT lease_until FROM outbox_item WHERE status = 'sending')`,
    )
    .get() as { at: string | null };
  return row.at ? Date.parse(row.at) : null;
}

export interface RunDispatcherOptions extends DispatchOptions {
  /** Stop once nothing is pending (everything posted, dead or abandoned). */
  untilIdle?: boolean;
  /** Stop after this long whatever remains. */
  maxRunMs?: number;
  /** Longest sleep between passes. */
  pollMs?: number;
  signal?: AbortSignal;
}

/** The dispatcher loop: a pass, then sleep until the next item is due (bounded by pollMs), until stopped. */
export async function runDispatcher(store: Store, options: RunDispatcherOptions = {}): Promise<DispatchSummary & { pending: number }> {
  const started = Date.now();
  const total: DispatchSummary = { attempted: 0, posted: 0, retrying: 0, dead: 0 };
  const pollMs = options.pollMs ?? 1_000;
  while (!options.signal?.aborted) {
    const pass = await dispatchDue(store, options);
    total.attempted += pass.attempted;
    total.posted += pass.posted;
    total.retrying += pass.retrying;
    total.dead += pass.dead;
    if (options.untilIdle && pendingCount(store) === 0) break;
    if (options.maxRunMs !== undefined && Date.now() - started >= options.maxRunMs) break;
    const due = nextDueAt(store);
    const wait = Math.max(10, Math.min(pollMs, due === null ? pollMs : due - Date.now()));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      options.signal?.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
  return { ...total, pending: pendingCount(store) };
}
