import type {
  ExceptionComment,
  ExceptionInfo,
  ExceptionsListArgs,
  MatchGroupInfo,
  ProposedCorrection,
  ReconBalance,
  ReconcilingLine,
  ReconciliationInfo,
  ReconRow,
  ReconRowsArgs,
  ReconRowsPage,
  ReconRunInfo,
  ReconRunSummary,
  SavedView,
} from "../../../src-shared/api/recon";
import type { ReconTemplate, TemplateInfo } from "../../../src-shared/reconRules";
import { parseDisplayedAmount } from "../../../src-shared/money";
import { UserError } from "../handlerRegistry";
import { pagedRows } from "../browse/pagedQuery";
import type { Selectable } from "kysely";
import type { ReconExceptionTable } from "../store/recon.table";
import { escapeLike, type Store } from "../store/store";
import { splitAtBreak } from "./classify";
import { activeRules, builtInRules, ruleHashOf, rulesOfLastRun, shownRules } from "./rules";
import { BUILT_IN_TEMPLATES } from "./templates";

type Param = string | number | null;

export function templateInfo(
  t: ReconTemplate,
  ruleHash = ruleHashOf(t),
  rulesOrigin: TemplateInfo["rulesOrigin"] = "built-in",
): TemplateInfo {
  const exceptionReasons = [...new Set([...t.exceptions.map((e) => e.reason), t.unmatchedLeftReason, t.unmatchedRightReason])];
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    version: t.version,
    ruleHash,
    rulesOrigin,
    leftLabel: t.left.label,
    rightLabel: t.right.label,
    passes: t.passes.map((p) => ({ id: p.id, label: p.label, cardinality: p.cardinality, mode: p.mode })),
    exceptionReasons,
    expectedReasons: [...new Set(t.expected.map((e) => e.reason))],
  };
}

/** Each template as runs use it now (a reviewer may have edited its rules). */
export function listTemplates(store: Store): TemplateInfo[] {
  return BUILT_IN_TEMPLATES.map((t) => {
    const rules = shownRules(store, t.id);
    return templateInfo(rules.template, rules.hash, rules.origin);
  });
}

export function reconciliationId(store: Store, templateId: string, period: string): number {
  builtInRules(templateId);
  const row = store.sqlite.prepare("SELECT id FROM reconciliation WHERE template_id = ? AND period = ?").get(templateId, period) as
    { id: number } | undefined;
  if (!row) throw new UserError("NOT_RUN", `${builtInRules(templateId).name} has not been run for ${period} yet.`);
  return row.id;
}

/**
 * The unexplained difference of reconciliation `c.id` (a correlated subquery): left minus right
 * of the rows no run or person has classified, status `unmatched`. Every other row is in a
 * reconciling line of `reconBalance` or in a group whose net is its variance line, so this equals
 * its `unexplainedCents` (a test holds them together) while reading only those rows by index.
 */
const UNEXPLAINED_SQL = `SELECT COALESCE(SUM(CASE WHEN u.side = 'left' THEN u.amount_cents ELSE -u.amount_cents END), 0)
  FROM recon_item u INDEXED BY recon_item_status
  WHERE u.reconciliation_id = c.id AND u.side IN ('left', 'right') AND u.status = 'unmatched'`;

export function listReconciliations(store: Store, period?: string): ReconciliationInfo[] {
  const rows = store.sqlite
    .prepare(
      `SELECT c.id, c.template_id, c.period, r.summary_json,
         (SELECT COUNT(*) FROM recon_exception e WHERE e.reconciliation_id = c.id AND e.status = 'open') AS open_exceptions,
         (${UNEXPLAINED_SQL}) AS unexplained_cents
       FROM reconciliation c LEFT JOIN recon_run r ON r.id = c.last_run_id
       WHERE (? IS NULL OR c.period = ?) ORDER BY c.period DESC, c.template_id`,
    )
    .all(period ?? null, period ?? null) as {
    id: number;
    template_id: string;
    period: string;
    summary_json: string | null;
    open_exceptions: number;
    unexplained_cents: number;
  }[];
  // The name in the rules in use: a reviewer may have renamed the template.
  const names = new Map(listTemplates(store).map((t) => [t.id, t.name]));
  return rows.map((r) => ({
    reconciliationId: r.id,
    templateId: r.template_id,
    templateName: names.get(r.template_id) ?? r.template_id,
    period: r.period,
    lastRun: r.summary_json ? (JSON.parse(r.summary_json) as ReconRunSummary) : null,
    openExceptions: r.open_exceptions,
    unexplainedCents: r.summary_json ? r.unexplained_cents : null,
  }));
}

export function listRuns(store: Store, templateId: string, period: string, limit: number): ReconRunInfo[] {
  const id = reconciliationId(store, templateId, period);
  const rows = store.sqlite
    .prepare("SELECT * FROM recon_run WHERE reconciliation_id = ? ORDER BY id DESC LIMIT ?")
    .all(id, Math.min(Math.max(limit, 1), 1000)) as {
    id: number;
    rule_version: number;
    rule_hash: string;
    input_hash: string;
    left_rows: number;
    right_rows: number;
    changed_rows: number;
    actor: string;
    started_at: string;
    finished_at: string;
  }[];
  return rows.map((r) => ({
    runId: r.id,
    templateId,
    period,
    ruleVersion: r.rule_version,
    ruleHash: r.rule_hash,
    inputHash: r.input_hash,
    leftRows: r.left_rows,
    rightRows: r.right_rows,
    changedRows: r.changed_rows,
    actor: r.actor,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  }));
}

/**
 * The balance from the stored rows, so manual decisions since the last run show at once.
 * Every row contributes once: matched rows through their group's variance, the others under
 * their reason; rows with no reason yet are the unexplained difference.
 */
export function reconBalance(store: Store, templateId: string, period: string): ReconBalance {
  // These scans name their index. Left to itself the planner takes recon_item_amount (it leads
  // with reconciliation_id too) and so visits the rows in amount order, a random read each:
  // 42 s instead of about 10 s for 6.4M rows at a million encounters.
  const id = reconciliationId(store, templateId, period);
  const db = store.sqlite;
  const totals = db
    .prepare(
      `SELECT side, COUNT(*) AS n, COALESCE(SUM(amount_cents), 0) AS cents,
         SUM(status = 'matched') AS matched_n, COALESCE(SUM(CASE WHEN status = 'matched' THEN amount_cents END), 0) AS matched_cents
       FROM recon_item INDEXED BY recon_item_side WHERE reconciliation_id = ? GROUP BY side`,
    )
    .all(id) as { side: "left" | "right"; n: number; cents: number; matched_n: number; matched_cents: number }[];
  const t = (side: "left" | "right") => totals.find((x) => x.side === side) ?? { n: 0, cents: 0, matched_n: 0, matched_cents: 0 };
  const lines = new Map<string, ReconcilingLine>();
  const add = (reason: string, kind: ReconcilingLine["kind"], items: number, cents: number) => {
    const k = `${kind}\u0001${reason}`;
    const l = lines.get(k) ?? { reason, kind, items: 0, amountCents: 0 };
    l.items += items;
    l.amountCents += cents;
    lines.set(k, l);
  };
  for (const r of db
    .prepare(
      `SELECT status, reason, COUNT(*) AS n, COALESCE(SUM(CASE WHEN side = 'left' THEN amount_cents ELSE -amount_cents END), 0) AS cents
       FROM recon_item INDEXED BY recon_item_status WHERE reconciliation_id = ? AND status <> 'matched' GROUP BY status, reason`,
    )
    .all(id) as { status: string; reason: string | null; n: number; cents: number }[]) {
    if (r.status === "expected") add(r.reason ?? "expected", "expected", r.n, r.cents);
    else if (r.status === "explained") add("explained", "explained", r.n, r.cents);
    else if (r.status === "exception") add(r.reason ?? "exception", "exception", r.n, r.cents);
    // Rows no run or person has classified yet (status `unmatched`) are the unexplained difference.
  }
  for (const g of db
    .prepare(
      `SELECT x.*, (SELECT e.amount_cents FROM recon_exception e WHERE e.group_id = x.id AND e.reason = x.reason AND e.status <> 'cleared' ORDER BY e.id LIMIT 1) AS break_cents
       FROM (SELECT g.id, g.pass_id, g.kind, MAX(i.reason) AS reason, COUNT(*) AS n,
           SUM(CASE WHEN i.side = 'left' THEN COALESCE(i.amount_cents, 0) ELSE -COALESCE(i.amount_cents, 0) END) AS cents
         FROM recon_item i INDEXED BY recon_item_status JOIN match_group g ON g.id = i.group_id
         WHERE i.reconciliation_id = ? AND i.status = 'matched' GROUP BY g.id HAVING cents <> 0) x`,
    )
    .all(id) as { pass_id: string | null; kind: string; reason: string | null; n: number; cents: number; break_cents: number | null }[]) {
    const variance = `matched: ${g.kind === "manual" ? "manual" : (g.pass_id ?? "manual")}`;
    if (!g.reason) add(variance, "variance", 1, g.cents);
    else {
      // As the run splits it: the break's own amount under its reason, the rest as the match's variance.
      const split = splitAtBreak(g.cents, g.break_cents);
      add(g.reason, "exception", 1, split.atBreak);
      if (split.variance !== 0) add(variance, "variance", 1, split.variance);
    }
  }
  const reconciling = [...lines.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.reason.localeCompare(b.reason));
  const difference = t("left").cents - t("right").cents;
  return {
    leftTotalCents: t("left").cents,
    rightTotalCents: t("right").cents,
    differenceCents: difference,
    leftRows: t("left").n,
    rightRows: t("right").n,
    matchedLeftCents: t("left").matched_cents,
    matchedRightCents: t("right").matched_cents,
    matchedLeftRows: t("left").matched_n,
    matchedRightRows: t("right").matched_n,
    reconciling,
    // Equals the rows without a reason (status `unmatched`), as every other row is in a line above.
    unexplainedCents: difference - reconciling.reduce((s, l) => s + l.amountCents, 0),
  };
}

const ITEM_COLUMNS: Record<string, string> = {
  rowKey: "i.row_key",
  amountCents: "i.amount_cents",
  rowDate: "i.row_date",
  status: "i.status",
  reason: "i.reason",
  passId: "g.pass_id",
  score: "g.score",
  groupId: "i.group_id",
};

interface ItemRow {
  id: number;
  side: "left" | "right";
  row_key: string;
  amount_cents: number | null;
  row_date: string | null;
  status: ReconRow["status"];
  reason: string | null;
  group_id: number | null;
  kind: ReconRow["groupKind"];
  pass_id: string | null;
  score: number | null;
  locked: number;
  explained_note: string | null;
  fields_json: string;
}

const ITEM_SELECT_COLUMNS = `SELECT i.id, i.side, i.row_key, i.amount_cents, i.row_date, i.status, i.reason, i.group_id, g.kind, g.pass_id, g.score,
  i.locked, i.explained_note, i.fields_json`;
const ITEM_FROM = "recon_item i LEFT JOIN match_group g ON g.id = i.group_id";
const ITEM_SELECT = `${ITEM_SELECT_COLUMNS} FROM ${ITEM_FROM}`;

function toRow(r: ItemRow): ReconRow {
  return {
    itemId: r.id,
    side: r.side,
    rowKey: r.row_key,
    amountCents: r.amount_cents,
    rowDate: r.row_date,
    status: r.status,
    reason: r.reason,
    groupId: r.group_id,
    groupKind: r.kind ?? null,
    passId: r.pass_id,
    score: r.score,
    locked: r.locked === 1,
    explainedNote: r.explained_note,
    fields: JSON.parse(r.fields_json) as Record<string, string | number | null>,
  };
}

/** Adds `column IN (?, …)` for a non-empty list of values (a filter chip's choices). */
function whereIn(where: string[], params: Param[], column: string, values: readonly Param[] | undefined): void {
  if (!values?.length) return;
  where.push(`${column} IN (${values.map(() => "?").join(", ")})`);
  params.push(...values);
}

/** One page of a side's rows with match state, filtered and sorted in SQLite. */
export function reconRows(store: Store, args: ReconRowsArgs): ReconRowsPage {
  const id = reconciliationId(store, args.templateId, args.period);
  if (args.side !== "left" && args.side !== "right") throw new UserError("BAD_REQUEST", 'side is "left" or "right"');
  const where = ["i.reconciliation_id = ?", "i.side = ?"];
  const params: Param[] = [id, args.side];
  whereIn(where, params, "i.status", args.status);
  whereIn(where, params, "i.reason", args.reason);
  if (typeof args.groupId === "number") {
    where.push("i.group_id = ?");
    params.push(args.groupId);
  }
  if (args.search) {
    // A row's values, not its field names ("cdm", "amount" found every row), and its amount as
    // the grid shows it ("240.00" finds 24000 cents). The plain LIKE on the JSON is a cheap
    // first sieve; json_each then looks at the values of the rows that pass it.
    const like = `%${escapeLike(args.search)}%`;
    // The sieve reads the JSON text, where ", \ and control characters (a pasted tab) are written
    // escaped: a search with any of them goes to json_each alone.
    // eslint-disable-next-line no-control-regex
    const sieve = /["\\\u0000-\u001f]/.test(args.search) ? "" : "i.fields_json LIKE ? ESCAPE '\\' AND ";
    const found = [
      "i.row_key LIKE ? ESCAPE '\\'",
      `(${sieve}EXISTS (SELECT 1 FROM json_each(i.fields_json) v WHERE v.value LIKE ? ESCAPE '\\'))`,
    ];
    params.push(like, ...(sieve ? [like] : []), like);
    const cents = parseDisplayedAmount(args.search);
    if (cents !== null) {
      found.push("i.amount_cents = ?");
      params.push(cents);
    }
    where.push(`(${found.join(" OR ")})`);
  }
  const order: string[] = [];
  for (const s of args.sort ?? []) {
    const dir = s.direction === "desc" ? "DESC" : "ASC";
    const column = ITEM_COLUMNS[s.column];
    if (column) order.push(`${column} ${dir}`);
    else if (/^[a-z_][a-z0-9_]*$/.test(s.column)) order.push(`json_extract(i.fields_json, '$.${s.column}') ${dir}`);
    else throw new UserError("BAD_REQUEST", `cannot sort by "${s.column}"`);
  }
  // The tie-break runs the same way as the last sort key, so an index on that key serves the whole order.
  order.push(`i.id ${(args.sort ?? []).at(-1)?.direction === "desc" ? "DESC" : "ASC"}`);
  const limit = Math.min(Math.max(Math.trunc(args.limit) || 100, 1), 5000);
  const offset = Math.max(Math.trunc(args.offset) || 0, 0);
  // Paged like every grid: first page direct, deeper pages from a materialized order (browse/pagedQuery).
  const page = pagedRows(store, {
    select: ITEM_SELECT_COLUMNS,
    from: ITEM_FROM,
    // The filter is on the items alone; the group join is needed only to sort by pass or score.
    ...(order.some((o) => o.startsWith("g.")) ? {} : { baseFrom: "recon_item i" }),
    idColumn: "i.id",
    whereSql: `WHERE ${where.join(" AND ")}`,
    params,
    orderSql: order.join(", "),
    plain: false,
    offset,
    limit,
  });
  const total = page.total;
  const rows = (page.rows as ItemRow[]).map(toRow);
  let columns: string[] = [];
  try {
    // The columns of the rules that produced these rows: those in use now may have changed since.
    const template = rulesOfLastRun(store, id) ?? activeRules(store, args.templateId).template;
    columns = store.sqlite
      .prepare((args.side === "left" ? template.left : template.right).sql)
      .columns()
      .map((c) => c.name);
  } catch {
    columns = rows[0] ? Object.keys(rows[0].fields) : [];
  }
  return { rows, total, offset, columns };
}

/** A `recon_exception` row as EXCEPTION_SELECT returns it, with its reconciliation, age and comment count. */
type ExceptionRow = Selectable<ReconExceptionTable> & { template_id: string; period: string; age_days: number; comments: number };

const EXCEPTION_SELECT = `SELECT e.*, c.template_id, c.period,
  -- Days from the oldest record of the break (when it was opened, for breaks found before 0012) to
  -- today, or to its resolution: a resolved break stops ageing.
  MAX(0, CAST(julianday(CASE WHEN e.status = 'resolved' THEN COALESCE(e.resolved_at, 'now') ELSE 'now' END)
    - julianday(COALESCE(e.item_date, e.opened_at)) AS INTEGER)) AS age_days,
  (SELECT COUNT(*) FROM recon_exception_comment k WHERE k.exception_id = e.id) AS comments
  FROM recon_exception e JOIN reconciliation c ON c.id = e.reconciliation_id`;

function toException(r: ExceptionRow): ExceptionInfo {
  return {
    exceptionId: r.id,
    templateId: r.template_id,
    period: r.period,
    reason: r.reason,
    status: r.status,
    owner: r.owner,
    amountCents: r.amount_cents,
    lagDays: r.lag_days,
    reasonCode: r.reason_code,
    expected: r.expected,
    found: r.found,
    message: r.message,
    leftKeys: JSON.parse(r.left_keys_json) as string[],
    rightKeys: JSON.parse(r.right_keys_json) as string[],
    groupId: r.group_id,
    openedAt: r.opened_at,
    itemDate: r.item_date,
    ageDays: r.age_days,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
    resolution: r.resolution,
    comments: r.comments,
  };
}

const EXCEPTION_COLUMNS: Record<string, string> = {
  openedAt: "e.opened_at",
  ageDays: "age_days",
  amountCents: "e.amount_cents",
  reason: "e.reason",
  owner: "e.owner",
  status: "e.status",
  lagDays: "e.lag_days",
  exceptionId: "e.id",
};

export function listExceptions(store: Store, args: ExceptionsListArgs): { items: ExceptionInfo[]; total: number } {
  const where: string[] = ["1 = 1"];
  const params: Param[] = [];
  if (args.templateId) {
    where.push("c.template_id = ?");
    params.push(args.templateId);
  }
  if (args.period) {
    where.push("c.period = ?");
    params.push(args.period);
  }
  whereIn(where, params, "e.status", args.status);
  whereIn(where, params, "e.reason", args.reason);
  if (args.owner !== undefined) {
    if (args.owner === null) where.push("e.owner IS NULL");
    else {
      where.push("e.owner = ?");
      params.push(args.owner);
    }
  }
  if (args.search) {
    where.push("(e.message LIKE ? ESCAPE '\\' OR e.left_keys_json LIKE ? ESCAPE '\\' OR e.right_keys_json LIKE ? ESCAPE '\\')");
    const like = `%${escapeLike(args.search)}%`;
    params.push(like, like, like);
  }
  const order = (args.sort ?? []).map((s) => {
    const col = EXCEPTION_COLUMNS[s.column];
    if (!col) throw new UserError("BAD_REQUEST", `cannot sort exceptions by "${s.column}"`);
    return `${col} ${s.direction === "desc" ? "DESC" : "ASC"}`;
  });
  order.push("e.id ASC");
  const whereSql = where.join(" AND ");
  const total = (
    store.sqlite
      .prepare(`SELECT COUNT(*) AS n FROM recon_exception e JOIN reconciliation c ON c.id = e.reconciliation_id WHERE ${whereSql}`)
      .get(...params) as { n: number }
  ).n;
  const limit = Math.min(Math.max(Math.trunc(args.limit) || 100, 1), 5000);
  const items = (
    store.sqlite
      .prepare(`${EXCEPTION_SELECT} WHERE ${whereSql} ORDER BY ${order.join(", ")} LIMIT ? OFFSET ?`)
      .all(...params, limit, Math.max(args.offset || 0, 0)) as ExceptionRow[]
  ).map(toException);
  return { items, total };
}

export function getException(
  store: Store,
  exceptionId: number,
): { exception: ExceptionInfo; comments: ExceptionComment[]; corrections: ProposedCorrection[] } {
  const row = store.sqlite.prepare(`${EXCEPTION_SELECT} WHERE e.id = ?`).get(exceptionId) as ExceptionRow | undefined;
  if (!row) throw new UserError("NOT_FOUND", `There is no exception ${exceptionId}.`);
  const comments = (
    store.sqlite
      .prepare("SELECT id, author, at, text FROM recon_exception_comment WHERE exception_id = ? ORDER BY id")
      .all(exceptionId) as {
      id: number;
      author: string;
      at: string;
      text: string;
    }[]
  ).map((c) => ({ commentId: c.id, author: c.author, at: c.at, text: c.text }));
  return { exception: toException(row), comments, corrections: listCorrections(store, { exceptionId }).items };
}

interface CorrectionRow {
  id: number;
  exception_id: number;
  template_id: string;
  period: string;
  kind: ProposedCorrection["kind"];
  status: ProposedCorrection["status"];
  withdrawn_reason: ProposedCorrection["withdrawnReason"];
  summary: string;
  amount_cents: number | null;
  payload_json: string;
  created_at: string;
}

export function listCorrections(
  store: Store,
  args: {
    templateId?: string;
    period?: string;
    status?: string[];
    kind?: string[];
    limit?: number;
    offset?: number;
    exceptionId?: number;
    correctionId?: number;
  },
): { items: ProposedCorrection[]; total: number } {
  const where = ["1 = 1"];
  const params: Param[] = [];
  if (args.correctionId !== undefined) {
    where.push("p.id = ?");
    params.push(args.correctionId);
  }
  if (args.templateId) {
    where.push("c.template_id = ?");
    params.push(args.templateId);
  }
  if (args.period) {
    where.push("c.period = ?");
    params.push(args.period);
  }
  if (args.exceptionId !== undefined) {
    where.push("p.exception_id = ?");
    params.push(args.exceptionId);
  }
  whereIn(where, params, "p.status", args.status);
  whereIn(where, params, "p.kind", args.kind);
  const from = `FROM proposed_correction p JOIN reconciliation c ON c.id = p.reconciliation_id WHERE ${where.join(" AND ")}`;
  const total = (store.sqlite.prepare(`SELECT COUNT(*) AS n ${from}`).get(...params) as { n: number }).n;
  const rows = store.sqlite
    .prepare(`SELECT p.*, c.template_id, c.period ${from} ORDER BY p.id DESC LIMIT ? OFFSET ?`)
    .all(...params, Math.min(Math.max(args.limit ?? 100, 1), 5000), Math.max(args.offset ?? 0, 0)) as CorrectionRow[];
  return {
    total,
    items: rows.map((r) => ({
      correctionId: r.id,
      exceptionId: r.exception_id,
      templateId: r.template_id,
      period: r.period,
      kind: r.kind,
      status: r.status,
      withdrawnReason: r.withdrawn_reason,
      summary: r.summary,
      amountCents: r.amount_cents,
      payload: JSON.parse(r.payload_json) as ProposedCorrection["payload"],
      createdAt: r.created_at,
    })),
  };
}

export function getGroup(store: Store, groupId: number): MatchGroupInfo {
  const g = store.sqlite
    .prepare("SELECT g.*, c.template_id, c.period FROM match_group g JOIN reconciliation c ON c.id = g.reconciliation_id WHERE g.id = ?")
    .get(groupId) as
    | {
        id: number;
        template_id: string;
        period: string;
        kind: MatchGroupInfo["kind"];
        pass_id: string | null;
        score: number | null;
        explanation: string;
        left_cents: number;
        right_cents: number;
        locked: number;
        created_by: string;
        created_at: string;
        note: string | null;
      }
    | undefined;
  if (!g) throw new UserError("NOT_FOUND", `There is no match group ${groupId}.`);
  const rows = (store.sqlite.prepare(`${ITEM_SELECT} WHERE i.group_id = ? ORDER BY i.side, i.row_key`).all(groupId) as ItemRow[]).map(
    toRow,
  );
  const exceptions = (store.sqlite.prepare(`${EXCEPTION_SELECT} WHERE e.group_id = ? ORDER BY e.id`).all(groupId) as ExceptionRow[]).map(
    toException,
  );
  return {
    groupId: g.id,
    templateId: g.template_id,
    period: g.period,
    kind: g.kind,
    passId: g.pass_id,
    score: g.score,
    explanation: g.explanation,
    leftCents: rows.reduce((s, r) => s + (r.side === "left" ? (r.amountCents ?? 0) : 0), 0),
    rightCents: rows.reduce((s, r) => s + (r.side === "right" ? (r.amountCents ?? 0) : 0), 0),
    decidedLeftCents: g.left_cents,
    decidedRightCents: g.right_cents,
    locked: g.locked === 1,
    createdBy: g.created_by,
    createdAt: g.created_at,
    note: g.note,
    left: rows.filter((r) => r.side === "left"),
    right: rows.filter((r) => r.side === "right"),
    exceptions,
  };
}

export function listViews(store: Store, owner: string, templateId?: string): SavedView[] {
  const rows = store.sqlite
    .prepare("SELECT * FROM recon_saved_view WHERE owner = ? AND (? IS NULL OR template_id IS NULL OR template_id = ?) ORDER BY name")
    .all(owner, templateId ?? null, templateId ?? null) as {
    id: number;
    name: string;
    template_id: string | null;
    definition_json: string;
    created_at: string;
  }[];
  return rows.map((r) => ({
    viewId: r.id,
    name: r.name,
    templateId: r.template_id,
    definition: JSON.parse(r.definition_json) as Record<string, unknown>,
    createdAt: r.created_at,
  }));
}
