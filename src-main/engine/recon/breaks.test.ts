import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CorrectionPayload } from "../../../src-shared/api/recon";
import { openStore, type Store } from "../store/store";
import { reconSourceFor } from "../workpapers/reconSource";
import { listCorrections, reconBalance } from "./queries";
import { runReconciliation } from "./run";

/**
 * The breaks each template raises on small hand-made stores, as an analyst would read them, and
 * what they propose, which must be safe to approve as it stands: a journal never carries a
 * negative debit or credit, an adjustment's quantity, type and accounts agree, and a
 * master-data fix never blanks a field or sets it to what it already is.
 */
let dir: string;
let store: Store;
const period = "2026-10";

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tieout-breaks-"));
  store = await openStore(join(dir, "t.db"));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (table: string, row: Record<string, unknown>) => {
  const columns = Object.keys(row);
  store.sqlite
    .prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`)
    .run(...Object.values(row));
};
const proposals = (templateId: string) =>
  listCorrections(store, { templateId, period }).items.map((c) => ({ summary: c.summary, payload: c.payload as CorrectionPayload }));
const exceptionReasons = () =>
  (store.sqlite.prepare("SELECT reason FROM recon_exception ORDER BY reason").all() as { reason: string }[]).map((e) => e.reason);

/** EHR supply S1 crosswalked to ERP item IT1 ($2.50), and the fields of its usage at ORSTOCK on 14 October. */
const supplyUsageOfOneItem = () => {
  insert("crosswalk", { system: "erp", kind: "supply-item", from_code: "S1", to_code: "IT1" });
  insert("item", { system: "erp", item_number: "IT1", description: "Suture", unit_cost_cents: 250, chargeable: 1, implant: 0 });
  return { system: "ehr", supply_code: "S1", location_code: "ORSTOCK", department_code: "OR", used_date: "2026-10-14", implant: 0 };
};

describe("proposed corrections", () => {
  it("book a bank debit with no 835 as Dr clearing / Cr cash, with positive amounts", () => {
    insert("bank_transaction", {
      system: "bank",
      bank_transaction_id: "B1",
      bank_account: "123",
      as_of_date: "2026-10-14",
      type_code: "451",
      amount_cents: -10000,
      bank_reference: "REF1",
      reassociation_trace: "TRA00008",
    });
    runReconciliation(store, "remittance-bank", period, { actor: "t" });
    const [journal] = proposals("remittance-bank");
    expect(journal!.summary).toMatch(/^Unidentified debit: REF1/);
    const lines = journal!.payload.kind === "gl-journal" ? journal!.payload.journal.lines : [];
    expect(lines.map((l) => [l.account, l.debitCents, l.creditCents])).toEqual([
      ["1010", 0, 10000],
      ["2150", 10000, 0],
    ]);
  });

  it("return an EHR supply return with no ERP return to stock, charged to the department's cost center", () => {
    insert("crosswalk", { system: "erp", kind: "department-cost-center", from_code: "OR", to_code: "24100" });
    const usage = supplyUsageOfOneItem();
    insert("supply_usage", { ...usage, usage_id: "U1", quantity: 3, account_number: "A1" });
    insert("supply_usage", { ...usage, usage_id: "U2", quantity: -2, account_number: "A2" });
    runReconciliation(store, "supply-inventory", period, { actor: "t" });
    const adjustments = proposals("supply-inventory").map((p) => {
      const a = p.payload.kind === "inventory-adjustment" ? p.payload.adjustment : null;
      return [
        p.summary.split(" for ")[0],
        a?.quantity,
        a?.transactionType,
        a?.glAccounts.debit,
        a?.glAccounts.credit,
        a?.valueCents,
        a?.costCenter,
      ];
    });
    expect(adjustments).toEqual([
      ["Return 2 × item IT1 to ORSTOCK", 2, "adjustment", "1400", "6100", 500, "24100"],
      ["Issue 3 × item IT1 at ORSTOCK", -3, "issue", "6100", "1400", -750, "24100"],
    ]);
  });

  it("raise one break for a case picked in another quantity than used, and issue or return the difference", () => {
    const usage = supplyUsageOfOneItem();
    const issue = {
      system: "erp",
      item_number: "IT1",
      location_code: "ORSTOCK",
      transaction_date: "2026-10-14",
      transaction_type: "issue",
      unit_cost_cents: 250,
    };
    insert("supply_usage", { ...usage, usage_id: "U1", quantity: 3, account_number: "A1" });
    insert("inventory_transaction", { ...issue, transaction_id: "I1", quantity: -2, reference: "A1" });
    insert("supply_usage", { ...usage, usage_id: "U2", quantity: 1, account_number: "A2" });
    insert("inventory_transaction", { ...issue, transaction_id: "I2", quantity: -4, reference: "A2" });
    runReconciliation(store, "supply-inventory", period, { actor: "t" });
    expect(exceptionReasons()).toEqual(["quantity-mismatch", "quantity-mismatch"]);
    expect(
      proposals("supply-inventory")
        .map((p) => p.summary)
        .sort(),
    ).toEqual([
      "Issue 1 × item IT1 at ORSTOCK more for usage U1 (3) against issue I1 (2)",
      "Return 3 × item IT1 to ORSTOCK too many for usage U2 (1) against issue I2 (4)",
    ]);
  });

  it("post every CAS group but PR to contractual adjustments (OI and CR from 4010 payers too), and name a denial's PR-only CARC", () => {
    insert("remittance_payment", { system: "payer", trace_number: "TR1", amount_cents: 6500, payment_date: "2026-10-14", balanced: 1 });
    insert("claim_payment", {
      system: "payer",
      trace_number: "TR1",
      claim_id: "CL1",
      status_code: "1",
      charge_cents: 10000,
      paid_cents: 6500,
      sequence: 0,
    });
    insert("claim_payment", {
      system: "payer",
      trace_number: "TR1",
      claim_id: "CL2",
      status_code: "4",
      charge_cents: 2000,
      paid_cents: 0,
      sequence: 1,
    });
    const cas = (claim: string, sequence: number, group: string, reason: string, cents: number) =>
      insert("remittance_adjustment", {
        system: "payer",
        trace_number: "TR1",
        claim_id: claim,
        claim_sequence: sequence,
        group_code: group,
        reason_code: reason,
        amount_cents: cents,
      });
    cas("CL1", 0, "CO", "45", 1000);
    cas("CL1", 0, "OI", "23", 2000);
    cas("CL1", 0, "PR", "1", 500);
    cas("CL2", 1, "PR", "204", 2000);
    runReconciliation(store, "billing-gl", period, { actor: "t" });
    const bucket = (account: string) =>
      (
        store.sqlite.prepare("SELECT amount_cents FROM recon_item WHERE row_key = ?").get(`billing:remit:TR1:${account}`) as
          { amount_cents: number } | undefined
      )?.amount_cents;
    // Cash 65.00 + contractual 30.00 + patient 25.00 = the 120.00 charged: the remittance posting balances.
    expect([bucket("1010"), bucket("4900"), bucket("1220"), bucket("1200")]).toEqual([6500, 3000, 2500, -12000]);

    insert("claim", { system: "billing", claim_id: "CL2", kind: "professional", total_charge_cents: 2000, service_from: "2026-10-02" });
    runReconciliation(store, "claim-remittance", period, { actor: "t" });
    const denial = store.sqlite.prepare("SELECT reason, reason_code FROM recon_exception WHERE reason = 'denial'").get();
    expect(denial).toEqual({ reason: "denial", reason_code: "204" });
  });

  it("name a missing crosswalk, an inactive cost center and a crosswalk to no item, proposing no fix that blanks or repeats a value", () => {
    const department = (code: string, costCenter: string) => {
      insert("department", { system: "ehr", code, name: code });
      insert("department", { system: "erp", code, name: code, cost_center: costCenter });
    };
    department("ED", "24100"); // no crosswalk entry
    department("ICU", "14100"); // crosswalk agrees, cost center inactive
    department("LAB", "30100"); // crosswalk says 30200: a real mismatch
    insert("cost_center", { system: "erp", code: "14100", active: 0 });
    insert("cost_center", { system: "erp", code: "30200", active: 1 });
    insert("crosswalk", { system: "erp", kind: "department-cost-center", from_code: "ICU", to_code: "14100" });
    insert("crosswalk", { system: "erp", kind: "department-cost-center", from_code: "LAB", to_code: "30200" });
    insert("item", { system: "ehr", item_number: "S9", description: "Stent", chargeable: 1, implant: 1 });
    insert("crosswalk", { system: "erp", kind: "supply-item", from_code: "S9", to_code: "IT404" });
    runReconciliation(store, "master-data", period, { actor: "t" });
    expect(exceptionReasons()).toEqual(["cost-center-inactive", "cost-center-mismatch", "crosswalk-missing", "item-missing-in-erp"]);
    expect(proposals("master-data").map((p) => p.summary)).toEqual(["erp department LAB: costCenter 30100 → 30200"]);
  });
});

describe("claim to remittance", () => {
  it("raises no denial a payer reversed and corrected, and still raises one that stands", () => {
    insert("remittance_payment", { system: "payer", trace_number: "TR1", amount_cents: 0, payment_date: "2026-10-10", balanced: 1 });
    insert("remittance_payment", { system: "payer", trace_number: "TR2", amount_cents: 30000, payment_date: "2026-10-20", balanced: 1 });
    const claim = (id: string) =>
      insert("claim", { system: "billing", claim_id: id, kind: "professional", total_charge_cents: 30000, service_from: "2026-10-02" });
    const paid = (trace: string, claimId: string, status: string, charge: number, pay: number, sequence: number) =>
      insert("claim_payment", {
        system: "payer",
        trace_number: trace,
        claim_id: claimId,
        status_code: status,
        charge_cents: charge,
        paid_cents: pay,
        sequence,
      });
    claim("CL1"); // denied, then reversed and paid in full
    paid("TR1", "CL1", "4", 30000, 0, 0);
    paid("TR2", "CL1", "22", -30000, 0, 0);
    paid("TR2", "CL1", "1", 30000, 30000, 1);
    claim("CL2"); // denied, and it stands
    paid("TR1", "CL2", "4", 30000, 0, 1);
    claim("CL3"); // denied, reversed, and denied again on reprocessing: it stands
    paid("TR1", "CL3", "4", 30000, 0, 2);
    paid("TR2", "CL3", "22", -30000, 0, 2);
    paid("TR2", "CL3", "4", 30000, 0, 3);
    runReconciliation(store, "claim-remittance", period, { actor: "t" });
    const raised = store.sqlite.prepare("SELECT reason, amount_cents, message FROM recon_exception ORDER BY message").all() as {
      reason: string;
      amount_cents: number;
      message: string;
    }[];
    expect(raised.map((e) => [e.reason, e.amount_cents, e.message.slice(0, 10)])).toEqual([
      ["denial", 30000, "Claim CL2 "],
      ["denial", 30000, "Claim CL3 "],
    ]);
  });
});

describe("billing to GL", () => {
  it("raises a revenue line the GL posted $10.00 short as one break, with a journal for the $10.00", () => {
    insert("crosswalk", { system: "erp", kind: "cdm-gl-account", from_code: "3000443", to_code: "4010" });
    insert("crosswalk", { system: "erp", kind: "department-cost-center", from_code: "LAB", to_code: "30100" });
    insert("charge", {
      system: "billing",
      transaction_id: "T1",
      account_number: "A1",
      cdm_code: "3000443",
      department_code: "LAB",
      service_date: "2026-10-13",
      posting_date: "2026-10-13",
      amount_cents: 3150000,
      quantity: 1,
    });
    insert("journal_line", {
      system: "erp",
      journal_id: "J1",
      line_number: 1,
      period: "2026-10",
      accounting_date: "2026-10-13",
      account: "4010",
      cost_center: "30100",
      debit_cents: 0,
      credit_cents: 3149000,
      journal_source: "PATIENT BILLING",
      reference: "BILL-INTERFACE 20261013",
    });
    runReconciliation(store, "billing-gl", period, { actor: "t" });
    const raised = store.sqlite.prepare("SELECT reason, amount_cents FROM recon_exception").all();
    expect(raised).toEqual([{ reason: "amount-differs", amount_cents: 1000 }]);
    const [journal] = proposals("billing-gl");
    const lines = journal!.payload.kind === "gl-journal" ? journal!.payload.journal.lines : [];
    expect(lines.map((l) => [l.period, l.account, l.costCenter, l.debitCents, l.creditCents])).toEqual([
      ["2026-10", "1200", "30100", 1000, 0],
      ["2026-10", "4010", "30100", 0, 1000],
    ]);
  });
});

describe("remittance to bank", () => {
  it("nets a bundled deposit's fee, and leaves only the part of a bundle with no 835 as unapplied cash", () => {
    const era = (trace: string, cents: number) =>
      insert("remittance_payment", {
        system: "payer",
        trace_number: trace,
        payer_identifier: "1512345678",
        amount_cents: cents,
        payment_date: "2026-10-14",
        balanced: 1,
      });
    const deposit = (id: string, cents: number, traces: string[]) =>
      insert("bank_transaction", {
        system: "bank",
        bank_transaction_id: id,
        bank_account: "123",
        as_of_date: "2026-10-15",
        type_code: "165",
        amount_cents: cents,
        bank_reference: `REF-${id}`,
        reassociation_trace: traces[0],
        text: traces.map((t) => `TRN*1*${t}*1512345678\\`).join(" "),
      });
    era("TRA1", 100000);
    era("TRA2", 50000);
    deposit("D1", 149500, ["TRA1", "TRA2"]); // both ERAs, less a $5.00 fee
    era("TRA3", 100000);
    era("TRA4", 50000);
    deposit("D2", 180000, ["TRA3", "TRA4", "TRA5"]); // TRA5's 835 never came
    runReconciliation(store, "remittance-bank", period, { actor: "t" });
    const raised = store.sqlite.prepare("SELECT reason, amount_cents FROM recon_exception ORDER BY reason").all();
    expect(raised).toEqual([
      { reason: "net-of-fee", amount_cents: 500 },
      { reason: "unapplied-cash", amount_cents: 30000 },
    ]);
    expect(
      proposals("remittance-bank")
        .map((p) => p.summary)
        .sort(),
    ).toEqual([
      "Payment fee withheld from deposit REF-D1 (ERA TRA1, TRA2)",
      "Unapplied cash: $300.00 of deposit REF-D2 (trace TRA3) has no 835 on file",
    ]);
  });
});

describe("registration to billing", () => {
  it("names every attribute that differs, and an account still open for a visit the EHR cancelled", () => {
    const visit = (system: string, v: string, extra: Record<string, unknown>) =>
      insert("encounter", {
        system,
        visit_number: v,
        account_number: `A${v}`,
        patient_class: "O",
        attending_npi: "1234567893",
        admit_at: "2026-10-05T08:00:00Z",
        status: "active",
        financial_class: "BCBS",
        ...extra,
      });
    visit("ehr", "V1", { patient_class: "I" });
    visit("billing", "V1", { financial_class: "SELF" });
    visit("ehr", "V2", { status: "cancelled", last_event: "A11" });
    visit("billing", "V2", {});
    runReconciliation(store, "registration-billing", period, { actor: "t" });
    const raised = store.sqlite.prepare("SELECT reason, message FROM recon_exception ORDER BY reason").all() as {
      reason: string;
      message: string;
    }[];
    expect(raised).toEqual([
      {
        reason: "attribute-mismatch",
        message:
          "Encounter V1: patient class is I on the left but O on the right; financial class is BCBS on the left but SELF on the right (an A08 update not applied in billing)",
      },
      { reason: "cancelled-in-ehr", message: "Encounter V2 was cancelled in the EHR (A11) but billing account AV2 is still active" },
    ]);
  });
});

describe("a short payment in the balance", () => {
  it("shows the shortfall under underpayment and the contractual rest as the match's variance, on screen and in the workpaper", () => {
    insert("remittance_payment", {
      system: "payer",
      trace_number: "TR1",
      payer_identifier: "P1",
      amount_cents: 0,
      payment_date: "2026-10-14",
      balanced: 1,
    });
    // Three claims of $100.00 allowed at the contract's 60%, one allowed at 40%: $20.00 short.
    [60, 60, 60, 40].forEach((pct, k) => {
      const claimId = `CL${k}`;
      insert("claim", {
        system: "billing",
        claim_id: claimId,
        kind: "professional",
        total_charge_cents: 10000,
        service_from: "2026-10-02",
      });
      insert("claim_payment", {
        system: "payer",
        trace_number: "TR1",
        claim_id: claimId,
        status_code: "1",
        charge_cents: 10000,
        paid_cents: pct * 100,
        sequence: k,
      });
      insert("service_payment", {
        system: "payer",
        trace_number: "TR1",
        claim_id: claimId,
        claim_sequence: k,
        sequence: 0,
        charge_cents: 10000,
        paid_cents: pct * 100,
      });
      insert("remittance_adjustment", {
        system: "payer",
        trace_number: "TR1",
        claim_id: claimId,
        claim_sequence: k,
        service_sequence: 0,
        group_code: "CO",
        reason_code: "45",
        amount_cents: 10000 - pct * 100,
      });
    });
    const run = runReconciliation(store, "claim-remittance", period, { actor: "t" });
    const lines = (list: { reason: string; kind: string; amountCents: number }[]) =>
      list.map((l) => [l.kind, l.reason, l.amountCents]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    expect(run.exceptionsByReason).toEqual({ underpayment: { count: 1, amountCents: 2000 } });
    expect(lines(run.balance.reconciling)).toEqual([
      ["variance", "matched: claim-id", 4000 * 3 + 4000],
      ["exception", "underpayment", 2000],
    ]);
    expect(lines(reconBalance(store, "claim-remittance", period).reconciling)).toEqual(lines(run.balance.reconciling));
    const figures = reconSourceFor(store).summary("claim-remittance", period)!.reconcilingByReason;
    expect(figures.find((r) => r.reason === "underpayment")?.amountCents).toBe(-2000);
  });
});
