import type { ReconTemplate } from "../../../../src-shared/reconRules";

/** EHR encounters (ADT) against billing accounts, by visit number (DESIGN.md templates; STANDARDS.md B1 PV1-19). */
export const registrationBilling: ReconTemplate = {
  id: "registration-billing",
  name: "Registration to billing",
  description: "Every registered encounter has a billing account with the same attributes (attending NPI, class, financial class).",
  version: 2,
  runOutDays: 7,
  left: {
    label: "EHR encounters",
    recordTypes: ["encounter"],
    sql: `SELECT e.visit_number AS row_key, 'encounter' AS source_table, e.id AS source_id, NULL AS amount_cents,
        substr(e.admit_at, 1, 10) AS row_date, e.visit_number, e.account_number, e.mrn, e.patient_class,
        e.attending_npi, e.financial_class, e.department_code, e.status, e.last_event
      FROM encounter e
      WHERE e.system = 'ehr' AND (e.admit_at IS NULL OR substr(e.admit_at, 1, 10) BETWEEN :from AND :to)
      ORDER BY e.visit_number`,
  },
  right: {
    label: "Billing accounts",
    recordTypes: ["encounter"],
    sql: `SELECT e.visit_number AS row_key, 'encounter' AS source_table, e.id AS source_id, NULL AS amount_cents,
        substr(e.admit_at, 1, 10) AS row_date, e.visit_number, e.account_number, e.mrn, e.patient_class,
        e.attending_npi, e.financial_class, e.department_code, e.status
      FROM encounter e
      WHERE e.system = 'billing' AND (e.admit_at IS NULL OR substr(e.admit_at, 1, 10) BETWEEN :from AND :to)
      ORDER BY e.visit_number`,
  },
  passes: [
    {
      id: "visit",
      label: "Visit number",
      keys: [{ label: "visit", left: "visit_number", right: "visit_number", normalize: "trim" }],
      cardinality: "1:1",
      mode: "auto",
    },
  ],
  exceptions: [
    {
      // A11 cancelled the visit in the EHR; an account still open in billing can be billed.
      reason: "cancelled-in-ehr",
      on: "matched",
      when: [
        { field: "left.status", op: "=", value: "cancelled" },
        { field: "right.status", op: "!=", value: "cancelled" },
      ],
      keepMatch: true,
      expected: "const:cancelled",
      found: "right.status",
      message:
        "Encounter {left.visit_number} was cancelled in the EHR ({left.last_event}) but billing account {right.account_number} is still {right.status}",
    },
    {
      reason: "attribute-mismatch",
      on: "matched",
      when: [
        {
          differs: [
            ["attending_npi", "attending_npi"],
            ["patient_class", "patient_class"],
            ["financial_class", "financial_class"],
            ["account_number", "account_number"],
          ],
        },
      ],
      keepMatch: true,
      message: "Encounter {left.visit_number}: {differs} (an A08 update not applied in billing)",
      correction: "master-data-fix",
    },
  ],
  expected: [{ reason: "cancelled-encounter", on: "unmatched-left", when: [{ field: "left.status", op: "=", value: "cancelled" }] }],
  unmatchedLeftReason: "missing-billing-account",
  unmatchedRightReason: "billing-account-without-encounter",
};
