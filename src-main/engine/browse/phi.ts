import type { RowPage } from "../../../src-shared/api";

/**
 * Columns that identify a patient (HIPAA identifiers) and that reconciliation work does
 * not need to see: names, medical record numbers, birth dates. Account and visit numbers
 * stay visible: they are the keys analysts match on (minimum necessary).
 */
export const PATIENT_IDENTIFIER_COLUMNS = new Set(["patient_name", "mrn", "birth_date"]);

export const MASK = "•••";

/** Shows patient identifiers only to users with the phi role; everyone else sees a mask. */
export function maskPatientIdentifiers(page: RowPage): RowPage {
  if (!page.columns.some((c) => PATIENT_IDENTIFIER_COLUMNS.has(c.name))) return page;
  return {
    ...page,
    rows: page.rows.map((row) => {
      const masked = { ...row };
      for (const column of PATIENT_IDENTIFIER_COLUMNS) if (masked[column] != null) masked[column] = MASK;
      return masked;
    }),
  };
}
