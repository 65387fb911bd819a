import { centsText, csvRow, type ErpJournal } from "./erpDocuments";
import { GL_INTERFACE_COLUMNS, type GlInterfaceColumn } from "./glInterfaceColumns";

export type SegmentSource = "account" | "costCenter" | "departmentCode";

export interface FbdiOptions {
  /** LEDGER_ID: the Fusion ledger's numeric id. */
  ledgerId: string;
  currency: string;
  /** GROUP_ID: groups the rows of one import run (a positive integer). */
  groupId: number;
  /** YYYY-MM-DD; DATE_CREATED. */
  createdDate: string;
  /** Which journal-line field fills SEGMENT1, SEGMENT2, ... (the chart of accounts' segment order). */
  segments?: SegmentSource[];
  /** REFERENCE1, the batch name. Default "Tieout <groupId>". */
  batchName?: string;
}

const DEFAULT_SEGMENTS: SegmentSource[] = ["account", "costCenter", "departmentCode"];

/** FBDI dates are YYYY/MM/DD (the template's date format). */
const fbdiDate = (isoDate: string): string => isoDate.replace(/-/g, "/");

/**
 * Writes journals as rows of GL_INTERFACE for Oracle Fusion's FBDI import: one row per
 * line, STATUS=NEW, ACTUAL_FLAG=A, entered debit or credit, journal and batch names in
 * REFERENCE1/4, line descriptions in REFERENCE10 (STANDARDS.md B4). No header row: the
 * import reads the file by column position. Each journal must balance, or Fusion posts
 * the difference to suspense, so an unbalanced journal is refused here.
 */
export function writeFbdiGlInterface(journals: ErpJournal[], options: FbdiOptions): string {
  if (!/^\d+$/.test(options.ledgerId)) throw new Error(`FBDI LEDGER_ID must be a number, found "${options.ledgerId}"`);
  if (!Number.isSafeInteger(options.groupId) || options.groupId <= 0) throw new Error(`FBDI GROUP_ID must be a positive integer`);
  const segments = options.segments ?? DEFAULT_SEGMENTS;
  const lines: string[] = [];
  for (const journal of journals) {
    assertBalanced(journal);
    journal.lines.forEach((line) => {
      const row = new Map<GlInterfaceColumn, string>([
        ["STATUS", "NEW"],
        ["LEDGER_ID", options.ledgerId],
        ["ACCOUNTING_DATE", fbdiDate(journal.accountingDate)],
        ["USER_JE_SOURCE_NAME", journal.source],
        ["USER_JE_CATEGORY_NAME", journal.category],
        ["CURRENCY_CODE", options.currency],
        ["DATE_CREATED", fbdiDate(options.createdDate)],
        ["ACTUAL_FLAG", "A"],
        ["ENTERED_DR", line.debitCents > 0 ? centsText(line.debitCents) : ""],
        ["ENTERED_CR", line.creditCents > 0 ? centsText(line.creditCents) : ""],
        ["REFERENCE1", options.batchName ?? `Tieout ${options.groupId}`],
        ["REFERENCE4", journal.journalId],
        ["REFERENCE5", journal.description ?? ""],
        ["REFERENCE10", line.description ?? ""],
        ["GROUP_ID", String(options.groupId)],
      ]);
      segments.forEach((source, index) => {
        row.set(`SEGMENT${index + 1}` as GlInterfaceColumn, line[source] ?? "");
      });
      lines.push(csvRow(GL_INTERFACE_COLUMNS.map((column) => row.get(column) ?? "")));
    });
  }
  return lines.map((l) => `${l}\r\n`).join("");
}

export function assertBalanced(journal: ErpJournal): void {
  let debits = 0;
  let credits = 0;
  for (const line of journal.lines) {
    debits += line.debitCents;
    credits += line.creditCents;
  }
  if (debits !== credits) {
    throw new Error(`journal ${journal.journalId} does not balance: debits ${centsText(debits)}, credits ${centsText(credits)}`);
  }
}
