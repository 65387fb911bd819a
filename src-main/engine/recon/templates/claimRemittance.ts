import type { ReconTemplate } from "../../../../src-shared/reconRules";

/**
 * 837 claims against 835 claim payments, CLM01 = CLP01 (STANDARDS.md B2). A claim may be
 * paid over several 835s, or paid, reversed (CLP02=22) and corrected: 1:N on the claim id.
 * Denials are CLP02=4. Underpayments are found against the contract rate, which is taken
 * as each payer's most common allowed ratio (allowed = SVC02 − CO-45) on lines of $100 or
 * more; a line allowed more than 5% below it is short.
 */
export const claimRemittance: ReconTemplate = {
  id: "claim-remittance",
  name: "Claim to remittance",
  description: "Every claim is paid as contracted: denials and underpayments by CARC; claims not yet remitted are listed, not raised.",
  version: 4,
  runOutDays: 7,
  left: {
    label: "Claims (837)",
    recordTypes: ["claim"],
    sql: `SELECT c.claim_id AS row_key, 'claim' AS source_table, c.id AS source_id, c.total_charge_cents AS amount_cents,
        c.service_from AS row_date, c.claim_id, c.account_number, c.payer_id, c.payer_name, c.kind, c.frequency_code
      FROM claim c
      WHERE c.service_from IS NULL OR c.service_from BETWEEN :from AND :to
      ORDER BY c.claim_id`,
  },
  right: {
    label: "Claim payments (835 CLP)",
    recordTypes: ["claimPayment"],
    sql: `WITH lb AS (
        SELECT ra.trace_number, ra.claim_id, ra.claim_sequence, rp.payer_identifier AS payer, sp.charge_cents,
          sp.charge_cents - ra.amount_cents AS allowed_cents,
          CAST(ROUND((sp.charge_cents - ra.amount_cents) * 10000.0 / sp.charge_cents) AS INTEGER) AS bps
        FROM remittance_adjustment ra
        JOIN service_payment sp ON sp.trace_number = ra.trace_number AND sp.claim_id = ra.claim_id
          AND sp.claim_sequence = ra.claim_sequence AND sp.sequence = ra.service_sequence
        JOIN remittance_payment rp ON rp.trace_number = ra.trace_number
        WHERE ra.group_code = 'CO' AND ra.reason_code = '45' AND sp.charge_cents > 0
      ),
      contract AS (
        SELECT payer, bps FROM (
          SELECT payer, bps, ROW_NUMBER() OVER (PARTITION BY payer ORDER BY COUNT(*) DESC, bps) AS rn
          FROM lb WHERE charge_cents >= 10000 GROUP BY payer, bps
        ) WHERE rn = 1
      ),
      -- A payment taken back by a reversal (CLP02=22, the same amounts negated) stands for nothing:
      -- its denial or short payment was corrected, and the claim is judged by what replaced it.
      -- Each reversal takes back one payment, the earliest not yet taken back with the same amounts:
      -- a claim denied, reversed and denied again on reprocessing still stands denied.
      reversed AS (
        SELECT o.id FROM (
          SELECT cp.id, cp.claim_id, cp.charge_cents, cp.paid_cents, ROW_NUMBER() OVER (
            PARTITION BY cp.claim_id, cp.charge_cents, cp.paid_cents ORDER BY COALESCE(rp.payment_date, ''), cp.id) AS n
          FROM claim_payment cp JOIN remittance_payment rp ON rp.trace_number = cp.trace_number WHERE cp.status_code <> '22'
        ) o JOIN (
          SELECT r.claim_id, -r.charge_cents AS charge_cents, -r.paid_cents AS paid_cents, ROW_NUMBER() OVER (
            PARTITION BY r.claim_id, r.charge_cents, r.paid_cents ORDER BY COALESCE(rp.payment_date, ''), r.id) AS n
          FROM claim_payment r JOIN remittance_payment rp ON rp.trace_number = r.trace_number WHERE r.status_code = '22'
        ) v ON v.claim_id = o.claim_id AND v.charge_cents = o.charge_cents AND v.paid_cents = o.paid_cents AND v.n = o.n
      ),
      shortfall AS (
        SELECT lb.trace_number, lb.claim_id, lb.claim_sequence, c.bps AS contract_bps, MIN(lb.bps) AS min_bps,
          SUM(CAST(ROUND(lb.charge_cents * c.bps / 10000.0) AS INTEGER)) AS contract_allowed_cents,
          SUM(lb.allowed_cents) AS allowed_cents
        FROM lb JOIN contract c ON c.payer = lb.payer
        GROUP BY lb.trace_number, lb.claim_id, lb.claim_sequence
      )
      SELECT cp.trace_number || ':' || cp.claim_id || ':' || cp.sequence AS row_key, 'claim_payment' AS source_table,
        cp.id AS source_id, cp.paid_cents AS amount_cents, rp.payment_date AS row_date, cp.claim_id, cp.trace_number,
        cp.status_code, cp.charge_cents, cp.paid_cents, rp.payer_name, rp.payer_identifier,
        (SELECT ra.reason_code FROM remittance_adjustment ra WHERE ra.trace_number = cp.trace_number AND ra.claim_id = cp.claim_id
           AND ra.claim_sequence = cp.sequence ORDER BY ra.group_code = 'PR', ra.id LIMIT 1) AS first_carc,
        s.contract_bps, s.min_bps,
        CASE WHEN rv.id IS NULL AND s.min_bps * 100 < s.contract_bps * 95 THEN 1 ELSE 0 END AS underpaid,
        CASE WHEN rv.id IS NULL AND s.min_bps * 100 < s.contract_bps * 95 THEN s.contract_allowed_cents - s.allowed_cents ELSE 0 END AS short_cents,
        CASE WHEN rv.id IS NULL AND cp.status_code = '4' THEN 1 ELSE 0 END AS denied,
        CASE WHEN rv.id IS NULL THEN 0 ELSE 1 END AS reversed
      FROM claim_payment cp
      JOIN remittance_payment rp ON rp.trace_number = cp.trace_number
      LEFT JOIN shortfall s ON s.trace_number = cp.trace_number AND s.claim_id = cp.claim_id AND s.claim_sequence = cp.sequence
      LEFT JOIN reversed rv ON rv.id = cp.id
      WHERE rp.payment_date IS NULL OR rp.payment_date >= :from
      ORDER BY row_key`,
  },
  passes: [
    {
      id: "claim-id",
      label: "Patient control number (CLM01 = CLP01)",
      keys: [{ label: "claim", left: "claim_id", right: "claim_id", normalize: "trim" }],
      cardinality: "1:N",
      maxGroup: 20,
      mode: "auto",
    },
  ],
  exceptions: [
    {
      reason: "denial",
      on: "matched",
      // One column, not status and "not reversed" apart: a condition holds when any row of the
      // group meets it, and a reversed denial sits in the same group as its corrected payment.
      when: [{ field: "right.denied", op: "=", value: 1 }],
      keepMatch: true,
      amount: { column: "right.charge_cents" },
      reasonCode: "right.first_carc",
      message: "Claim {left.claim_id} ({left.payer_name}, {amount}) was denied: CLP02=4, CARC {right.first_carc}",
    },
    {
      reason: "underpayment",
      on: "matched",
      when: [{ field: "right.underpaid", op: "=", value: 1 }],
      keepMatch: true,
      amount: { column: "right.short_cents" },
      reasonCode: "const:45",
      message: "Claim {left.claim_id} ({left.payer_name}) was allowed below contract on {right.trace_number}: {amount} short (CO-45)",
    },
  ],
  expected: [{ reason: "awaiting-remittance", on: "unmatched-left", when: [] }],
  unmatchedLeftReason: "awaiting-remittance",
  unmatchedRightReason: "remittance-without-claim",
};
