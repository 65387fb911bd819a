import type { ReconTemplate } from "../../../../src-shared/reconRules";

/**
 * EHR charges (DFT^P03 FT1) against billing charge detail. Keys per STANDARDS.md B5:
 * account + service date + FT1-7 CDM code + amount; credits pair the same way. Charge lag
 * is service date to billing post date; the target is ≤ 1–3 days (B5), so more than 3 is late.
 */
export const chargeReconciliation: ReconTemplate = {
  id: "charge-reconciliation",
  name: "Charge reconciliation (charge lag)",
  description: "Every EHR charge reaches billing, on time. Late charges carry their lag in days.",
  version: 1,
  runOutDays: 7,
  left: {
    label: "EHR charges",
    recordTypes: ["charge"],
    sql: `SELECT 'ehr:' || c.transaction_id AS row_key, 'charge' AS source_table, c.id AS source_id, c.amount_cents,
        c.service_date AS row_date, c.transaction_id, c.account_number, c.visit_number, c.cdm_code, c.quantity,
        c.service_date, substr(c.posting_date, 1, 10) AS posting_date, c.transaction_type, c.description, c.department_code, c.performing_npi
      FROM charge c
      WHERE c.system = 'ehr' AND c.service_date BETWEEN :from AND :to
      ORDER BY c.posting_date, c.transaction_id`,
  },
  right: {
    label: "Billing charges",
    recordTypes: ["charge"],
    sql: `SELECT 'billing:' || c.transaction_id AS row_key, 'charge' AS source_table, c.id AS source_id, c.amount_cents,
        c.service_date AS row_date, c.transaction_id, c.account_number, c.visit_number, c.cdm_code, c.quantity,
        c.service_date, substr(c.posting_date, 1, 10) AS posting_date, c.transaction_type, c.description, c.department_code, c.performing_npi
      FROM charge c
      WHERE c.system = 'billing' AND c.service_date BETWEEN :from AND :to
      ORDER BY c.posting_date, c.transaction_id`,
  },
  passes: [
    {
      id: "exact",
      label: "Account, CDM code, service date and amount",
      keys: [
        { label: "account", left: "account_number", right: "account_number", normalize: "trim" },
        { label: "CDM", left: "cdm_code", right: "cdm_code", normalize: "trim" },
        { label: "service date", left: "service_date", right: "service_date" },
      ],
      amount: { absCents: 0 },
      prefer: [
        { label: "performing NPI", left: "performing_npi", right: "performing_npi" },
        { label: "posting date", left: "posting_date", right: "posting_date" },
        { label: "quantity", left: "quantity", right: "quantity" },
      ],
      cardinality: "1:1",
      mode: "auto",
    },
    {
      id: "near",
      label: "Account and CDM code, amount within $1.00, service dates a day apart",
      keys: [
        { label: "account", left: "account_number", right: "account_number", normalize: "trim" },
        { label: "CDM", left: "cdm_code", right: "cdm_code", normalize: "trim" },
      ],
      amount: { absCents: 100 },
      date: { left: "service_date", right: "service_date", minDays: -1, maxDays: 1 },
      cardinality: "1:1",
      mode: "suggest",
    },
  ],
  exceptions: [
    {
      reason: "late-charge",
      on: "matched",
      when: [{ daysFrom: "left.service_date", to: "right.posting_date", op: ">", value: 3 }],
      keepMatch: true,
      amount: "left",
      lagDays: { from: "left.service_date", to: "right.posting_date" },
      message:
        "Charge {left.transaction_id} / {right.transaction_id} ({left.cdm_code} {left.description}, {amount}) for service on {left.service_date} was posted {right.posting_date}, {lagDays} days late",
    },
  ],
  expected: [],
  unmatchedLeftReason: "missing-in-billing",
  unmatchedRightReason: "missing-in-ehr",
};
