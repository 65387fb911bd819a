import { escapeLike, type Store } from "../store/store";
import { lastDayOf } from "../../../src-shared/period";
import { UNCLASSIFIED, type AuditEntryInfo } from "../../../src-shared/api/audit";
import type { ReconTemplate } from "../../../src-shared/reconRules";
import { splitAtBreak } from "../recon/classify";
import { lastRunInputFiles } from "../recon/inputs";
import type { ReconRuleSetTable } from "../store/recon.table";
import { appendAudit, auditEntriesFor, auditEntryInfo, type AuditRow } from "../audit/auditLog";
import {
  totalsByReason,
  type AdjustmentLine,
  type InputFile,
  type MatchedItem,
  type ReasonTotal,
  type ReconcilingItem,
  type RulesUsed,
} from "./workpaperData";

/** The figures of one reconciliation run for a period, as the engine (issue 8) computed them. */
export interface ReconRunSummary {
  reconId: string;
  reconciliationName: string;
  entity: string;
  period: string;
  ruleSetVersion: string | null;
  /** The rules the run used, when the store holds them. */
  rules?: RulesUsed | null;
  runId: string | null;
  runAt: string | null;
  leftLabel: string;
  rightLabel: string;
  leftBalanceCents: number;
  rightBalanceCents: number;
  matchedCount: number;
  reconcilingByReason: ReasonTotal[];
  inputFiles: InputFile[];
}

/** What the round trip may change on an exception. */
export interface ExceptionEdit {
  explanation?: string;
  owner?: string;
}

/** Where the change came from, for the audit trail. */
export interface ExceptionEditProvenance {
  via: "workbook";
  exportId: string;
  fileName: string;
  sha256: string;
  row: number;
}

/**
 * What audit and workpapers read from the reconciliation engine. Plain data in, plain data
 * out; the store-backed implementation lives with the recon tables (issue 8).
 */
export interface ReconSource {
  /** The latest run of the reconciliation for the period, or null when there is none. */
  summary(reconId: string, period: string): ReconRunSummary | null;
  reconcilingItems(reconId: string, period: string): Iterable<ReconcilingItem>;
  matchedItems(reconId: string, period: string): Iterable<MatchedItem>;
  adjustments(reconId: string, period: string): AdjustmentLine[];
  /**
   * The audit entries about this reconciliation and period, oldest first: its own entries, its
   * sign-offs and exports, and the entries of its match groups, exceptions and input files.
   */
  auditExtract(reconId: string, period: string): Iterable<AuditEntryInfo>;
  /** Open exceptions, with their current explanation and owner. */
  openExceptions(reconId: string, period: string): Iterable<ReconcilingItem>;
  /** The current explanation and owner of one exception, or null when it does not exist. */
  exception(exceptionId: string): { reconId: string; period: string; explanation: string | null; owner: string | null } | null;
  /**
   * Change an exception's explanation and owner. Must append the audit entry (with the
   * provenance) in the same transaction as the change.
   */
  updateException(exceptionId: string, edit: ExceptionEdit, actor: string, provenance: ExceptionEditProvenance): void;
}

export class ReconSourceUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReconSourceUnavailable";
  }
}

const hasTable = (store: Store, name: string) =>
  !!store.sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name);

interface ItemRow {
  id: number;
  side: "left" | "right";
  row_key: string;
  source_table: string | null;
  amount_cents: number | null;
  row_date: string | null;
  fields_json: string;
  group_id: number | null;
  status: string;
  reason: string | null;
  explained_by: string | null;
  explained_note: string | null;
  group_kind: string | null;
  pass_id: string | null;
}

/** Field names that carry a patient identifier in a recon row's fields (masked in exports). */
const PATIENT_FIELDS = ["mrn", "patient_id", "patient_account", "account_number", "patient_control_number", "visit_number"];

function patientIdOf(fields: Record<string, unknown>): string | null {
  for (const name of PATIENT_FIELDS) {
    const value = fields[name];
    if (typeof value === "string" && value !== "") return value;
  }
  return null;
}

/** Days from a row's date to the period's last day (ageing at period end). */
function ageAtPeriodEnd(period: string, date: string | null): number {
  if (!date) return 0;
  const end = Date.parse(`${lastDayOf(period)}T00:00:00Z`);
  const at = Date.parse(`${date.slice(0, 10)}T00:00:00Z`);
  return Number.isFinite(at) ? Math.max(0, Math.round((end - at) / 86_400_000)) : 0;
}

const CONFIRMED = "g.kind IN ('auto', 'manual')";
const STATUS_REASON: Record<string, string> = {
  unmatched: UNCLASSIFIED,
  suggested: "Suggested match, not confirmed",
  expected: "Expected (no partner for a legitimate reason)",
  explained: "Explained",
  exception: "Exception",
};

/**
 * Reads a reconciliation from the recon tables (migration 0003; reconId is the template id)
 * and adjustments from the outbound tables (0004). The reconciling items are every row not in
 * a confirmed match group, signed so that left + items = right (a left row without a partner
 * counts negative, a right row positive), plus the variance inside confirmed groups
 * (right − left), so the workpaper ties by construction to the stored rows.
 *
 * Scans over a whole reconciliation name their index (recon_item_side: id order, which is
 * table order; recon_item_status: id order within a status). The planner would otherwise take
 * recon_item_amount and read the table in amount order: the sign-off figures of a
 * million-encounter charge reconciliation took 91 s that way.
 */
export function reconSourceFor(store: Store): ReconSource {
  const ready = hasTable(store, "recon_item") && hasTable(store, "reconciliation");
  const reconciliationOf = (reconId: string, period: string) =>
    ready
      ? (store.sqlite.prepare("SELECT id, last_run_id FROM reconciliation WHERE template_id = ? AND period = ?").get(reconId, period) as
          { id: number; last_run_id: number | null } | undefined)
      : undefined;

  function* unmatchedItems(reconciliationId: number, period: string): Generator<ReconcilingItem> {
    // Every row but the matched rows of confirmed groups. A row is 'matched' only with its group
    // (see matchedCount), so these are the rows not 'matched', found by the status index, and any
    // 'matched' row of a suggested group: a few thousand rows of a million-row reconciliation
    // read, not the whole of it (the sign-off figures at a million encounters: 18 s before).
    const rows = store.sqlite
      .prepare(
        `SELECT * FROM (
           SELECT i.*, g.kind AS group_kind, g.pass_id FROM recon_item i INDEXED BY recon_item_status LEFT JOIN match_group g ON g.id = i.group_id
           WHERE i.reconciliation_id = @recon AND i.status <> 'matched'
           UNION ALL
           SELECT i.*, g.kind AS group_kind, g.pass_id FROM match_group g JOIN recon_item i ON i.group_id = g.id
           WHERE g.reconciliation_id = @recon AND g.kind = 'suggested' AND i.status = 'matched'
         ) ORDER BY side, id`,
      )
      .iterate({ recon: reconciliationId }) as IterableIterator<ItemRow>;
    for (const row of rows) {
      const fields = JSON.parse(row.fields_json) as Record<string, unknown>;
      const amount = row.amount_cents ?? 0;
      yield {
        exceptionId: `${row.side}:${row.row_key}`,
        reason: row.reason ?? STATUS_REASON[row.status] ?? row.status,
        side: row.side,
        key: row.row_key,
        patientId: patientIdOf(fields),
        date: row.row_date,
        ageDays: ageAtPeriodEnd(period, row.row_date),
        description: `${row.source_table ?? ""} ${row.status}`.trim(),
        amountCents: row.side === "left" ? -amount : amount,
        status: row.status,
        owner: row.explained_by,
        explanation: row.explained_note,
      };
    }
    const variances = store.sqlite
      .prepare(
        // Variance from the matched rows themselves (not the group's stored totals), so every row is
        // counted exactly once: either in a confirmed group's variance or as an item above. Summed in
        // one pass over the rows in table order, then joined to the few groups that do not net to
        // zero: at a million encounters 4-6 s, where a lookup of every group's rows took 13-15 s.
        `SELECT g.id, g.pass_id, g.kind, g.created_at, g.explanation,
                (SELECT e.reason FROM recon_exception e WHERE e.group_id = g.id AND e.status <> 'cleared' ORDER BY e.id LIMIT 1) AS exception_reason,
                (SELECT e.amount_cents FROM recon_exception e WHERE e.group_id = g.id AND e.status <> 'cleared' ORDER BY e.id LIMIT 1) AS exception_cents,
                (SELECT e.item_date FROM recon_exception e WHERE e.group_id = g.id AND e.status <> 'cleared' ORDER BY e.id LIMIT 1) AS exception_date,
                v.variance
         FROM (SELECT group_id, SUM(CASE WHEN side = 'right' THEN COALESCE(amount_cents, 0) ELSE -COALESCE(amount_cents, 0) END) AS variance
               FROM recon_item INDEXED BY recon_item_side
               WHERE reconciliation_id = @recon AND status = 'matched' AND group_id IS NOT NULL
               GROUP BY group_id HAVING variance <> 0) v
         JOIN match_group g ON g.id = v.group_id
         WHERE g.reconciliation_id = @recon AND ${CONFIRMED}
         ORDER BY g.id`,
      )
      .iterate({ recon: reconciliationId }) as IterableIterator<{
      id: number;
      pass_id: string | null;
      kind: string;
      created_at: string;
      explanation: string;
      exception_reason: string | null;
      exception_cents: number | null;
      exception_date: string | null;
      variance: number;
    }>;
    for (const g of variances) {
      const item = (exceptionId: string, reason: string, amountCents: number): ReconcilingItem => ({
        exceptionId,
        reason,
        side: "both",
        key: `MG-${g.id}`,
        patientId: null,
        date: (g.exception_date ?? g.created_at).slice(0, 10),
        ageDays: g.exception_date ? ageAtPeriodEnd(period, g.exception_date) : 0,
        description: g.explanation,
        amountCents,
        status: g.kind,
        owner: null,
        explanation: null,
      });
      // The recon engine's balance names a matched group's variance by its exception, else by its pass,
      // and splits it as the balance does: the break's own amount, and the rest as the match's variance.
      const byPass = `matched: ${g.pass_id ?? g.kind}`;
      if (!g.exception_reason) {
        yield item(`group:${g.id}`, byPass, g.variance);
        continue;
      }
      const split = splitAtBreak(-g.variance, g.exception_cents);
      yield item(`group:${g.id}`, g.exception_reason, -split.atBreak);
      if (split.variance !== 0) yield item(`group:${g.id}:variance`, byPass, -split.variance);
    }
  }

  function adjustmentLines(reconId: string, period: string): AdjustmentLine[] {
    if (!hasTable(store, "adjustment") || !hasTable(store, "adjustment_line")) return [];
    const posted = hasTable(store, "outbox_item");
    const rows = store.sqlite
      .prepare(
        `SELECT a.id, a.kind, a.status, a.description AS adj_description, a.prepared_by, a.approved_at,
                l.account, l.cost_center, l.description, l.debit_cents, l.credit_cents,
                ${posted ? "o.posted_at" : "NULL AS posted_at"},
                (SELECT approver FROM adjustment_approval p WHERE p.adjustment_id = a.id AND p.decision = 'approve' ORDER BY p.id DESC LIMIT 1) AS approver
         FROM adjustment a JOIN adjustment_line l ON l.adjustment_id = a.id
         ${posted ? "LEFT JOIN outbox_item o ON o.adjustment_id = a.id AND o.status = 'posted'" : ""}
         WHERE a.recon_ref IN (?, ?) ORDER BY a.id, l.line_number`,
      )
      .all(reconId, `${reconId}/${period}`) as {
      id: number;
      kind: string;
      status: string;
      adj_description: string | null;
      prepared_by: string;
      account: string;
      cost_center: string | null;
      description: string | null;
      debit_cents: number;
      credit_cents: number;
      posted_at: string | null;
      approver: string | null;
    }[];
    return rows.map((r) => ({
      adjustmentId: `ADJ-${r.id}`,
      status: r.posted_at ? "posted" : r.status === "approved" ? "approved" : r.status === "rejected" ? "rejected" : "proposed",
      kind: r.kind,
      account: r.account,
      costCenter: r.cost_center,
      description: r.description ?? r.adj_description ?? "",
      debitCents: r.debit_cents,
      creditCents: r.credit_cents,
      preparedBy: r.prepared_by,
      approvedBy: r.approver,
      postedAt: r.posted_at,
    }));
  }

  return {
    summary(reconId, period) {
      const recon = reconciliationOf(reconId, period);
      if (!recon || recon.last_run_id === null) return null;
      const run = store.sqlite.prepare("SELECT * FROM recon_run WHERE id = ?").get(recon.last_run_id) as
        { id: number; rule_version: number; rule_hash: string; finished_at: string; input_hash: string } | undefined;
      // The rules the last run used: its hash names them (a version number may repeat across origins).
      const definition = store.sqlite
        .prepare(
          `SELECT * FROM recon_rule_set WHERE template_id = ?
           ORDER BY definition_hash = ? DESC, version = ? DESC, version DESC LIMIT 1`,
        )
        .get(reconId, run?.rule_hash ?? "", run?.rule_version ?? -1) as ReconRuleSetTable | undefined;
      const exact = definition && run && definition.definition_hash === run.rule_hash ? definition : null;
      const template: Partial<ReconTemplate> = definition ? (JSON.parse(definition.definition_json) as ReconTemplate) : {};
      const totals = store.sqlite
        .prepare(
          `SELECT COALESCE(SUM(CASE WHEN side = 'left' THEN amount_cents END), 0) AS l,
                  COALESCE(SUM(CASE WHEN side = 'right' THEN amount_cents END), 0) AS r
           FROM recon_item WHERE reconciliation_id = ?`,
        )
        .get(recon.id) as { l: number; r: number };
      // Matched rows of confirmed groups: every matched row minus those of suggested groups. A row
      // is 'matched' only with its group (each path that sets the status sets the group, and each
      // that deletes a group restates its rows), so this is the join of every matched row to its
      // group without reading a million rows for their group id (17 s → under 1 s at a million
      // encounters, where the index alone counts the matched rows).
      const count = (sql: string) => (store.sqlite.prepare(sql).get(recon.id) as { n: number }).n;
      const matchedCount =
        count("SELECT COUNT(*) AS n FROM recon_item INDEXED BY recon_item_status WHERE reconciliation_id = ? AND status = 'matched'") -
        count(
          `SELECT COUNT(*) AS n FROM match_group g JOIN recon_item i ON i.group_id = g.id
           WHERE g.reconciliation_id = ? AND g.kind = 'suggested' AND i.status = 'matched'`,
        );
      const entity = store.sqlite.prepare("SELECT value_json FROM setting WHERE key = 'entity'").get() as
        { value_json: string } | undefined;
      return {
        reconId,
        reconciliationName: template.name ?? reconId,
        entity: entity ? String(JSON.parse(entity.value_json)) : "(entity not set: Settings › entity)",
        period,
        ruleSetVersion: run ? `${reconId} v${run.rule_version} (${run.rule_hash.slice(0, 12)})` : null,
        rules: exact
          ? {
              version: exact.version,
              origin: exact.origin,
              hash: exact.definition_hash,
              savedBy: exact.created_by,
              note: exact.note,
              // The row the run used is the one read above: its definition is parsed already.
              definition: template as ReconTemplate,
            }
          : null,
        runId: run ? String(run.id) : null,
        runAt: run?.finished_at ?? null,
        leftLabel: template.left?.label ?? "Left",
        rightLabel: template.right?.label ?? "Right",
        leftBalanceCents: totals.l,
        rightBalanceCents: totals.r,
        matchedCount,
        reconcilingByReason: totalsByReason(unmatchedItems(recon.id, period)),
        inputFiles: lastRunInputFiles(store, recon.id),
      };
    },
    reconcilingItems(reconId, period) {
      const recon = reconciliationOf(reconId, period);
      return recon ? unmatchedItems(recon.id, period) : [];
    },
    *matchedItems(reconId, period) {
      const recon = reconciliationOf(reconId, period);
      if (!recon) return;
      const rows = store.sqlite
        .prepare(
          `SELECT i.*, g.kind AS group_kind, g.pass_id FROM recon_item i JOIN match_group g ON g.id = i.group_id
           WHERE i.reconciliation_id = ? AND ${CONFIRMED} AND i.status = 'matched' ORDER BY i.group_id, i.side, i.id`,
        )
        .iterate(recon.id) as IterableIterator<ItemRow>;
      for (const row of rows) {
        yield {
          matchGroupId: `MG-${row.group_id}`,
          rule: row.pass_id ?? row.group_kind ?? "",
          side: row.side,
          recordType: row.source_table ?? "",
          key: row.row_key,
          patientId: patientIdOf(JSON.parse(row.fields_json) as Record<string, unknown>),
          date: row.row_date,
          description: row.reason ?? "",
          amountCents: row.amount_cents ?? 0,
        };
      }
    },
    adjustments: adjustmentLines,
    *auditExtract(reconId, period) {
      const recon = reconciliationOf(reconId, period);
      if (!recon) {
        yield* auditEntriesFor(store, reconId, period);
        return;
      }
      const files = lastRunInputFiles(store, recon.id).map((f) => f.sha256);
      // The recon capability audits match groups and exceptions by their numeric id.
      const rows = store.sqlite
        .prepare(
          `SELECT * FROM audit_log WHERE entity_id = @reconId OR entity_id LIKE @prefix ESCAPE '\\'
             OR (entity_type IN ('match-group', 'match_group') AND entity_id IN (SELECT CAST(id AS TEXT) FROM match_group WHERE reconciliation_id = @recon))
             OR (entity_type = 'exception' AND entity_id IN (SELECT CAST(id AS TEXT) FROM recon_exception WHERE reconciliation_id = @recon))
             OR (entity_type = 'source_file' AND entity_id IN (SELECT CAST(id AS TEXT) FROM source_file WHERE sha256 IN (SELECT value FROM json_each(@files))))
           ORDER BY seq`,
        )
        .iterate({
          reconId,
          prefix: `${escapeLike(`${reconId}/${period}`)}%`,
          recon: recon.id,
          files: JSON.stringify(files),
        }) as IterableIterator<AuditRow>;
      for (const row of rows) yield auditEntryInfo(row);
    },
    *openExceptions(reconId, period) {
      const recon = reconciliationOf(reconId, period);
      if (!recon || !hasTable(store, "recon_exception")) return;
      const rows = store.sqlite
        .prepare(
          `SELECT e.*, (SELECT text FROM recon_exception_comment c WHERE c.exception_id = e.id ORDER BY c.id DESC LIMIT 1) AS latest_comment
           FROM recon_exception e WHERE e.reconciliation_id = ? AND e.status = 'open' ORDER BY e.reason, e.id`,
        )
        .iterate(recon.id) as IterableIterator<{
        id: number;
        reason: string;
        owner: string | null;
        amount_cents: number | null;
        lag_days: number | null;
        message: string;
        left_keys_json: string;
        right_keys_json: string;
        opened_at: string;
        item_date: string | null;
        status: string;
        latest_comment: string | null;
      }>;
      for (const e of rows) {
        const keys = [...(JSON.parse(e.left_keys_json) as string[]), ...(JSON.parse(e.right_keys_json) as string[])];
        yield {
          exceptionId: String(e.id),
          reason: e.reason,
          side: "both",
          key: keys.join(" "),
          patientId: null,
          // Aged from its oldest record, as the queue ages it (from when it was raised, for breaks before 0012).
          date: (e.item_date ?? e.opened_at).slice(0, 10),
          ageDays: ageAtPeriodEnd(period, e.item_date ?? e.opened_at),
          description: e.message,
          amountCents: e.amount_cents ?? 0,
          status: e.status,
          owner: e.owner,
          explanation: e.latest_comment,
        };
      }
    },
    exception(exceptionId) {
      if (!hasTable(store, "recon_exception")) return null;
      const row = store.sqlite
        .prepare(
          `SELECT r.template_id, r.period, e.owner,
                  (SELECT text FROM recon_exception_comment c WHERE c.exception_id = e.id ORDER BY c.id DESC LIMIT 1) AS latest_comment
           FROM recon_exception e JOIN reconciliation r ON r.id = e.reconciliation_id WHERE e.id = ?`,
        )
        .get(Number(exceptionId)) as
        { template_id: string; period: string; owner: string | null; latest_comment: string | null } | undefined;
      return row ? { reconId: row.template_id, period: row.period, owner: row.owner, explanation: row.latest_comment } : null;
    },
    updateException(exceptionId, edit, actor, provenance) {
      const id = Number(exceptionId);
      const before = this.exception(exceptionId);
      if (!before) throw new ReconSourceUnavailable(`There is no exception ${exceptionId}.`);
      const locked = store.sqlite.prepare("SELECT locked FROM recon_exception WHERE id = ?").get(id) as { locked: number };
      if (locked.locked) throw new ReconSourceUnavailable(`Exception ${exceptionId} is locked by a sign-off; it was not changed.`);
      store.sqlite
        .transaction(() => {
          const at = new Date().toISOString();
          if (edit.owner !== undefined)
            store.sqlite.prepare("UPDATE recon_exception SET owner = ? WHERE id = ?").run(edit.owner || null, id);
          if (edit.explanation !== undefined)
            store.sqlite
              .prepare("INSERT INTO recon_exception_comment (exception_id, author, at, text) VALUES (?, ?, ?, ?)")
              .run(id, actor, at, edit.explanation);
          appendAudit(store, {
            actor,
            action:
              edit.owner !== undefined && edit.explanation !== undefined
                ? "assign and explain"
                : edit.owner !== undefined
                  ? "assign"
                  : "explain",
            entityType: "exception",
            entityId: `${before.reconId}/${before.period}/${exceptionId}`,
            before: { owner: before.owner, explanation: before.explanation },
            after: { ...edit, provenance },
          });
        })
        .immediate();
    },
  };
}
