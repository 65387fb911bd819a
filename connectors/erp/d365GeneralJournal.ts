import { assertBalanced } from "./fbdiGlInterface";
import { centsText, csvRow, type ErpJournal } from "./erpDocuments";

/**
 * Columns of the D365 Finance "General journal" data entity (LedgerJournalEntity) that we
 * fill, in the order of Microsoft's example file (learn.microsoft.com
 * "entity-general-journal"; shared/corpus/erp/dynamics365-general-journal). Data management
 * maps columns by header name, so the header row is part of the file.
 */
export const D365_GENERAL_JOURNAL_COLUMNS = [
  "JOURNALNAME",
  "DESCRIPTION",
  "JOURNALBATCHNUMBER",
  "ACCOUNTTYPE",
  "ACCOUNTDISPLAYVALUE",
  "LINENUMBER",
  "TRANSDATE",
  "VOUCHER",
  "CURRENCYCODE",
  "DEBITAMOUNT",
  "CREDITAMOUNT",
] as const;

export interface D365Options {
  /** JOURNALNAME, the journal name set up in D365 (e.g. "GenJrn"). */
  journalName: string;
  currency: string;
  /** How ACCOUNTDISPLAYVALUE joins main account and dimensions; default "-" as in "401100---". */
  dimensionSeparator?: string;
  /** Number of dimension slots after the main account; default 3. */
  dimensionSlots?: number;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The example file's date form: 11-Nov-2023. */
function d365Date(isoDate: string): string {
  const [year, month, day] = isoDate.split("-");
  return `${day}-${MONTHS[Number(month) - 1]}-${year}`;
}

/**
 * Writes journals as a LedgerJournalEntity CSV: one row per line, ACCOUNTTYPE Ledger, the
 * main account with cost center and department as dimensions in ACCOUNTDISPLAYVALUE
 * ("600100-CC100-D200-"), one voucher per journal so each voucher balances (STANDARDS.md B4).
 */
export function writeD365GeneralJournal(journals: ErpJournal[], options: D365Options): string {
  const separator = options.dimensionSeparator ?? "-";
  const slots = options.dimensionSlots ?? 3;
  const rows = [csvRow([...D365_GENERAL_JOURNAL_COLUMNS])];
  for (const journal of journals) {
    assertBalanced(journal);
    journal.lines.forEach((line, index) => {
      const dimensions = [line.costCenter ?? "", line.departmentCode ?? ""];
      while (dimensions.length < slots) dimensions.push("");
      rows.push(
        csvRow([
          options.journalName,
          journal.description ?? "",
          journal.journalId,
          "Ledger",
          [line.account, ...dimensions.slice(0, slots)].join(separator),
          index + 1,
          d365Date(journal.accountingDate),
          journal.journalId,
          options.currency,
          centsText(line.debitCents),
          centsText(line.creditCents),
        ]),
      );
    });
  }
  return rows.map((r) => `${r}\r\n`).join("");
}
