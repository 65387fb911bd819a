/**
 * What Tieout pushes to an ERP, in plain data: the shapes the HTTP/JSON connector posts
 * and the file writers turn into import files. Amounts are integer cents.
 */

export interface ErpJournalLine {
  account: string;
  costCenter: string | null;
  departmentCode: string | null;
  debitCents: number;
  creditCents: number;
  description: string | null;
}

export interface ErpJournal {
  /** Tieout's name for the journal (e.g. "ADJ-000012"), carried into the ERP's references. */
  journalId: string;
  ledger: string;
  /** YYYY-MM. */
  period: string;
  /** YYYY-MM-DD. */
  accountingDate: string;
  source: string;
  category: string;
  description: string | null;
  lines: ErpJournalLine[];
}

export interface ErpInventoryAdjustment {
  item: string;
  location: string;
  quantity: number;
  unitCostCents: number | null;
  reason: string;
  reference: string | null;
}

export interface ErpMasterDataFix {
  entity: string;
  key: string;
  field: string;
  oldValue: string | null;
  newValue: string | null;
}

export type ErpDocumentRequest =
  | { kind: "journal"; body: ErpJournal }
  | { kind: "inventory-adjustment"; body: ErpInventoryAdjustment }
  | { kind: "master-data-fix"; body: ErpMasterDataFix };

/** The HTTP path of each document kind on the ERP's JSON API. */
export const ERP_PATHS: Record<ErpDocumentRequest["kind"], string> = {
  journal: "/api/gl/journals",
  "inventory-adjustment": "/api/inventory/adjustments",
  "master-data-fix": "/api/master-data/fixes",
};

/** Integer cents as a decimal string without floating point: 10000 → "100.00", -5 → "-0.05". */
export function centsText(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`cents must be a safe integer, got ${cents}`);
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** One CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: (string | number | null | undefined)[]): string {
  return values.map(csvField).join(",");
}
