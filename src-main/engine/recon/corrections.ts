import type { CorrectionPayload } from "../../../src-shared/api/recon";
import { formatCents } from "../../../src-shared/money";
import { lastDayOf } from "../../../src-shared/period";
import type { ReconTemplate } from "../../../src-shared/reconRules";
import { camelCase } from "../store/canonicalTables";
import type { SideRow } from "../match/matcher";
import type { RaisedException } from "./classify";

export interface CorrectionDraft {
  kind: CorrectionPayload["kind"];
  summary: string;
  amountCents: number | null;
  payload: CorrectionPayload;
}

type Builder = (e: RaisedException, template: ReconTemplate, period: string) => CorrectionDraft | null;

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
const param = (t: ReconTemplate, name: string, fallback: string) => t.params?.[name] ?? fallback;

type JournalLine = Extract<CorrectionPayload, { kind: "gl-journal" }>["journal"]["lines"][number];

/**
 * Two offsetting lines, in this order: `first` is debited and `second` credited by a
 * positive amount; a negative amount (a credit bucket) turns both sides round.
 */
function offsetting(
  at: { period: string; accountingDate: string; memo: string },
  first: { account: string; costCenter: string | null },
  second: { account: string; costCenter: string | null },
  cents: number,
): Omit<JournalLine, "lineNumber">[] {
  const amount = Math.abs(cents);
  const debitFirst = cents >= 0;
  const line = (side: typeof first, debit: boolean) => ({
    period: at.period,
    accountingDate: at.accountingDate,
    account: side.account,
    costCenter: side.costCenter,
    debitCents: debit ? amount : 0,
    creditCents: debit ? 0 : amount,
    memo: at.memo,
  });
  return [line(first, debitFirst), line(second, !debitFirst)];
}

function journal(description: string, lines: Omit<JournalLine, "lineNumber">[], amount: number): CorrectionDraft | null {
  const debit = lines.reduce((s, l) => s + l.debitCents, 0);
  const credit = lines.reduce((s, l) => s + l.creditCents, 0);
  // Every journal balances before it can be approved (DESIGN.md "Money is exact").
  if (debit !== credit || debit === 0) return null;
  return {
    kind: "gl-journal",
    summary: description,
    amountCents: amount,
    payload: { kind: "gl-journal", journal: { description, source: "TIEOUT", lines: lines.map((l, i) => ({ ...l, lineNumber: i + 1 })) } },
  };
}

/** A two-line journal on the cash cost center, dated the deposit's day: `debit` debited by a positive amount. */
function cashJournal(t: ReconTemplate, date: string, memo: string, debit: string, credit: string, cents: number): CorrectionDraft | null {
  const cc = param(t, "cashCostCenter", "") || null;
  return journal(
    memo,
    offsetting(
      { period: date.slice(0, 7), accountingDate: date, memo },
      { account: debit, costCenter: cc },
      { account: credit, costCenter: cc },
      cents,
    ),
    Math.abs(cents),
  );
}

/**
 * Moves `qty` of a usage row's item at its location: a positive quantity is issued (Dr supply
 * expense for the department's cost center / Cr inventory), a negative one returned to stock
 * (Dr inventory / Cr supply expense). Never an "issue of −2".
 */
function stockMove(
  e: RaisedException,
  t: ReconTemplate,
  l: SideRow,
  qty: number,
  issuing: string,
  returning: string,
): CorrectionDraft | null {
  if (!l.values.item_number || qty === 0) return null;
  const unit = l.values.unit_cost_cents === null || l.values.unit_cost_cents === undefined ? null : Number(l.values.unit_cost_cents);
  const item = String(l.values.item_number);
  const location = String(l.values.location_code);
  const expense = param(t, "supplyExpenseAccount", "6100");
  const inventory = param(t, "inventoryAccount", "1400");
  const issue = qty > 0;
  const count = Math.abs(qty);
  return {
    kind: "inventory-adjustment",
    summary: issue
      ? `Issue ${count} × item ${item} at ${location} ${issuing}`
      : `Return ${count} × item ${item} to ${location} ${returning}`,
    amountCents: unit === null ? null : Math.round(count * unit),
    payload: {
      kind: "inventory-adjustment",
      adjustment: {
        itemNumber: item,
        locationCode: location,
        // On-hand goes down by an issue and up by a return.
        quantity: -qty,
        transactionType: issue ? "issue" : "adjustment",
        transactionDate: String(l.values.used_date),
        costCenter: str(l.values.cost_center),
        reference: str(l.values.account_number),
        unitCostCents: unit,
        valueCents: unit === null ? null : -Math.round(qty * unit),
        glAccounts: issue ? { debit: expense, credit: inventory } : { debit: inventory, credit: expense },
        reason: e.message,
      },
    },
  };
}

/**
 * Correction builders by id (templates name them in `ExceptionRule.correction`). Each turns
 * one break into a proposed fix: a balanced GL journal, an inventory adjustment, or a
 * master-data fix. Accounts come from the template's `params`.
 */
export const CORRECTION_BUILDERS: Record<string, Builder> = {
  "master-data-fix": (e) => {
    const l = e.leftRows[0];
    const r = e.rightRows[0];
    if (!l || !r) return null;
    let fix: Extract<CorrectionPayload, { kind: "master-data-fix" }>["fix"];
    if (e.reason === "attribute-mismatch") {
      const column = e.differingColumn ?? "attending_npi";
      fix = {
        system: "billing",
        recordType: "encounter",
        naturalKey: r.key,
        field: camelCase(column),
        currentValue: str(r.values[column]),
        proposedValue: str(l.values[column]),
        reason: e.message,
      };
    } else if (e.reason === "npi-mismatch") {
      fix = {
        system: "billing",
        recordType: "provider",
        naturalKey: str(r.values.code) ?? r.key,
        field: "npi",
        currentValue: e.found,
        proposedValue: e.expected,
        reason: e.message,
      };
    } else if (e.reason === "cost-center-mismatch") {
      fix = {
        system: "erp",
        recordType: "department",
        naturalKey: str(r.values.code) ?? r.key,
        field: "costCenter",
        currentValue: e.found,
        proposedValue: e.expected,
        reason: e.message,
      };
    } else return null;
    // Only a change to a value is a fix: blanking a field, or setting it to what it is, is not.
    if (fix.proposedValue === null || fix.proposedValue === fix.currentValue) return null;
    return {
      kind: "master-data-fix",
      summary: `${fix.system} ${fix.recordType} ${fix.naturalKey}: ${fix.field} ${fix.currentValue ?? "∅"} → ${fix.proposedValue ?? "∅"}`,
      amountCents: null,
      payload: { kind: "master-data-fix", fix },
    };
  },

  // Reclass revenue from the cost center it was posted to, to the one billing maps to.
  "gl-reclass-cost-center": (e) => {
    const l = e.leftRows[0];
    const r = e.rightRows[0];
    if (!l || !r || e.amountCents === null) return null;
    const amount = Math.abs(e.amountCents);
    const account = String(l.values.account);
    const period = String(r.values.period);
    const date = String(l.values.day ?? r.values.accounting_date);
    const memo = `Reclass ${account} revenue of ${date} from ${str(r.values.cost_center)} to ${str(l.values.cost_center)} (GL line ${r.key})`;
    // Revenue is a credit: debit it off the cost center it sits on, credit the right one.
    return journal(
      memo,
      offsetting(
        { period, accountingDate: date, memo },
        { account, costCenter: str(r.values.cost_center) },
        { account, costCenter: str(l.values.cost_center) },
        e.amountCents,
      ),
      amount,
    );
  },

  // Move a revenue line posted to the wrong period: book it in the right period, reverse it in the wrong one.
  "gl-reclass-period": (e, t) => {
    const l = e.leftRows[0];
    const r = e.rightRows[0];
    if (!l || !r || e.amountCents === null || !e.expected || !e.found) return null;
    const amount = Math.abs(e.amountCents);
    const ar = param(t, "patientArAccount", "1200");
    const account = String(l.values.account);
    const cc = str(l.values.cost_center);
    const date = String(l.values.day);
    const memo = `Revenue of ${date} (${r.key}) belongs to ${e.expected}, was posted to ${e.found}`;
    return journal(
      memo,
      [
        ...offsetting(
          { period: e.expected, accountingDate: date, memo },
          { account: ar, costCenter: cc },
          { account, costCenter: cc },
          e.amountCents,
        ),
        ...offsetting(
          { period: e.found, accountingDate: `${e.found}-01`, memo: `Reverse: ${memo}` },
          { account, costCenter: cc },
          { account: ar, costCenter: cc },
          e.amountCents,
        ),
      ],
      amount,
    );
  },

  // Revenue the GL posted in another amount than billing: book the difference against patient A/R
  // in the billing day's period (Cr revenue / Dr A/R when the GL is short, the other way when over).
  "gl-amount-difference": (e, t) => {
    const l = e.leftRows[0];
    if (!l || l.values.kind !== "revenue" || !e.amountCents) return null;
    const account = String(l.values.account);
    const cc = str(l.values.cost_center);
    const date = String(l.values.day);
    const memo = `GL revenue of ${date} for ${account}/${cc ?? "?"} differs from billing by ${(e.amountCents / 100).toFixed(2)} (${e.rightKeys.join(", ")})`;
    return journal(
      memo,
      offsetting(
        { period: String(l.values.expected_period), accountingDate: date, memo },
        { account: param(t, "patientArAccount", "1200"), costCenter: cc },
        { account, costCenter: cc },
        e.amountCents,
      ),
      Math.abs(e.amountCents),
    );
  },

  // STANDARDS.md B5 cash: a deposit short of its ERA by a bank fee: Dr bank fees / Cr cash.
  "bank-fee-journal": (e, t, period) => {
    const r = e.rightRows[0];
    if (!r || !e.amountCents) return null;
    const date = str(r.values.as_of_date) ?? lastDayOf(period);
    const memo = `Payment fee withheld from deposit ${str(r.values.bank_reference)} (ERA ${e.leftKeys.join(", ")})`;
    // A negative "fee" (the deposit is over its ERA) turns both lines round: never a negative debit.
    return cashJournal(t, date, memo, param(t, "bankFeeAccount", "7200"), param(t, "cashAccount", "1010"), e.amountCents);
  },

  // STANDARDS.md B5 cash: a healthcare deposit with no 835: Dr cash / Cr unapplied-cash clearing, reclassed when posted.
  "unapplied-cash-journal": (e, t, period) => {
    const r = e.rightRows[0];
    if (!r || !e.amountCents) return null;
    const date = str(r.values.as_of_date) ?? lastDayOf(period);
    const what = e.amountCents > 0 ? "Unapplied cash: deposit" : "Unidentified debit:";
    // Part of a bundled deposit (its other ERAs applied), or the whole of it.
    const part = e.amountCents !== r.amount ? `${formatCents(Math.abs(e.amountCents))} of ` : "";
    const memo = `${part === "" ? what : `Unapplied cash: ${part}deposit`} ${str(r.values.bank_reference)} (trace ${str(r.values.reassociation_trace)}) has no 835 on file`;
    // A debit to the account (a payer's recoupment by ACH) turns both lines round: Dr clearing / Cr cash.
    return cashJournal(t, date, memo, param(t, "cashAccount", "1010"), param(t, "unappliedCashAccount", "2150"), e.amountCents);
  },

  // STANDARDS.md B5 supply: INV misc issue, Dr supply expense (cost center) / Cr inventory.
  // A usage returned in the EHR (a negative quantity) with no ERP return: put it back in stock.
  "inventory-issue": (e, t) => {
    const l = e.leftRows[0];
    if (!l) return null;
    return stockMove(e, t, l, Number(l.values.quantity) || 0, `for usage ${l.key}`, `for the EHR return ${l.key}`);
  },

  // The same case's pick in another quantity than was used: issue the shortfall, or return the excess.
  "inventory-difference": (e, t) => {
    const l = e.leftRows[0];
    const r = e.rightRows[0];
    if (!l || !r) return null;
    const diff = (Number(l.values.quantity) || 0) - (Number(r.values.quantity) || 0);
    const what = `usage ${l.key} (${String(l.values.quantity)}) against issue ${r.key} (${String(r.values.quantity)})`;
    return stockMove(e, t, l, diff, `more for ${what}`, `too many for ${what}`);
  },
  // An issue nobody used: return it to stock unless a late usage (a lost charge) turns up.
  "inventory-return": (e, t) => {
    const r = e.rightRows[0];
    if (!r) return null;
    const qty = Number(r.values.quantity) || 0;
    const unit = r.values.unit_cost_cents === null || r.values.unit_cost_cents === undefined ? null : Number(r.values.unit_cost_cents);
    return {
      kind: "inventory-adjustment",
      summary: `Return ${qty} × item ${String(r.values.item_number)} to ${String(r.values.location_code)} (issue ${r.key} has no usage)`,
      amountCents: unit === null ? null : Math.round(qty * unit),
      payload: {
        kind: "inventory-adjustment",
        adjustment: {
          itemNumber: String(r.values.item_number),
          locationCode: String(r.values.location_code),
          quantity: qty,
          transactionType: "adjustment",
          transactionDate: String(r.values.transaction_date),
          costCenter: str(r.values.cost_center),
          reference: str(r.values.account_number),
          unitCostCents: unit,
          valueCents: unit === null ? null : Math.round(qty * unit),
          glAccounts: { debit: param(t, "inventoryAccount", "1400"), credit: param(t, "supplyExpenseAccount", "6100") },
          reason: e.message,
        },
      },
    };
  },
};

export function buildCorrection(e: RaisedException, template: ReconTemplate, period: string): CorrectionDraft | null {
  const id = e.rule?.correction;
  if (!id) return null;
  const builder = CORRECTION_BUILDERS[id];
  if (!builder) throw new Error(`template ${template.id}: no correction builder "${id}"`);
  return builder(e, template, period);
}
