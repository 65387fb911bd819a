/**
 * BAI2 bank balance and transaction reports → bankTransaction records, one RawUnit per
 * account block (03 through its 49). Pure; never throws.
 *
 * Records (BAI Cash Management Balance Reporting Specifications v2; STANDARDS B3):
 *   01 file header   sender, receiver, creation date YYMMDD, time, file id, record length, block size, version 2
 *   02 group header  ultimate receiver, originator, status, as-of date YYMMDD, as-of time, currency, date modifier
 *   03 account       account number, currency, then (type code, amount, item count, funds type [+ funds fields])*
 *   16 detail        type code, amount, funds type [+ funds fields], bank reference, customer reference, text
 *   88 continuation  continues the previous record
 *   49 account trailer  control total (Σ 03 and 16 amounts as written), number of records (03, 16, 88, 49)
 *   98 group trailer    control total (Σ 49), number of accounts, number of records (02 .. 98)
 *   99 file trailer     control total (Σ 98), number of groups, number of records (01 .. 99)
 * Funds type 0/1/2/Z carry nothing more; S carries three amounts (immediate, one day, two or
 * more days); V a value date and time; D a count n then n (days, amount) pairs.
 *
 * Amounts are integers in the currency's minor units (the decimal point is implied by the
 * currency: two places for USD, CAD, GBP, EUR), so `amountCents` is the number as written.
 * Detail type codes 100–399 are credits (positive), 400–699 debits (negative).
 *
 * Where problems land: a 49 whose control total or record count disagrees with its block, a
 * block with no 49, or a detail that does not read is an `error` on that account's unit (the
 * bank's own check says the block is not what it sent). 98/99 disagreements, missing trailers,
 * records outside any account and a missing 01 are file-level errors: no single account can be
 * blamed, and each account has been checked against its own 49.
 */
import type { BankTransaction, ParseIssue, ParseResult, RawUnit } from "../../src-shared/model";
import { splitBai2Records, type Bai2LogicalRecord } from "./bai2Records";

export interface ParseBai2Options {
  fileName: string;
}

interface FileHeader {
  sender: string;
  fileId: string;
  creationDate: string;
}

interface GroupState {
  record: Bai2LogicalRecord;
  ordinal: number;
  asOfDate: string | null;
  currency: string | null;
  accounts: number;
  records: number;
  sumOfAccountTotals: number;
}

interface AccountState {
  record: Bai2LogicalRecord;
  unit: RawUnit;
  account: string;
  currency: string | null;
  ordinal: number;
  computedTotal: number;
  records: number;
  details: number;
}

/** Fields a funds type adds after it, given the fields that follow (D needs its count). */
function fundsExtra(fundsType: string, countField: string | undefined): number | null {
  switch (fundsType) {
    case "":
    case "0":
    case "1":
    case "2":
    case "Z":
      return 0;
    case "S":
      return 3;
    case "V":
      return 2;
    case "D": {
      const n = Number((countField ?? "").trim());
      return Number.isSafeInteger(n) && n >= 0 ? 1 + 2 * n : null;
    }
    default:
      return null;
  }
}

/** A signed integer amount in minor units; null when empty; "bad" when not an integer. */
function readAmount(raw: string | undefined): number | null | "bad" {
  const v = (raw ?? "").trim();
  if (v === "") return null;
  let i = 0;
  if (v[0] === "+" || v[0] === "-") i = 1;
  if (i >= v.length) return "bad";
  for (let k = i; k < v.length; k++) {
    const c = v.charCodeAt(k);
    if (c < 48 || c > 57) return "bad";
  }
  const n = Number(v);
  if (!Number.isSafeInteger(n)) return "bad";
  return n === 0 ? 0 : n;
}

/** YYMMDD → YYYY-MM-DD (00–79 → 20xx, 80–99 → 19xx: BAI2 dates from 1987 on). */
export function bai2DateToIso(raw: string | undefined): string | null {
  const v = (raw ?? "").trim();
  if (v.length !== 6) return null;
  for (let k = 0; k < 6; k++) {
    const c = v.charCodeAt(k);
    if (c < 48 || c > 57) return null;
  }
  const yy = Number(v.slice(0, 2));
  const y = yy < 80 ? 2000 + yy : 1900 + yy;
  const m = Number(v.slice(2, 4));
  const d = Number(v.slice(4, 6));
  if (m < 1 || m > 12 || d < 1) return null;
  const days = [31, y % 4 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  if (d > days) return null;
  return `${y}-${v.slice(2, 4)}-${v.slice(4, 6)}`;
}

/**
 * Healthcare EFT reassociation: the CCD+ addenda carries `TRN*1*<TRN02>*<TRN03>\`
 * (NACHA / CAQH CORE 370). `joined` is the detail text with continuations glued together
 * (so a trace split across two 88s reads whole); `spaced` is the text as shown.
 */
export function findReassociationTrn(joined: string, spaced: string): { trace: string; payerId: string | null } | null {
  // With its "\" terminator the addenda reads whole from the glued text, even split across 88s.
  const at = joined.indexOf("TRN*");
  if (at >= 0) {
    const end = firstOf(joined, at, ["\\", "~"]);
    if (end >= 0) {
      const found = trnElements(joined.slice(at + 4, end));
      if (found !== null) return found;
    }
  }
  // Without a terminator it ends at the next space of the text as shown.
  const at2 = spaced.indexOf("TRN*");
  if (at2 < 0) return null;
  let end = firstOf(spaced, at2, ["\\", "~"]);
  const space = spaced.slice(at2).search(/\s/);
  if (space >= 0 && (end < 0 || at2 + space < end)) end = at2 + space;
  return trnElements(spaced.slice(at2 + 4, end < 0 ? spaced.length : end));
}

function firstOf(s: string, from: number, needles: string[]): number {
  let best = -1;
  for (const n of needles) {
    const i = s.indexOf(n, from);
    if (i >= 0 && (best < 0 || i < best)) best = i;
  }
  return best;
}

/** "1*<trace>*<payer id>[*<supplemental>]" → trace and payer id. */
function trnElements(body: string): { trace: string; payerId: string | null } | null {
  const parts = body.split("*");
  const trace = (parts[1] ?? "").trim();
  if (trace === "") return null;
  const payer = (parts[2] ?? "").trim();
  return { trace, payerId: payer === "" ? null : payer };
}

export function parseBai2(text: string, opts: ParseBai2Options): ParseResult {
  const fileName = opts.fileName;
  const units: RawUnit[] = [];
  const issues: ParseIssue[] = [];
  try {
    readBai2(text, fileName, units, issues);
  } catch (err) {
    issues.push({
      code: "bai2.internal",
      severity: "error",
      message: `${fileName}: the BAI2 reader stopped unexpectedly (${err instanceof Error ? err.message : String(err)}); ${units.length} account blocks were read before it`,
      where: { file: fileName },
    });
  }
  return { format: "bai2", units, issues };
}

function readBai2(text: string, fileName: string, units: RawUnit[], fileIssues: ParseIssue[]): void {
  const { records, junk } = splitBai2Records(text);

  const push = (
    sink: ParseIssue[],
    severity: "error" | "warning",
    code: string,
    line: number,
    segment: string,
    field: string | null,
    message: string,
    expected?: string,
    found?: string,
  ) => {
    const issue: ParseIssue = {
      code,
      severity,
      message: `${fileName} line ${line}${field !== null ? `, ${field}` : segment !== "" ? `, record ${segment}` : ""}: ${message}`,
      where: { file: fileName, line },
    };
    if (segment !== "") issue.where.segment = segment;
    if (field !== null) issue.where.field = field;
    if (expected !== undefined) issue.expected = expected;
    if (found !== undefined) issue.found = found;
    sink.push(issue);
  };

  if (records.length === 0) {
    fileIssues.push({
      code: "bai2.empty",
      severity: "error",
      message: `${fileName}: no BAI2 records found (expected the file to start with an 01 file header)`,
      where: { file: fileName, line: 1 },
      expected: "01",
      found: text.slice(0, 40),
    });
    return;
  }

  let header: FileHeader | null = null;
  let group: GroupState | null = null;
  let account: AccountState | null = null;
  let groupOrdinal = 0;
  let accountOrdinal = 0;
  let fileRecords = 0;
  let groupsInFile = 0;
  let sumOfGroupTotals = 0;
  let sawFileTrailer = false;
  // End offset of the last record read into the open account block (its text when no 49 comes).
  let blockEnd = 0;
  const usedIds = new Set<string>();

  const first = records[0]!;
  if (first.code !== "01") {
    push(
      fileIssues,
      "error",
      "bai2.header",
      first.line,
      first.code,
      null,
      `expected an 01 file header as the first record, found record ${first.code} (${quote(`${first.code},${first.body}`)}); this does not read as a BAI2 file`,
      "01",
      first.code,
    );
  }

  for (const j of junk) {
    push(
      fileIssues,
      "error",
      "bai2.junk",
      j.line,
      "",
      null,
      `expected a record starting with a two-digit record code, found ${quote(j.text)} after a record already closed by "/"; it was not read`,
      "a record code",
      j.text,
    );
  }

  const closeAccount = (trailer: Bai2LogicalRecord | null, atLine: number) => {
    const a = account!;
    account = null;
    const unitIssues = a.unit.issues;
    if (trailer === null) {
      push(
        unitIssues,
        "error",
        "bai2.account-trailer",
        atLine,
        "49",
        null,
        `account ${a.account} (03 on line ${a.record.line}) ends without a 49 account trailer; the block may be cut short`,
        "49",
        "",
      );
    } else {
      a.records += trailer.recordCount;
      const f = fields(trailer);
      const total = readAmount(f[0]);
      if (total === "bad") {
        push(
          unitIssues,
          "error",
          "bai2.amount",
          trailer.line,
          "49",
          "49 control total",
          `expected a whole number of minor units, found ${quote(f[0] ?? "")}`,
          "an integer",
          f[0] ?? "",
        );
      } else if (total === null) {
        push(
          unitIssues,
          "warning",
          "bai2.control-total",
          trailer.line,
          "49",
          "49 control total",
          `the account control total is empty, so the block's amounts (sum ${a.computedTotal}) could not be checked`,
          String(a.computedTotal),
          "",
        );
      } else if (total !== a.computedTotal) {
        push(
          unitIssues,
          "error",
          "bai2.control-total",
          trailer.line,
          "49",
          "49 control total",
          `expected the sum of the account's 03 and 16 amounts, ${a.computedTotal}, found ${total}`,
          String(a.computedTotal),
          String(total),
        );
      }
      const count = (f[1] ?? "").trim();
      if (!sameCount(count, a.records)) {
        push(
          unitIssues,
          "error",
          "bai2.record-count",
          trailer.line,
          "49",
          "49 number of records",
          `expected the number of records from 03 to 49 (88s included), ${a.records}, found ${quote(count)}`,
          String(a.records),
          count,
        );
      }
      if (group !== null) group.sumOfAccountTotals += typeof total === "number" ? total : a.computedTotal;
    }
    a.unit.text = text.slice(a.record.start, trailer === null ? blockEnd : trailer.end);
    if (group !== null) group.records += a.records;
    else fileRecords += a.records;
    units.push(a.unit);
  };

  const closeGroup = (trailer: Bai2LogicalRecord | null, atLine: number) => {
    const g = group!;
    group = null;
    if (trailer === null) {
      push(
        fileIssues,
        "error",
        "bai2.group-trailer",
        atLine,
        "98",
        null,
        `group ${g.ordinal} (02 on line ${g.record.line}) ends without a 98 group trailer`,
        "98",
        "",
      );
      fileRecords += g.records;
      sumOfGroupTotals += g.sumOfAccountTotals;
      return;
    }
    g.records += trailer.recordCount;
    const f = fields(trailer);
    const total = readAmount(f[0]);
    if (total === "bad" || (total !== null && total !== g.sumOfAccountTotals)) {
      push(
        fileIssues,
        "error",
        "bai2.control-total",
        trailer.line,
        "98",
        "98 control total",
        `expected the sum of the group's 49 control totals, ${g.sumOfAccountTotals}, found ${quote(f[0] ?? "")}`,
        String(g.sumOfAccountTotals),
        f[0] ?? "",
      );
    }
    const accounts = (f[1] ?? "").trim();
    if (!sameCount(accounts, g.accounts)) {
      push(
        fileIssues,
        "error",
        "bai2.account-count",
        trailer.line,
        "98",
        "98 number of accounts",
        `expected the number of 03 accounts in the group, ${g.accounts}, found ${quote(accounts)}`,
        String(g.accounts),
        accounts,
      );
    }
    const count = (f[2] ?? "").trim();
    if (!sameCount(count, g.records)) {
      push(
        fileIssues,
        "error",
        "bai2.record-count",
        trailer.line,
        "98",
        "98 number of records",
        `expected the number of records from 02 to 98, ${g.records}, found ${quote(count)}`,
        String(g.records),
        count,
      );
    }
    fileRecords += g.records;
    sumOfGroupTotals += typeof total === "number" ? total : g.sumOfAccountTotals;
  };

  for (const r of records) {
    const f = fields(r);
    if (sawFileTrailer) {
      push(
        fileIssues,
        "error",
        "bai2.after-trailer",
        r.line,
        r.code,
        null,
        `expected nothing after the 99 file trailer, found record ${r.code}; it was not read`,
        "end of file",
        r.code,
      );
      continue;
    }
    switch (r.code) {
      case "01": {
        if (header !== null)
          push(
            fileIssues,
            "error",
            "bai2.header",
            r.line,
            "01",
            null,
            "found a second 01 file header before the 99 trailer of the first",
            "99",
            "01",
          );
        header = { sender: (f[0] ?? "").trim(), fileId: (f[4] ?? "").trim(), creationDate: (f[2] ?? "").trim() };
        if (bai2DateToIso(f[2]) === null)
          push(
            fileIssues,
            "warning",
            "bai2.date",
            r.line,
            "01",
            "01 file creation date",
            `expected a date YYMMDD, found ${quote(f[2] ?? "")}`,
            "YYMMDD",
            f[2] ?? "",
          );
        const version = (f[7] ?? "").trim();
        if (version !== "2")
          push(
            fileIssues,
            "warning",
            "bai2.version",
            r.line,
            "01",
            "01 version",
            `expected version 2 (BAI2), found ${quote(version)}; read as BAI2`,
            "2",
            version,
          );
        fileRecords += r.recordCount;
        break;
      }
      case "02": {
        if (account !== null) closeAccount(null, r.line);
        if (group !== null) closeGroup(null, r.line);
        groupOrdinal++;
        groupsInFile++;
        const asOf = bai2DateToIso(f[3]);
        if (asOf === null)
          push(
            fileIssues,
            "error",
            "bai2.date",
            r.line,
            "02",
            "02 as-of date",
            `expected a date YYMMDD, found ${quote(f[3] ?? "")}; the group's transactions have no as-of date`,
            "YYMMDD",
            f[3] ?? "",
          );
        group = {
          record: r,
          ordinal: groupOrdinal,
          asOfDate: asOf,
          currency: nonEmpty(f[5]),
          accounts: 0,
          records: r.recordCount,
          sumOfAccountTotals: 0,
        };
        break;
      }
      case "03": {
        if (account !== null) closeAccount(null, r.line);
        accountOrdinal++;
        const accountNumber = (f[0] ?? "").trim();
        const g: GroupState | null = group;
        const unit: RawUnit = {
          kind: "bai2-account",
          controlId: `${header?.sender ?? ""}|${header?.fileId ?? ""}|${header?.creationDate ?? ""}|${g?.ordinal ?? 0}|${accountNumber}|${accountOrdinal}`,
          text: "",
          line: r.line,
          records: [],
          issues: [],
        };
        if (g === null)
          push(
            unit.issues,
            "error",
            "bai2.structure",
            r.line,
            "03",
            null,
            "expected an 02 group header before this 03 account, found none; the account has no as-of date",
            "02",
            "03",
          );
        else {
          g.accounts++;
          if (g.asOfDate === null)
            push(
              unit.issues,
              "error",
              "bai2.date",
              r.line,
              "03",
              null,
              `the group header (02 on line ${g.record.line}) has no readable as-of date, so this account's transactions cannot be dated`,
              "YYMMDD",
              "",
            );
        }
        if (accountNumber === "")
          push(
            unit.issues,
            "error",
            "bai2.required",
            r.line,
            "03",
            "03 account number",
            "expected the customer account number, found nothing",
            "an account number",
            "",
          );
        account = {
          record: r,
          unit,
          account: accountNumber,
          currency: nonEmpty(f[1]) ?? g?.currency ?? null,
          ordinal: accountOrdinal,
          computedTotal: 0,
          records: r.recordCount,
          details: 0,
        };
        blockEnd = r.end;
        summaryAmounts(account, r);
        break;
      }
      case "16": {
        if (account === null) {
          push(
            fileIssues,
            "error",
            "bai2.structure",
            r.line,
            "16",
            null,
            `expected a 16 transaction detail inside an account (after 03), found it outside one; it was not read`,
            "03",
            "16",
          );
          if (group !== null) group.records += r.recordCount;
          else fileRecords += r.recordCount;
          break;
        }
        account.records += r.recordCount;
        blockEnd = r.end;
        detail(account, r);
        break;
      }
      case "49": {
        if (account === null) {
          push(
            fileIssues,
            "error",
            "bai2.structure",
            r.line,
            "49",
            null,
            "found a 49 account trailer with no open account (no 03 before it)",
            "03",
            "49",
          );
          if (group !== null) group.records += r.recordCount;
          else fileRecords += r.recordCount;
          break;
        }
        closeAccount(r, r.line);
        break;
      }
      case "98": {
        if (account !== null) closeAccount(null, r.line);
        if (group === null) {
          push(
            fileIssues,
            "error",
            "bai2.structure",
            r.line,
            "98",
            null,
            "found a 98 group trailer with no open group (no 02 before it)",
            "02",
            "98",
          );
          fileRecords += r.recordCount;
          break;
        }
        closeGroup(r, r.line);
        break;
      }
      case "99": {
        if (account !== null) closeAccount(null, r.line);
        if (group !== null) closeGroup(null, r.line);
        fileRecords += r.recordCount;
        sawFileTrailer = true;
        const total = readAmount(f[0]);
        if (total === "bad" || (total !== null && total !== sumOfGroupTotals)) {
          push(
            fileIssues,
            "error",
            "bai2.control-total",
            r.line,
            "99",
            "99 control total",
            `expected the sum of the 98 group control totals, ${sumOfGroupTotals}, found ${quote(f[0] ?? "")}`,
            String(sumOfGroupTotals),
            f[0] ?? "",
          );
        }
        const groups = (f[1] ?? "").trim();
        if (!sameCount(groups, groupsInFile)) {
          push(
            fileIssues,
            "error",
            "bai2.group-count",
            r.line,
            "99",
            "99 number of groups",
            `expected the number of 02 groups in the file, ${groupsInFile}, found ${quote(groups)}`,
            String(groupsInFile),
            groups,
          );
        }
        const count = (f[2] ?? "").trim();
        if (!sameCount(count, fileRecords)) {
          push(
            fileIssues,
            "error",
            "bai2.record-count",
            r.line,
            "99",
            "99 number of records",
            `expected the number of records in the file, ${fileRecords}, found ${quote(count)}`,
            String(fileRecords),
            count,
          );
        }
        break;
      }
      default: {
        const where = account !== null ? account.unit.issues : fileIssues;
        if (r === first) break; // already reported as a missing 01
        push(
          where,
          "warning",
          "bai2.unknown-record",
          r.line,
          r.code,
          null,
          `record type ${r.code} is not a BAI2 record (01 02 03 16 49 88 98 99); skipped`,
          "01, 02, 03, 16, 49, 88, 98 or 99",
          r.code,
        );
        if (account !== null) {
          account.records += r.recordCount;
          blockEnd = r.end;
        } else if (group !== null) group.records += r.recordCount;
        else fileRecords += r.recordCount;
      }
    }
  }
  const endLine = records[records.length - 1]!.line;
  if (!sawFileTrailer) {
    if (account !== null) closeAccount(null, endLine);
    if (group !== null) closeGroup(null, endLine);
    if (first.code === "01" || records.length > 1) {
      push(
        fileIssues,
        "error",
        "bai2.file-trailer",
        endLine,
        "99",
        null,
        "the file ends without a 99 file trailer; it may be cut short",
        "99",
        "",
      );
    }
  }

  function summaryAmounts(a: AccountState, r: Bai2LogicalRecord): void {
    // Fields after account number and currency: (type, amount, item count, funds type [+ funds fields])*.
    // Writers disagree on whether a record ends ",/" or ",,/" after a defaulted funds type; an empty
    // field left over at the end of a physical record, where a summary would start, is that comma.
    const f: string[] = [];
    const pieceTail = new Set<number>();
    for (const body of [r.body, ...r.continuations]) {
      const pf = splitFields(body);
      for (const x of pf) f.push(x);
      if ((pf[pf.length - 1] ?? "").trim() === "") pieceTail.add(f.length - 1);
    }
    let i = 2;
    while (i < f.length) {
      if (pieceTail.has(i)) {
        i++;
        continue;
      }
      const type = (f[i] ?? "").trim();
      const amount = readAmount(f[i + 1]);
      const funds = (f[i + 3] ?? "").trim();
      if (type === "" && amount === null && funds === "") {
        i += 4;
        continue;
      }
      if (amount === "bad") {
        push(
          a.unit.issues,
          "error",
          "bai2.amount",
          r.line,
          "03",
          `03 amount for type ${type}`,
          `expected a whole number of minor units, found ${quote(f[i + 1] ?? "")}`,
          "an integer",
          f[i + 1] ?? "",
        );
      } else if (amount !== null) a.computedTotal += amount;
      const extra = fundsExtra(funds, f[i + 4]);
      if (extra === null) {
        push(
          a.unit.issues,
          "error",
          "bai2.funds-type",
          r.line,
          "03",
          `03 funds type for type ${type}`,
          `expected a funds type 0, 1, 2, S, V, D or Z, found ${quote(funds)}; the rest of the record could not be read`,
          "0, 1, 2, S, V, D or Z",
          funds,
        );
        return;
      }
      i += 4 + extra;
    }
  }

  function detail(a: AccountState, r: Bai2LogicalRecord): void {
    const own = splitFields(r.body);
    const typeCode = (own[0] ?? "").trim();
    // How many fields come before the free text: type, amount, funds type (+ its fields), bank ref, customer ref.
    const funds = (own[2] ?? "").trim();
    let extra = fundsExtra(funds, own[3]);
    let f = own;
    // Continuations first supply any fixed fields the 16 line did not reach, then extend the text.
    let conts = r.continuations;
    const fixedCount = () => 5 + (extra ?? 0);
    while (conts.length > 0 && f.length <= fixedCount()) {
      f = f.concat(splitFields(conts[0]!));
      conts = conts.slice(1);
      if (extra === null) extra = fundsExtra((f[2] ?? "").trim(), f[3]);
    }
    if (extra === null) {
      push(
        a.unit.issues,
        "error",
        "bai2.funds-type",
        r.line,
        "16",
        "16 funds type",
        `expected a funds type 0, 1, 2, S, V, D or Z, found ${quote(funds)}; the detail could not be read`,
        "0, 1, 2, S, V, D or Z",
        funds,
      );
      return;
    }
    const k = fixedCount();
    // The text is the rest of the record after the customer reference, commas included, then
    // each further 88. Shown joined by spaces; searched for an addenda joined by nothing, since a
    // continuation may split a TRN mid-value.
    const textParts = [f.length > k ? f.slice(k).join(",") : "", ...conts];
    const spaced = textParts
      .map((t) => t.trim())
      .filter((t) => t !== "")
      .join(" ");
    const joined = textParts.join("");

    const amount = readAmount(f[1]);
    if (amount === "bad" || amount === null) {
      push(
        a.unit.issues,
        "error",
        "bai2.amount",
        r.line,
        "16",
        "16 amount",
        `expected a whole number of minor units, found ${quote(f[1] ?? "")}`,
        "an integer",
        f[1] ?? "",
      );
      return;
    }
    a.computedTotal += amount;
    if (!/^\d{3}$/.test(typeCode)) {
      push(
        a.unit.issues,
        "error",
        "bai2.type-code",
        r.line,
        "16",
        "16 type code",
        `expected a three-digit type code, found ${quote(typeCode)}`,
        "a type code",
        typeCode,
      );
      return;
    }
    const code = Number(typeCode);
    let signed = amount;
    if (code >= 100 && code <= 399) signed = Math.abs(amount);
    else if (code >= 400 && code <= 699) signed = -Math.abs(amount);
    else {
      push(
        a.unit.issues,
        "warning",
        "bai2.type-code",
        r.line,
        "16",
        "16 type code",
        `type code ${typeCode} is neither a credit (100–399) nor a debit (400–699); the amount is kept as written`,
        "100–699",
        typeCode,
      );
    }
    const g: GroupState | null = group;
    const asOf = g?.asOfDate ?? null;
    if (asOf === null) return; // reported on the 02 / 03
    const bankReference = nonEmpty(f[3 + (extra ?? 0)]);
    const customerReference = nonEmpty(f[4 + (extra ?? 0)]);
    const ordinal = ++a.details;
    const base = `${header?.sender ?? ""}:${header?.fileId ?? ""}:${header?.creationDate ?? ""}:${a.account}:${asOf}`;
    let id = bankReference !== null ? `${base}:${bankReference}` : `${base}:#${a.ordinal}.${ordinal}`;
    if (usedIds.has(id)) id = `${base}:#${a.ordinal}.${ordinal}`;
    usedIds.add(id);
    const trn = findReassociationTrn(joined, spaced);
    const record: BankTransaction = {
      type: "bankTransaction",
      system: "bank",
      bankTransactionId: id,
      bankAccount: a.account,
      currency: a.currency,
      asOfDate: asOf,
      typeCode,
      amountCents: signed === 0 ? 0 : signed,
      bankReference,
      customerReference,
      text: spaced === "" ? null : spaced,
      reassociationTrace: trn?.trace ?? null,
      reassociationPayerId: trn?.payerId ?? null,
    };
    a.unit.records.push(record);
  }
}

/** Counts are numeric fields: "0008" is 8. */
function sameCount(declared: string, actual: number): boolean {
  return /^\d+$/.test(declared) && Number(declared) === actual;
}

/** The fields of a logical record: its own fields followed by those of its 88 continuations. */
function fields(r: Bai2LogicalRecord): string[] {
  let f = splitFields(r.body);
  for (const c of r.continuations) f = f.concat(splitFields(c));
  return f;
}

function splitFields(body: string): string[] {
  return body.split(",");
}

function nonEmpty(v: string | undefined): string | null {
  if (v === undefined) return null;
  const t = v.trim();
  return t === "" ? null : t;
}

function quote(s: string): string {
  if (s === "") return "nothing";
  return `"${s.length > 60 ? s.slice(0, 57) + "..." : s}"`;
}
