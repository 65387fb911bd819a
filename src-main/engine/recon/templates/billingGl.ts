import type { ReconTemplate } from "../../../../src-shared/reconRules";

/**
 * Billing activity summarised the way the GL carries it, against GL journal lines
 * (STANDARDS.md B5 "AR rollforward vs GL"). Left rows are aggregates:
 * - revenue: Σ billing charges per posting day, GL account (CDM → GL crosswalk) and cost
 *   center (department → cost center crosswalk), key `billing:revenue:<day>:<account>:<cc>`;
 * - remittance postings per 835 and account: cash = BPR02, contractual = Σ CO/OA/PI CAS,
 *   patient AR = Σ PR CAS, PLB (L6 interest, otherwise recoupment), payer AR = −Σ CLP03
 *   (835 balancing, B2), key `billing:remit:<trace>:<account>`.
 * Revenue is compared as credit − debit, remittance postings as debit − credit. The
 * patient-AR offset lines of the revenue journals have no billing counterpart by design.
 */
export const billingGl: ReconTemplate = {
  id: "billing-gl",
  name: "Billing to general ledger",
  description: "Billing revenue and remittance postings agree with the GL by day, account, cost center and period.",
  version: 4,
  runOutDays: 7,
  left: {
    label: "Billing activity (summarised)",
    recordTypes: ["charge", "remittancePayment"],
    // Summarised rows name no record: the files behind them are those of the rows summarised.
    lineage: [
      { table: "charge", where: "c.system = 'billing' AND substr(c.posting_date, 1, 10) BETWEEN :from AND :to" },
      { table: "remittance_payment", where: "c.payment_date IS NULL OR c.payment_date >= :from" },
      { table: "crosswalk", where: "c.kind IN ('cdm-gl-account', 'department-cost-center')" },
    ],
    sql: `WITH rev AS (
        SELECT substr(c.posting_date, 1, 10) AS day, COALESCE(xc.to_code, '?') AS account, COALESCE(xd.to_code, '?') AS cost_center,
          MIN(c.department_code) AS department_code, SUM(c.amount_cents) AS amount_cents, COUNT(*) AS charges
        FROM charge c
        LEFT JOIN crosswalk xc ON xc.kind = 'cdm-gl-account' AND xc.from_code = c.cdm_code
          AND (xc.effective_from IS NULL OR xc.effective_from <= c.posting_date) AND (xc.effective_to IS NULL OR c.posting_date <= xc.effective_to)
        LEFT JOIN crosswalk xd ON xd.kind = 'department-cost-center' AND xd.from_code = c.department_code
          AND (xd.effective_from IS NULL OR xd.effective_from <= c.posting_date) AND (xd.effective_to IS NULL OR c.posting_date <= xd.effective_to)
        WHERE c.system = 'billing' AND substr(c.posting_date, 1, 10) BETWEEN :from AND :to
        GROUP BY 1, 2, 3
        -- A charge and its reversal on the same day net to nothing, and the GL posts no line.
        HAVING SUM(c.amount_cents) <> 0
      ),
      remit AS (SELECT trace_number, payment_date, amount_cents FROM remittance_payment WHERE payment_date IS NULL OR payment_date >= :from),
      posting AS (
        SELECT trace_number, '1010' AS account, amount_cents FROM remit
        UNION ALL SELECT ra.trace_number, '4900', SUM(ra.amount_cents) FROM remittance_adjustment ra JOIN remit r ON r.trace_number = ra.trace_number
          -- Every group but patient responsibility: CO, OA, PI, and OI / CR as 4010 payers still send them.
          WHERE ra.group_code <> 'PR' GROUP BY ra.trace_number
        UNION ALL SELECT ra.trace_number, '1220', SUM(ra.amount_cents) FROM remittance_adjustment ra JOIN remit r ON r.trace_number = ra.trace_number
          WHERE ra.group_code = 'PR' GROUP BY ra.trace_number
        UNION ALL SELECT pa.trace_number, CASE WHEN pa.reason_code = 'L6' THEN '7100' ELSE '2160' END, SUM(pa.amount_cents)
          FROM provider_adjustment pa JOIN remit r ON r.trace_number = pa.trace_number GROUP BY 1, 2
        UNION ALL SELECT cp.trace_number, '1200', -SUM(cp.charge_cents) FROM claim_payment cp JOIN remit r ON r.trace_number = cp.trace_number
          GROUP BY cp.trace_number
      ),
      remit_bucket AS (SELECT trace_number, account, SUM(amount_cents) AS amount_cents FROM posting GROUP BY 1, 2)
      SELECT 'billing:revenue:' || day || ':' || account || ':' || cost_center AS row_key, NULL AS source_table, NULL AS source_id,
        amount_cents, day AS row_date, 'revenue' AS kind, day, account, cost_center, department_code, charges, NULL AS trace_number,
        substr(day, 1, 7) AS expected_period,
        'revenue:' || day || ':' || account || ':' || cost_center AS match_key,
        'revenue:' || day || ':' || account AS loose_key
      FROM rev
      UNION ALL
      SELECT 'billing:remit:' || trace_number || ':' || account, NULL, NULL, amount_cents, NULL, 'remit', NULL, account, NULL, NULL, NULL,
        trace_number, 'any', 'remit:' || trace_number || ':' || account, 'remit:' || trace_number || ':' || account
      FROM remit_bucket WHERE amount_cents <> 0
      ORDER BY row_key`,
  },
  right: {
    label: "GL journal lines",
    recordTypes: ["journalLine"],
    // The billing interface names its batch "BILL-INTERFACE YYYYMMDD": that is the billing day a
    // revenue journal carries, even when it was posted on another date or to another period.
    sql: `WITH j AS (
        SELECT jl.*, CASE WHEN jl.reference GLOB 'BILL-INTERFACE [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'
            THEN substr(jl.reference, 16, 4) || '-' || substr(jl.reference, 20, 2) || '-' || substr(jl.reference, 22, 2)
            ELSE jl.accounting_date END AS billed_day
        FROM journal_line jl
        WHERE jl.accounting_date >= :from AND (jl.accounting_date <= :to OR jl.journal_source = 'REMITTANCE')
      )
      SELECT j.journal_id || ':' || j.line_number AS row_key, 'journal_line' AS source_table, j.id AS source_id,
        CASE WHEN j.journal_source = 'REMITTANCE' THEN j.debit_cents - j.credit_cents ELSE j.credit_cents - j.debit_cents END AS amount_cents,
        j.accounting_date AS row_date, j.journal_id, j.line_number, j.period, j.accounting_date, j.billed_day, j.account, j.cost_center,
        j.department_code, j.journal_source, j.reference, j.description,
        CASE WHEN j.journal_source = 'REMITTANCE' THEN 'any' ELSE j.period END AS period_key,
        CASE WHEN j.journal_source = 'REMITTANCE' THEN 'remit:' || j.reference || ':' || j.account
          ELSE 'revenue:' || j.billed_day || ':' || j.account || ':' || COALESCE(j.cost_center, '?') END AS match_key,
        CASE WHEN j.journal_source = 'REMITTANCE' THEN 'remit:' || j.reference || ':' || j.account
          ELSE 'revenue:' || j.billed_day || ':' || j.account END AS loose_key
      FROM j
      ORDER BY j.journal_id, j.line_number`,
  },
  passes: [
    {
      id: "exact",
      label: "Day, account, cost center and period",
      keys: [
        { label: "bucket", left: "match_key", right: "match_key" },
        { label: "period", left: "expected_period", right: "period_key" },
      ],
      amount: { absCents: 0 },
      cardinality: "1:1",
      mode: "auto",
    },
    {
      id: "other-cost-center",
      label: "Day, account and period; cost center differs",
      keys: [
        { label: "bucket", left: "loose_key", right: "loose_key" },
        { label: "period", left: "expected_period", right: "period_key" },
      ],
      amount: { absCents: 0 },
      cardinality: "1:1",
      mode: "auto",
    },
    {
      id: "other-period",
      label: "Day, account and cost center; posted to another period",
      keys: [{ label: "bucket", left: "match_key", right: "match_key" }],
      amount: { absCents: 0 },
      cardinality: "1:1",
      mode: "auto",
    },
    {
      // What is left of a bucket on both sides after the passes above: the GL posted the day's
      // revenue in another amount. One break for the difference, not two for the whole amounts.
      id: "amount-differs",
      label: "Day, account, cost center and period; amount differs",
      keys: [
        { label: "bucket", left: "match_key", right: "match_key" },
        { label: "period", left: "expected_period", right: "period_key" },
      ],
      cardinality: "1:1",
      mode: "auto",
    },
  ],
  exceptions: [
    {
      reason: "wrong-cost-center",
      on: "matched",
      when: [{ field: "group.pass", op: "=", value: "other-cost-center" }],
      keepMatch: true,
      amount: "left",
      expected: "left.cost_center",
      found: "right.cost_center",
      message:
        "GL line {right.row_key} posts {amount} of {left.account} revenue for {left.day} to cost center {right.cost_center}; billing department {left.department_code} maps to {left.cost_center}",
      correction: "gl-reclass-cost-center",
    },
    {
      reason: "wrong-period",
      on: "matched",
      when: [{ field: "group.pass", op: "=", value: "other-period" }],
      keepMatch: true,
      amount: "left",
      expected: "left.expected_period",
      found: "right.period",
      message:
        "GL line {right.row_key} ({left.account}/{left.cost_center}, {amount}, billed {left.day}) was posted to period {right.period} instead of {left.expected_period}",
      correction: "gl-reclass-period",
    },
    {
      reason: "amount-differs",
      on: "matched",
      when: [{ field: "group.pass", op: "=", value: "amount-differs" }],
      keepMatch: true,
      amount: "difference",
      expected: "left.amount_cents",
      found: "right.amount_cents",
      message:
        "GL line {right.row_key} posts {right.amount_cents} of {right.account} for {right.billed_day} where billing has {left.amount_cents}: {amount} apart",
      correction: "gl-amount-difference",
    },
  ],
  expected: [
    {
      reason: "offset-line",
      on: "unmatched-right",
      when: [
        { field: "right.journal_source", op: "=", value: "PATIENT BILLING" },
        { field: "right.account", op: "=", value: "1200" },
      ],
    },
  ],
  unmatchedLeftReason: "missing-in-gl",
  unmatchedRightReason: "gl-without-billing",
  params: { patientArAccount: "1200" },
};
