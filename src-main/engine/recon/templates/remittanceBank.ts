import type { ReconTemplate } from "../../../../src-shared/reconRules";

/**
 * 835 payments (BPR/TRN) against BAI2 deposits: ERA reassociation (STANDARDS.md B3). The
 * deposit's CCD+ addenda carry TRN02 (one per ERA when a payer bundles several into one
 * ACH credit); BPR02 = amount exactly; BPR16 to the bank date within −1..+3 days (B5).
 */
export const remittanceBank: ReconTemplate = {
  id: "remittance-bank",
  name: "Remittance to bank (cash)",
  description: "Every ERA is deposited and every healthcare deposit has its ERA: bundled ERAs, fees, trace mismatches, unapplied cash.",
  version: 3,
  runOutDays: 7,
  left: {
    label: "835 payments",
    recordTypes: ["remittancePayment"],
    sql: `SELECT rp.trace_number AS row_key, 'remittance_payment' AS source_table, rp.id AS source_id, rp.amount_cents,
        rp.payment_date AS row_date, rp.trace_number, rp.payer_identifier, rp.payer_name, rp.payment_method, rp.payment_date,
        CASE WHEN rp.payment_date > (SELECT MAX(b.as_of_date) FROM bank_transaction b WHERE b.as_of_date BETWEEN :from AND :to)
          THEN 1 ELSE 0 END AS after_statement
      FROM remittance_payment rp
      WHERE rp.payment_date IS NULL OR rp.payment_date BETWEEN :from AND :to
      ORDER BY rp.payment_date, rp.trace_number`,
  },
  right: {
    label: "Bank deposits (BAI2)",
    recordTypes: ["bankTransaction"],
    sql: `SELECT b.bank_transaction_id AS row_key, 'bank_transaction' AS source_table, b.id AS source_id, b.amount_cents,
        b.as_of_date AS row_date, b.as_of_date, b.type_code, b.bank_reference, b.reassociation_trace, b.reassociation_payer_id,
        COALESCE(b.text, '') || ' ' || CASE WHEN b.reassociation_trace IS NULL THEN ''
          ELSE 'TRN*1*' || b.reassociation_trace || '*' || COALESCE(b.reassociation_payer_id, '') || '\\' END AS addenda
      FROM bank_transaction b
      WHERE b.as_of_date BETWEEN :from AND :to
      ORDER BY b.as_of_date, b.bank_transaction_id`,
  },
  passes: [
    {
      id: "trace",
      label: "EFT trace (TRN02) in the deposit addenda, amount exact",
      keys: [{ label: "trace", left: "trace_number", right: "addenda", leftNormalize: "trim", rightNormalize: "trnTraces" }],
      amount: { absCents: 0 },
      date: { left: "payment_date", right: "as_of_date", minDays: -1, maxDays: 3 },
      cardinality: "N:1",
      maxGroup: 8,
      mode: "auto",
    },
    {
      id: "trace-zeros",
      label: "Trace equal once leading zeros are dropped, amount exact",
      keys: [
        {
          label: "trace",
          left: "trace_number",
          right: "addenda",
          leftNormalize: "stripLeadingZeros",
          rightNormalize: ["trnTraces", "stripLeadingZeros"],
        },
      ],
      amount: { absCents: 0 },
      date: { left: "payment_date", right: "as_of_date", minDays: -1, maxDays: 3 },
      cardinality: "N:1",
      maxGroup: 8,
      mode: "auto",
    },
    {
      id: "net-of-fee",
      label: "Trace equal, deposit smaller by a payment fee (up to $50.00 or 1%); bundled ERAs too",
      keys: [{ label: "trace", left: "trace_number", right: "addenda", leftNormalize: "trim", rightNormalize: "trnTraces" }],
      amount: { absCents: 5000, pct: 1, direction: "rightLess" },
      date: { left: "payment_date", right: "as_of_date", minDays: -1, maxDays: 3 },
      cardinality: "N:1",
      maxGroup: 8,
      mode: "auto",
    },
    {
      id: "payer-amount",
      label: "Same payer (TRN03), amount exact, trace nearly equal (a keying error)",
      // The amount is part of the block key, not only a check: a payer alone blocks far too coarsely.
      keys: [
        { label: "payer", left: "payer_identifier", right: "reassociation_payer_id", normalize: "trim" },
        { label: "amount", left: "amount_cents", right: "amount_cents" },
      ],
      amount: { absCents: 0 },
      date: { left: "payment_date", right: "as_of_date", minDays: -1, maxDays: 3 },
      text: [{ label: "trace", left: "trace_number", right: "reassociation_trace", method: "jaro-winkler", min: 0.85 }],
      cardinality: "1:1",
      mode: "auto",
    },
    {
      // A bundled deposit with an ERA not on file: the ERAs whose traces its addenda carry are
      // applied, and only the rest of the deposit is unapplied cash. The traces are the evidence;
      // the amount only has to leave something over.
      id: "partial-bundle",
      label: "Traces in the deposit's addenda, deposit larger than those ERAs (one not on file)",
      keys: [{ label: "trace", left: "trace_number", right: "addenda", leftNormalize: "trim", rightNormalize: "trnTraces" }],
      amount: { absCents: 100_000_000, direction: "rightMore" },
      date: { left: "payment_date", right: "as_of_date", minDays: -1, maxDays: 3 },
      cardinality: "N:1",
      maxGroup: 8,
      mode: "auto",
    },
  ],
  exceptions: [
    {
      reason: "unapplied-cash",
      on: "matched",
      when: [{ field: "group.pass", op: "=", value: "partial-bundle" }],
      keepMatch: true,
      amount: "absDifference",
      message:
        "Deposit {right.bank_reference} ({right.amount_cents}, {right.as_of_date}) is {amount} more than the ERAs on file among its addenda traces ({keys}): that part has no 835 on file",
      correction: "unapplied-cash-journal",
    },
    {
      reason: "trace-mismatch",
      on: "matched",
      when: [{ field: "group.pass", op: "in", values: ["trace-zeros", "payer-amount"] }],
      keepMatch: true,
      amount: "right",
      expected: "left.trace_number",
      found: "right.reassociation_trace",
      message: "Deposit {right.bank_reference} carries addenda trace {right.reassociation_trace} but the 835 TRN02 is {left.trace_number}",
    },
    {
      reason: "net-of-fee",
      on: "matched",
      when: [{ field: "group.pass", op: "=", value: "net-of-fee" }],
      keepMatch: true,
      amount: "absDifference",
      message:
        "Deposit {right.bank_reference} of {right.amount_cents} is ERA {left.trace_number} ({left.amount_cents}) net of a {amount} fee",
      correction: "bank-fee-journal",
    },
    {
      reason: "unapplied-cash",
      on: "unmatched-right",
      when: [{ field: "right.reassociation_trace", op: "notNull" }],
      amount: "right",
      message:
        "Deposit {right.bank_reference} ({right.type_code}, {amount}, {right.as_of_date}) has healthcare-payment addenda but no 835 on file",
      correction: "unapplied-cash-journal",
    },
  ],
  expected: [
    { reason: "non-era-deposit", on: "unmatched-right", when: [{ field: "right.reassociation_trace", op: "isNull" }] },
    { reason: "eft-after-statement", on: "unmatched-left", when: [{ field: "left.after_statement", op: "=", value: 1 }] },
  ],
  unmatchedLeftReason: "missing-deposit",
  unmatchedRightReason: "unapplied-cash",
  params: { cashAccount: "1010", unappliedCashAccount: "2150", bankFeeAccount: "7200", cashCostCenter: "90100" },
};
