import type { CanonicalType, SourceSystem } from "./model";

/**
 * How a column's text becomes a canonical field's value.
 * - text: trimmed string, empty → null
 * - decimal-cents: "1,234.50" / "(12.00)" / "12.00-" → integer cents
 * - integer-cents: the column already holds cents
 * - number: a plain number (quantities)
 * - date: a calendar date in the profile's `dateFormat`, → YYYY-MM-DD
 * - boolean: Y/N, true/false, 1/0
 */
export type ColumnTransform = "text" | "decimal-cents" | "integer-cents" | "number" | "date" | "boolean";

export interface ColumnMapping {
  /** Header text in the file, matched case-insensitively after trimming. */
  column: string;
  transform: ColumnTransform;
}

/**
 * A saved column-mapping profile: a user maps a layout once, and later files whose
 * header row has the same signature import without asking.
 */
export interface MappingProfile {
  id: string;
  name: string;
  recordType: CanonicalType;
  system: SourceSystem;
  /** Normalised header names (lower-case, trimmed) in file order; identifies the layout. */
  headers: string[];
  /** Canonical field name → source column. */
  fields: Record<string, ColumnMapping>;
  /** Canonical fields whose value is the same on every row (e.g. `system`, `ledger`). */
  constants?: Record<string, string | number | boolean | null>;
  /** Date format for `date` columns: "YYYY-MM-DD", "MM/DD/YYYY", "YYYYMMDD", "DD/MM/YYYY". */
  dateFormat: string;
  delimiter?: string;
}
