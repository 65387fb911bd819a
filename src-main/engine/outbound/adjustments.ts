import type {
  AdjustmentDetail,
  AdjustmentKind,
  AdjustmentProblem,
  AdjustmentStatus,
  AdjustmentSummary,
  ApprovalInfo,
  InventoryAdjustmentInput,
  JournalInput,
  JournalLineInput,
  MasterDataFixInput,
  OutboundSettings,
  OutboxStatus,
  ProposedCorrection,
} from "../../../src-shared/api/outbound";
import type { UserInfo } from "../../../src-shared/api";
import { centsText } from "../../../connectors/erp/erpDocuments";
import { appendAudit } from "../audit/auditLog";
import { UserError } from "../handlerRegistry";
import type { Store } from "../store/store";
import { loadOutboundSettings } from "./outboundSettings";
import { enqueueApproved } from "./outbox";
import { assertPeriodText, isPeriodClosed } from "./periods";

// ---------------------------------------------------------------- input shapes

interface AdjustmentRow {
  id: number;
  kind: AdjustmentKind;
  status: AdjustmentStatus;
  description: string | null;
  prepared_by: string;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  approved_at: string | null;
  ledger: string | null;
  period: string | null;
  accounting_date: string | null;
  amount_cents: number;
  required_approvals: number;
  body_json: string;
  recon_ref: string | null;
  exception_ref: string | null;
  reversal_of: number | null;
  rejection_reason: string | null;
}

interface LineRow {
  line_number: number;
  account: string;
  cost_center: string | null;
  department_code: string | null;
  debit_cents: number;
  credit_cents: number;
  description: string | null;
}

/** The parts of an adjustment that are stored: header fields, kind-specific body, lines. */
interface AdjustmentContent {
  kind: AdjustmentKind;
  description: string | null;
  ledger: string | null;
  period: string | null;
  accountingDate: string | null;
  amountCents: number;
  body: Record<string, unknown>;
  lines: JournalLineInput[];
  reconRef: string | null;
  exceptionRef: string | null;
}

export const adjustmentNumber = (id: number): string => `ADJ-${String(id).padStart(6, "0")}`;

const bad = (code: string, message: string, where?: { line?: number; field?: string }, expected?: string, found?: string): never => {
  throw new UserError(code, message, { where, expected, found });
};

const optionalText = (value: unknown, field: string): string | null => {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") return bad("INVALID_FIELD", `${field}: expected text, found ${JSON.stringify(value)}`, { field });
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
};

const requiredText = (value: unknown, field: string, label = field): string => {
  const text = optionalText(value, field);
  if (text === null) return bad("MISSING_FIELD", `${label} is required`, { field }, "text", JSON.stringify(value ?? null));
  return text;
};

const cents = (value: unknown, field: string, line?: number): number => {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    return bad(
      "INVALID_AMOUNT",
      `${line !== undefined ? `line ${line}, ` : ""}${field}: expected a non-negative whole number of cents, found ${JSON.stringify(value)}`,
      { line, field },
      "integer cents ≥ 0",
      JSON.stringify(value),
    );
  }
  return value;
};

function journalContent(input: JournalInput): AdjustmentContent {
  if (typeof input !== "object" || input === null) bad("BAD_REQUEST", "expected a journal");
  const lines = input.lines;
  if (!Array.isArray(lines)) bad("INVALID_FIELD", "lines: expected a list of journal lines", { field: "lines" });
  const normalised = lines.map((line, index): JournalLineInput => {
    const n = index + 1;
    if (typeof line !== "object" || line === null) return bad("INVALID_LINE", `line ${n}: expected an object`, { line: n });
    return {
      account: typeof line.account === "string" ? line.account.trim() : "",
      costCenter: optionalText(line.costCenter, "costCenter"),
      departmentCode: optionalText(line.departmentCode, "departmentCode"),
      debitCents: cents(line.debitCents ?? 0, "debitCents", n),
      creditCents: cents(line.creditCents ?? 0, "creditCents", n),
      description: optionalText(line.description, "description"),
    };
  });
  const accountingDate = requiredText(input.accountingDate, "accountingDate", "accounting date");
  return {
    kind: "journal",
    description: optionalText(input.description, "description"),
    ledger: requiredText(input.ledger, "ledger"),
    period: requiredText(input.period, "period"),
    accountingDate,
    amountCents: normalised.reduce((sum, l) => sum + l.debitCents, 0),
    body: {},
    lines: normalised,
    reconRef: optionalText(input.reconRef, "reconRef"),
    exceptionRef: optionalText(input.exceptionRef, "exceptionRef"),
  };
}

/** |quantity| × unit cost; a fractional quantity's value is rounded up, so thresholds err towards a second approver. */
function inventoryValueCents(quantity: number, unitCostCents: number | null): number {
  if (unitCostCents === null) return 0;
  return Math.ceil(Math.abs(quantity) * unitCostCents);
}

function inventoryContent(input: InventoryAdjustmentInput): AdjustmentContent {
  if (typeof input !== "object" || input === null) bad("BAD_REQUEST", "expected an inventory adjustment");
  const quantity = input.quantity;
  if (typeof quantity !== "number" || !Number.isFinite(quantity) || quantity === 0) {
    bad(
      "INVALID_QUANTITY",
      `quantity: expected a non-zero number, found ${JSON.stringify(quantity)}`,
      { field: "quantity" },
      "a non-zero number",
    );
  }
  const unitCostCents =
    input.unitCostCents === null || input.unitCostCents === undefined ? null : cents(input.unitCostCents, "unitCostCents");
  const period = optionalText(input.period, "period");
  if (period !== null) assertPeriodText(period);
  const body = {
    item: requiredText(input.item, "item"),
    location: requiredText(input.location, "location"),
    quantity,
    unitCostCents,
    reason: requiredText(input.reason, "reason"),
  };
  return {
    kind: "inventory",
    description: optionalText(input.description, "description"),
    ledger: null,
    period,
    accountingDate: null,
    amountCents: inventoryValueCents(quantity, unitCostCents),
    body,
    lines: [],
    reconRef: optionalText(input.reconRef, "reconRef"),
    exceptionRef: optionalText(input.exceptionRef, "exceptionRef"),
  };
}

function masterDataContent(input: MasterDataFixInput): AdjustmentContent {
  if (typeof input !== "object" || input === null) bad("BAD_REQUEST", "expected a master-data fix");
  const oldValue = input.oldValue === undefined ? null : input.oldValue;
  const newValue = input.newValue === undefined ? null : input.newValue;
  for (const [field, value] of [
    ["oldValue", oldValue],
    ["newValue", newValue],
  ] as const) {
    if (value !== null && typeof value !== "string") bad("INVALID_FIELD", `${field}: expected text or nothing`, { field });
  }
  if (oldValue === newValue)
    bad("NO_CHANGE", `the new value is the same as the old value (${JSON.stringify(oldValue)})`, { field: "newValue" });
  return {
    kind: "master-data",
    description: optionalText(input.description, "description"),
    ledger: null,
    period: null,
    accountingDate: null,
    amountCents: 0,
    body: {
      entity: requiredText(input.entity, "entity"),
      key: requiredText(input.key, "key"),
      field: requiredText(input.field, "field"),
      oldValue,
      newValue,
    },
    lines: [],
    reconRef: optionalText(input.reconRef, "reconRef"),
    exceptionRef: optionalText(input.exceptionRef, "exceptionRef"),
  };
}

// ---------------------------------------------------------------- checks before submit

/** Accounts a journal may hit: crosswalk targets into the GL, accounts on GL journal lines, and the configured chart. */
export function knownAccounts(store: Store, settings: OutboundSettings = loadOutboundSettings(store)): Set<string> {
  const rows = store.sqlite
    .prepare(
      `SELECT to_code AS account FROM crosswalk WHERE kind LIKE '%gl%'
       UNION SELECT DISTINCT account FROM journal_line`,
    )
    .all() as { account: string }[];
  return new Set([...rows.map((r) => r.account), ...settings.chartOfAccounts]);
}

function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** Everything that stops this content from being submitted, each with where and what. */
export function contentProblems(store: Store, content: AdjustmentContent): AdjustmentProblem[] {
  const problems: AdjustmentProblem[] = [];
  if (content.period !== null) {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(content.period)) {
      problems.push({ code: "INVALID_PERIOD", message: `period: expected YYYY-MM, found "${content.period}"`, where: { field: "period" } });
    } else if (isPeriodClosed(store, content.ledger, content.period)) {
      problems.push({
        code: "PERIOD_CLOSED",
        message: `period ${content.period} is closed${content.ledger ? ` in ledger ${content.ledger}` : ""}`,
        where: { field: "period" },
        expected: "an open period",
        found: content.period,
      });
    }
  }
  if (content.kind !== "journal") return problems;

  if (content.accountingDate !== null && !isCalendarDate(content.accountingDate)) {
    problems.push({
      code: "INVALID_DATE",
      message: `accounting date: expected YYYY-MM-DD, found "${content.accountingDate}"`,
      where: { field: "accountingDate" },
    });
  } else if (content.accountingDate !== null && content.period !== null && content.accountingDate.slice(0, 7) !== content.period) {
    problems.push({
      code: "PERIOD_MISMATCH",
      message: `accounting date ${content.accountingDate} is not in period ${content.period}`,
      where: { field: "accountingDate" },
      expected: `a date in ${content.period}`,
      found: content.accountingDate,
    });
  }
  if (content.lines.length < 2) {
    problems.push({
      code: "TOO_FEW_LINES",
      message: `a journal needs at least two lines, found ${content.lines.length}`,
      where: { field: "lines" },
    });
  }
  const accounts = knownAccounts(store);
  let debits = 0;
  let credits = 0;
  content.lines.forEach((line, index) => {
    const n = index + 1;
    debits += line.debitCents;
    credits += line.creditCents;
    if (line.account === "") {
      problems.push({ code: "MISSING_ACCOUNT", message: `line ${n}: account is required`, where: { line: n, field: "account" } });
    } else if (!accounts.has(line.account)) {
      problems.push({
        code: "UNKNOWN_ACCOUNT",
        message:
          accounts.size === 0
            ? `line ${n}: account ${line.account} cannot be checked: no GL accounts are known (import GL journal lines or crosswalks, or set the chart of accounts)`
            : `line ${n}: account ${line.account} is not a known GL account (not in any crosswalk, GL journal line or the chart of accounts)`,
        where: { line: n, field: "account" },
        expected: "a crosswalked GL account",
        found: line.account,
      });
    }
    if (line.debitCents > 0 === line.creditCents > 0) {
      problems.push({
        code: "INVALID_LINE",
        message: `line ${n}: enter either a debit or a credit, found debit ${centsText(line.debitCents)} and credit ${centsText(line.creditCents)}`,
        where: { line: n, field: "debitCents" },
        expected: "a debit or a credit",
      });
    }
  });
  if (debits !== credits) {
    problems.push({
      code: "UNBALANCED",
      message: `the journal does not balance: debits ${centsText(debits)}, credits ${centsText(credits)}, difference ${centsText(debits - credits)}`,
      expected: "debits = credits",
      found: `debits ${centsText(debits)}, credits ${centsText(credits)}`,
    });
  }
  return problems;
}

// ---------------------------------------------------------------- reading

function readRow(store: Store, id: number): AdjustmentRow {
  if (!Number.isSafeInteger(id)) bad("BAD_REQUEST", `expected an adjustment id, found ${JSON.stringify(id)}`);
  const row = store.sqlite.prepare("SELECT * FROM adjustment WHERE id = ?").get(id) as AdjustmentRow | undefined;
  if (!row) return bad("NOT_FOUND", `there is no adjustment ${adjustmentNumber(id)}`);
  return row;
}

function readLines(store: Store, id: number): JournalLineInput[] {
  const rows = store.sqlite.prepare("SELECT * FROM adjustment_line WHERE adjustment_id = ? ORDER BY line_number").all(id) as LineRow[];
  return rows.map((r) => ({
    account: r.account,
    costCenter: r.cost_center,
    departmentCode: r.department_code,
    debitCents: r.debit_cents,
    creditCents: r.credit_cents,
    description: r.description,
  }));
}

function rowContent(store: Store, row: AdjustmentRow): AdjustmentContent {
  return {
    kind: row.kind,
    description: row.description,
    ledger: row.ledger,
    period: row.period,
    accountingDate: row.accounting_date,
    amountCents: row.amount_cents,
    body: JSON.parse(row.body_json) as Record<string, unknown>,
    lines: row.kind === "journal" ? readLines(store, row.id) : [],
    reconRef: row.recon_ref,
    exceptionRef: row.exception_ref,
  };
}

function currentRound(store: Store, id: number): number {
  const row = store.sqlite
    .prepare("SELECT COUNT(*) AS n FROM audit_log WHERE entity_type = 'adjustment' AND entity_id = ? AND action = 'submit'")
    .get(String(id)) as { n: number };
  return row.n;
}

function approvalsThisRound(store: Store, id: number): ApprovalInfo[] {
  const round = currentRound(store, id);
  return (
    store.sqlite
      .prepare("SELECT approver, decision, reason, at FROM adjustment_approval WHERE adjustment_id = ? AND round = ? ORDER BY id")
      .all(id, round) as ApprovalInfo[]
  ).filter((a) => a.decision === "approve");
}

function summary(store: Store, row: AdjustmentRow): AdjustmentSummary {
  const outbox = store.sqlite
    .prepare("SELECT id, status, erp_document_id, attempts FROM outbox_item WHERE adjustment_id = ?")
    .get(row.id) as { id: number; status: OutboxStatus; erp_document_id: string | null; attempts: number } | undefined;
  const reversedBy = store.sqlite
    .prepare("SELECT id FROM adjustment WHERE reversal_of = ? AND status != 'rejected' ORDER BY id LIMIT 1")
    .get(row.id) as { id: number } | undefined;
  return {
    id: row.id,
    number: adjustmentNumber(row.id),
    kind: row.kind,
    status: row.status,
    description: row.description,
    preparedBy: row.prepared_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    period: row.period,
    amountCents: row.amount_cents,
    requiredApprovals: row.required_approvals,
    approvals: row.status === "submitted" || row.status === "approved" ? approvalsThisRound(store, row.id).length : 0,
    reconRef: row.recon_ref,
    exceptionRef: row.exception_ref,
    reversalOf: row.reversal_of,
    reversedBy: reversedBy?.id ?? null,
    outbox: outbox ? { itemId: outbox.id, status: outbox.status, erpDocumentId: outbox.erp_document_id, attempts: outbox.attempts } : null,
  };
}

export function getAdjustment(store: Store, id: number): AdjustmentDetail {
  const row = readRow(store, id);
  const content = rowContent(store, row);
  const history = store.sqlite
    .prepare("SELECT approver, decision, reason, at FROM adjustment_approval WHERE adjustment_id = ? ORDER BY id")
    .all(id) as ApprovalInfo[];
  const body = content.body;
  return {
    ...summary(store, row),
    journal:
      row.kind === "journal"
        ? {
            ledger: row.ledger ?? "",
            period: row.period ?? "",
            accountingDate: row.accounting_date ?? "",
            description: row.description,
            lines: content.lines.map((l, i) => ({ ...l, lineNumber: i + 1 })),
          }
        : null,
    inventory:
      row.kind === "inventory"
        ? {
            item: body.item as string,
            location: body.location as string,
            quantity: body.quantity as number,
            unitCostCents: body.unitCostCents as number | null,
            reason: body.reason as string,
            period: row.period,
            description: row.description,
          }
        : null,
    masterData:
      row.kind === "master-data"
        ? {
            entity: body.entity as string,
            key: body.key as string,
            field: body.field as string,
            oldValue: body.oldValue as string | null,
            newValue: body.newValue as string | null,
            description: row.description,
          }
        : null,
    approvalHistory: history,
    rejectionReason: row.rejection_reason,
    problems: row.status === "draft" || row.status === "rejected" || row.status === "submitted" ? contentProblems(store, content) : [],
  };
}

export function listAdjustments(
  store: Store,
  filter: { status?: AdjustmentStatus; kind?: AdjustmentKind; exceptionRef?: string; limit?: number } = {},
): AdjustmentSummary[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.status) {
    where.push("status = ?");
    params.push(filter.status);
  }
  if (filter.kind) {
    where.push("kind = ?");
    params.push(filter.kind);
  }
  if (filter.exceptionRef) {
    where.push("exception_ref = ?");
    params.push(filter.exceptionRef);
  }
  const limit = Math.min(Math.max(Number(filter.limit ?? 200) || 200, 1), 1000);
  const rows = store.sqlite
    .prepare(`SELECT * FROM adjustment ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ${limit}`)
    .all(...params) as AdjustmentRow[];
  return rows.map((r) => summary(store, r));
}

// ---------------------------------------------------------------- writing

const snapshot = (content: AdjustmentContent) => ({
  kind: content.kind,
  description: content.description,
  ledger: content.ledger,
  period: content.period,
  accountingDate: content.accountingDate,
  amountCents: content.amountCents,
  body: content.body,
  lines: content.lines,
  reconRef: content.reconRef,
  exceptionRef: content.exceptionRef,
});

function writeLines(store: Store, id: number, lines: JournalLineInput[]): void {
  store.sqlite.prepare("DELETE FROM adjustment_line WHERE adjustment_id = ?").run(id);
  const insert = store.sqlite.prepare(
    `INSERT INTO adjustment_line (adjustment_id, line_number, account, cost_center, department_code, debit_cents, credit_cents, description)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  lines.forEach((l, i) =>
    insert.run(id, i + 1, l.account, l.costCenter ?? null, l.departmentCode ?? null, l.debitCents, l.creditCents, l.description ?? null),
  );
}

function insertAdjustment(
  store: Store,
  actor: string,
  content: AdjustmentContent,
  reversalOf: number | null,
  reason: string | null,
): number {
  const now = new Date().toISOString();
  return store.sqlite
    .transaction((): number => {
      const result = store.sqlite
        .prepare(
          `INSERT INTO adjustment (kind, status, description, prepared_by, created_at, updated_at, ledger, period, accounting_date,
             amount_cents, required_approvals, body_json, recon_ref, exception_ref, reversal_of)
           VALUES (?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
        )
        .run(
          content.kind,
          content.description,
          actor,
          now,
          now,
          content.ledger,
          content.period,
          content.accountingDate,
          content.amountCents,
          JSON.stringify(content.body),
          content.reconRef,
          content.exceptionRef,
          reversalOf,
        );
      const id = Number(result.lastInsertRowid);
      writeLines(store, id, content.lines);
      appendAudit(store, {
        actor,
        action: reversalOf !== null ? "create reversal" : "create",
        entityType: "adjustment",
        entityId: String(id),
        after: snapshot(content),
        reason,
      });
      return id;
    })
    .immediate();
}

export function createJournal(store: Store, actor: string, input: JournalInput): AdjustmentDetail {
  return getAdjustment(store, insertAdjustment(store, actor, journalContent(input), null, null));
}

export function createInventoryAdjustment(store: Store, actor: string, input: InventoryAdjustmentInput): AdjustmentDetail {
  return getAdjustment(store, insertAdjustment(store, actor, inventoryContent(input), null, null));
}

export function createMasterDataFix(store: Store, actor: string, input: MasterDataFixInput): AdjustmentDetail {
  return getAdjustment(store, insertAdjustment(store, actor, masterDataContent(input), null, null));
}

/** A reconciliation's proposed correction becomes a draft like a hand-made one, keeping its references. */
export function createFromProposal(store: Store, actor: string, proposal: ProposedCorrection): AdjustmentDetail {
  if (typeof proposal !== "object" || proposal === null) return bad("BAD_REQUEST", "expected a proposed correction");
  switch (proposal.kind) {
    case "journal":
      return createJournal(store, actor, proposal);
    case "inventory":
      return createInventoryAdjustment(store, actor, proposal);
    case "master-data":
      return createMasterDataFix(store, actor, proposal);
    default:
      return bad("BAD_REQUEST", `unknown correction kind ${JSON.stringify((proposal as { kind: unknown }).kind)}`);
  }
}

const isAdmin = (user: UserInfo): boolean => user.roles.includes("admin");

export function updateAdjustment(
  store: Store,
  user: UserInfo,
  args: { id: number; journal?: JournalInput; inventory?: InventoryAdjustmentInput; masterData?: MasterDataFixInput },
): AdjustmentDetail {
  const row = readRow(store, args.id);
  if (row.status !== "draft" && row.status !== "rejected") {
    bad(
      "IMMUTABLE",
      `${adjustmentNumber(row.id)} is ${row.status}; only a draft or a rejected adjustment can be changed${row.status === "approved" ? " (reverse it and create a new one)" : ""}`,
    );
  }
  if (row.prepared_by !== user.userId && !isAdmin(user))
    bad("FORBIDDEN", `only ${row.prepared_by}, who prepared it, can change ${adjustmentNumber(row.id)}`);
  const content =
    row.kind === "journal" && args.journal
      ? journalContent(args.journal)
      : row.kind === "inventory" && args.inventory
        ? inventoryContent(args.inventory)
        : row.kind === "master-data" && args.masterData
          ? masterDataContent(args.masterData)
          : bad("BAD_REQUEST", `give the new ${row.kind} content to update ${adjustmentNumber(row.id)}`);
  const before = snapshot(rowContent(store, row));
  store.sqlite
    .transaction(() => {
      store.sqlite
        .prepare(
          `UPDATE adjustment SET status = 'draft', description = ?, ledger = ?, period = ?, accounting_date = ?, amount_cents = ?,
             body_json = ?, recon_ref = COALESCE(?, recon_ref), exception_ref = COALESCE(?, exception_ref), updated_at = ?
           WHERE id = ?`,
        )
        .run(
          content.description,
          content.ledger,
          content.period,
          content.accountingDate,
          content.amountCents,
          JSON.stringify(content.body),
          content.reconRef,
          content.exceptionRef,
          new Date().toISOString(),
          row.id,
        );
      writeLines(store, row.id, content.lines);
      appendAudit(store, {
        actor: user.userId,
        action: "edit",
        entityType: "adjustment",
        entityId: String(row.id),
        before,
        after: snapshot(content),
      });
    })
    .immediate();
  return getAdjustment(store, row.id);
}

export function submitAdjustment(store: Store, user: UserInfo, id: number): AdjustmentDetail {
  const settings = loadOutboundSettings(store);
  store.sqlite
    .transaction(() => {
      const row = readRow(store, id);
      if (row.status !== "draft" && row.status !== "rejected")
        bad("INVALID_STATE", `${adjustmentNumber(id)} is ${row.status}, not a draft`);
      if (row.prepared_by !== user.userId && !isAdmin(user))
        bad("FORBIDDEN", `only ${row.prepared_by}, who prepared it, can submit ${adjustmentNumber(id)}`);
      const problems = contentProblems(store, rowContent(store, row));
      if (problems.length > 0) {
        const first = problems[0]!;
        throw new UserError(first.code, `${adjustmentNumber(id)} cannot be submitted: ${first.message}`, { ...first, problems });
      }
      const required = row.amount_cents >= settings.secondApprovalThresholdCents && row.amount_cents > 0 ? 2 : 1;
      const now = new Date().toISOString();
      store.sqlite
        .prepare(
          "UPDATE adjustment SET status = 'submitted', submitted_at = ?, updated_at = ?, required_approvals = ?, rejection_reason = NULL WHERE id = ?",
        )
        .run(now, now, required, id);
      appendAudit(store, {
        actor: user.userId,
        action: "submit",
        entityType: "adjustment",
        entityId: String(id),
        before: { status: row.status },
        after: { status: "submitted", requiredApprovals: required, amountCents: row.amount_cents },
      });
    })
    .immediate();
  return getAdjustment(store, id);
}

/**
 * Maker-checker: the preparer never approves their own adjustment, an approver counts once,
 * and at or above the threshold two different approvers are needed. The approval that
 * completes it freezes the adjustment and queues it in the outbox in the same transaction,
 * so an approved adjustment is never left without its outbox item.
 */
export function approveAdjustment(store: Store, user: UserInfo, id: number, comment: string | null): AdjustmentDetail {
  store.sqlite
    .transaction(() => {
      const row = readRow(store, id);
      if (row.status !== "submitted")
        bad("INVALID_STATE", `${adjustmentNumber(id)} is ${row.status}; only a submitted adjustment can be approved`);
      if (row.prepared_by === user.userId) {
        bad("SELF_APPROVAL", `${user.displayName} prepared ${adjustmentNumber(id)} and cannot approve it: another approver must`);
      }
      const approvals = approvalsThisRound(store, id);
      if (approvals.some((a) => a.approver === user.userId)) {
        bad("ALREADY_APPROVED", `${user.displayName} has already approved ${adjustmentNumber(id)}; it needs a different second approver`);
      }
      const content = rowContent(store, row);
      const problems = contentProblems(store, content);
      if (problems.length > 0)
        throw new UserError(problems[0]!.code, `${adjustmentNumber(id)} cannot be approved: ${problems[0]!.message}`, problems[0]);
      const now = new Date().toISOString();
      store.sqlite
        .prepare("INSERT INTO adjustment_approval (adjustment_id, approver, decision, reason, at, round) VALUES (?, ?, 'approve', ?, ?, ?)")
        .run(id, user.userId, comment, now, currentRound(store, id));
      const complete = approvals.length + 1 >= row.required_approvals;
      if (complete) {
        store.sqlite.prepare("UPDATE adjustment SET status = 'approved', approved_at = ?, updated_at = ? WHERE id = ?").run(now, now, id);
      } else {
        store.sqlite.prepare("UPDATE adjustment SET updated_at = ? WHERE id = ?").run(now, id);
      }
      appendAudit(store, {
        actor: user.userId,
        action: "approve",
        entityType: "adjustment",
        entityId: String(id),
        before: { status: row.status, approvals: approvals.length },
        after: { status: complete ? "approved" : "submitted", approvals: approvals.length + 1, required: row.required_approvals },
        reason: comment,
      });
      if (complete) enqueueApproved(store, user.userId, row, content);
    })
    .immediate();
  return getAdjustment(store, id);
}

export function rejectAdjustment(store: Store, user: UserInfo, id: number, reason: string): AdjustmentDetail {
  if (typeof reason !== "string" || reason.trim() === "")
    bad("REASON_REQUIRED", "A rejection needs a reason, so the preparer knows what to fix.", { field: "reason" });
  store.sqlite
    .transaction(() => {
      const row = readRow(store, id);
      if (row.status !== "submitted")
        bad("INVALID_STATE", `${adjustmentNumber(id)} is ${row.status}; only a submitted adjustment can be rejected`);
      if (row.prepared_by === user.userId)
        bad("SELF_APPROVAL", `${user.displayName} prepared ${adjustmentNumber(id)} and cannot review it`);
      const now = new Date().toISOString();
      store.sqlite
        .prepare("INSERT INTO adjustment_approval (adjustment_id, approver, decision, reason, at, round) VALUES (?, ?, 'reject', ?, ?, ?)")
        .run(id, user.userId, reason.trim(), now, currentRound(store, id));
      store.sqlite
        .prepare("UPDATE adjustment SET status = 'rejected', rejection_reason = ?, updated_at = ? WHERE id = ?")
        .run(reason.trim(), now, id);
      appendAudit(store, {
        actor: user.userId,
        action: "reject",
        entityType: "adjustment",
        entityId: String(id),
        before: { status: row.status },
        after: { status: "rejected" },
        reason: reason.trim(),
      });
    })
    .immediate();
  return getAdjustment(store, id);
}

/** Reversal: the approved original stays as it was; a new draft undoes it and goes through approval itself. */
export function reverseAdjustment(store: Store, user: UserInfo, id: number, accountingDate: string, reason: string): AdjustmentDetail {
  if (typeof reason !== "string" || reason.trim() === "") bad("REASON_REQUIRED", "A reversal needs a reason.", { field: "reason" });
  const row = readRow(store, id);
  if (row.status !== "approved")
    bad("INVALID_STATE", `${adjustmentNumber(id)} is ${row.status}; only an approved adjustment is reversed (edit a draft instead)`);
  const existing = store.sqlite.prepare("SELECT id FROM adjustment WHERE reversal_of = ? AND status != 'rejected'").get(id) as
    { id: number } | undefined;
  if (existing) bad("ALREADY_REVERSED", `${adjustmentNumber(id)} is already reversed by ${adjustmentNumber(existing.id)}`);
  const original = rowContent(store, row);
  const description = `Reversal of ${adjustmentNumber(id)}: ${reason.trim()}`;
  let content: AdjustmentContent;
  if (row.kind === "journal") {
    if (typeof accountingDate !== "string" || !isCalendarDate(accountingDate))
      bad("INVALID_DATE", `accounting date: expected YYYY-MM-DD, found ${JSON.stringify(accountingDate)}`, { field: "accountingDate" });
    content = {
      ...original,
      description,
      period: accountingDate.slice(0, 7),
      accountingDate,
      lines: original.lines.map((l) => ({ ...l, debitCents: l.creditCents, creditCents: l.debitCents })),
    };
  } else if (row.kind === "inventory") {
    content = { ...original, description, body: { ...original.body, quantity: -(original.body.quantity as number) } };
  } else {
    content = { ...original, description, body: { ...original.body, oldValue: original.body.newValue, newValue: original.body.oldValue } };
  }
  return getAdjustment(store, insertAdjustment(store, user.userId, content, id, reason.trim()));
}

export function duplicateAdjustment(store: Store, user: UserInfo, id: number): AdjustmentDetail {
  const row = readRow(store, id);
  const content = rowContent(store, row);
  return getAdjustment(store, insertAdjustment(store, user.userId, content, null, `copy of ${adjustmentNumber(id)}`));
}
