import * as XLSX from "xlsx";
import { centsText, csvRow, type ErpDocumentRequest } from "./erpDocuments";

/** The generic export's columns: one row per journal line, inventory adjustment or master-data fix. */
export const GENERIC_COLUMNS = [
  "document_kind",
  "document_id",
  "ledger",
  "period",
  "accounting_date",
  "line_number",
  "account",
  "cost_center",
  "department_code",
  "debit",
  "credit",
  "description",
  "item",
  "location",
  "quantity",
  "unit_cost",
  "reason",
  "entity",
  "key",
  "field",
  "old_value",
  "new_value",
] as const;

type GenericRow = Record<(typeof GENERIC_COLUMNS)[number], string | number | null>;

function emptyRow(): GenericRow {
  return Object.fromEntries(GENERIC_COLUMNS.map((c) => [c, null])) as GenericRow;
}

export function genericRows(documents: { documentId: string; request: ErpDocumentRequest }[]): GenericRow[] {
  const rows: GenericRow[] = [];
  for (const { documentId, request } of documents) {
    if (request.kind === "journal") {
      const j = request.body;
      j.lines.forEach((line, index) => {
        rows.push({
          ...emptyRow(),
          document_kind: "journal",
          document_id: documentId,
          ledger: j.ledger,
          period: j.period,
          accounting_date: j.accountingDate,
          line_number: index + 1,
          account: line.account,
          cost_center: line.costCenter,
          department_code: line.departmentCode,
          debit: centsText(line.debitCents),
          credit: centsText(line.creditCents),
          description: line.description ?? j.description,
        });
      });
    } else if (request.kind === "inventory-adjustment") {
      const a = request.body;
      rows.push({
        ...emptyRow(),
        document_kind: "inventory-adjustment",
        document_id: documentId,
        item: a.item,
        location: a.location,
        quantity: String(a.quantity),
        unit_cost: a.unitCostCents === null ? null : centsText(a.unitCostCents),
        reason: a.reason,
        description: a.reference,
      });
    } else {
      const f = request.body;
      rows.push({
        ...emptyRow(),
        document_kind: "master-data-fix",
        document_id: documentId,
        entity: f.entity,
        key: f.key,
        field: f.field,
        old_value: f.oldValue,
        new_value: f.newValue,
      });
    }
  }
  return rows;
}

/** Generic CSV with a header row; amounts as exact decimal strings. */
export function writeGenericCsv(documents: { documentId: string; request: ErpDocumentRequest }[]): string {
  const lines = [csvRow([...GENERIC_COLUMNS]), ...genericRows(documents).map((row) => csvRow(GENERIC_COLUMNS.map((c) => row[c])))];
  return lines.map((l) => `${l}\r\n`).join("");
}

/**
 * Generic XLSX: the same rows on one sheet. Amounts are written as text cells holding the
 * exact decimal, so no spreadsheet float ever stands in for money.
 */
export function writeGenericXlsx(documents: { documentId: string; request: ErpDocumentRequest }[]): Uint8Array {
  const rows = genericRows(documents);
  const sheet = XLSX.utils.aoa_to_sheet([[...GENERIC_COLUMNS], ...rows.map((row) => GENERIC_COLUMNS.map((c) => row[c] ?? ""))]);
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, sheet, "Adjustments");
  return XLSX.write(book, { type: "buffer", bookType: "xlsx", compression: true }) as Uint8Array;
}
