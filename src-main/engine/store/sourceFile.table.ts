import type { Generated } from "kysely";

/** One imported file: its hash makes a second import of the same bytes a no-op. */
export interface SourceFileTable {
  id: Generated<number>;
  file_name: string;
  path: string | null;
  format: string | null;
  system: string | null;
  size_bytes: number;
  sha256: string;
  received_at: string;
  /** importing while a job works on it; partial when it was cancelled or failed part-way. */
  status: "importing" | "complete" | "partial";
  units: number;
  loaded: number;
  quarantined: number;
  duplicates: number;
  issues_json: string;
  /** CSV/XLSX header row, kept so a quarantined row can be corrected and replayed alone. */
  header_line: string | null;
}
