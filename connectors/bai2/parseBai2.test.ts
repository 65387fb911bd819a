import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BankTransaction, ParseResult, RawUnit } from "../../src-shared/model";
import { bai2DateToIso, findReassociationTrn, parseBai2 } from "./parseBai2";

function transactions(r: ParseResult): BankTransaction[] {
  return r.units.flatMap((u) => u.records.filter((x): x is BankTransaction => x.type === "bankTransaction"));
}

function errors(u: RawUnit) {
  return u.issues.filter((i) => i.severity === "error");
}

/** A one-group, one-account file whose trailers are computed from what is passed in. */
function file(account: string[], opts: { total: number; currency?: string; asOf?: string }): string {
  const records = account.length + 1; // + 49
  return [
    "01,BANKID,GENHOSP,240106,0600,F1,,,2/",
    `02,GENHOSP,BANKID,1,${opts.asOf ?? "240105"},2400,${opts.currency ?? "USD"},2/`,
    ...account,
    `49,${opts.total},${records}/`,
    `98,${opts.total},1,${records + 2}/`,
    `99,${opts.total},1,${records + 4}/`,
  ].join("\n");
}

describe("BAI2 records and mapping", () => {
  it("maps 16 details: credits positive, debits negative, as-of date from the 02, currency from the 03 or the 02", () => {
    const text = file(["03,111,,010,1000,,/", "16,165,81000,Z,ACH1,EFT1,HCCLAIMPMT/", "16,475,2500,0,CHK9,1001,CHECK PAID/"], {
      total: 84500,
    });
    const r = parseBai2(text, { fileName: "day.bai2" });
    expect(r.format).toBe("bai2");
    expect(r.issues).toEqual([]);
    expect(r.units).toHaveLength(1);
    expect(r.units[0]!.issues).toEqual([]);
    expect(transactions(r)).toEqual([
      {
        type: "bankTransaction",
        system: "bank",
        bankTransactionId: "BANKID:F1:240106:111:2024-01-05:ACH1",
        bankAccount: "111",
        currency: "USD",
        asOfDate: "2024-01-05",
        typeCode: "165",
        amountCents: 81000,
        bankReference: "ACH1",
        customerReference: "EFT1",
        text: "HCCLAIMPMT",
        reassociationTrace: null,
        reassociationPayerId: null,
      },
      {
        type: "bankTransaction",
        system: "bank",
        bankTransactionId: "BANKID:F1:240106:111:2024-01-05:CHK9",
        bankAccount: "111",
        currency: "USD",
        asOfDate: "2024-01-05",
        typeCode: "475",
        amountCents: -2500,
        bankReference: "CHK9",
        customerReference: "1001",
        text: "CHECK PAID",
        reassociationTrace: null,
        reassociationPayerId: null,
      },
    ]);
  });

  it("makes each 03..49 block one unit with its exact text and a control id naming file, group and account", () => {
    const text = file(["03,111,CAD,010,1000,,/", "16,165,500,Z,,,A/"], { total: 1500 });
    const r = parseBai2(text, { fileName: "u.bai2" });
    const u = r.units[0]!;
    expect(u.kind).toBe("bai2-account");
    expect(u.controlId).toBe("BANKID|F1|240106|1|111|1");
    expect(u.line).toBe(3);
    expect(u.text).toBe("03,111,CAD,010,1000,,/\n16,165,500,Z,,,A/\n49,1500,3/");
    expect(transactions(r)[0]!.currency).toBe("CAD");
  });

  it("appends 88 continuations (also written 88:) to the detail text, and reads 88s that carry 03 summaries", () => {
    const text = file(
      [
        "03,111,,010,1000,,/",
        "88,015,2000,,/",
        "16,195,500,Z,WIRE1,,INCOMING WIRE/",
        "88,ORIGINATOR: ACME/",
        "88:BENEFICIARY: GENERAL HOSPITAL",
      ],
      { total: 3500 },
    );
    const r = parseBai2(text, { fileName: "c.bai2" });
    expect(r.issues).toEqual([]);
    expect(r.units[0]!.issues).toEqual([]);
    expect(transactions(r)[0]!.text).toBe("INCOMING WIRE ORIGINATOR: ACME BENEFICIARY: GENERAL HOSPITAL");
  });

  it("takes the text from the 88 when the 16 stops after the customer reference", () => {
    const text = file(["03,111,,010,0,,/", "16,142,490196,,172629,/", "88,SOME PAYMENT ACH OFFSET"], { total: 490196 });
    const r = parseBai2(text, { fileName: "svb.bai2" });
    expect(r.units[0]!.issues).toEqual([]);
    expect(transactions(r)[0]).toMatchObject({ bankReference: "172629", customerReference: null, text: "SOME PAYMENT ACH OFFSET" });
  });

  it("reads block style: several records on one line, and a record wrapped onto the next line", () => {
    const text = [
      "01,BANKID,GENHOSP,240106,0600,F1,,,2/   02,GENHOSP,BANKID,1,240105,2400,USD,2/",
      "03,111,,010,100,,/",
      "16,142,2500,Z,,,TRANSFER   PAYPAL   PPD/ 16,142,500,Z,,,TRANSFER BANK PPD/",
      "16,451,600,Z,,,ACH_SETL 1111111111",
      "222222        /",
      "88,      333333/         49,3700,6/  03,222,,010,00,,/  49,00,2/",
      "98,3700,2,10/",
      "99,3700,1,12/",
    ].join("\n");
    const r = parseBai2(text, { fileName: "block.bai2" });
    expect(r.issues).toEqual([]);
    expect(r.units.map((u) => [u.controlId, u.issues.length])).toEqual([
      ["BANKID|F1|240106|1|111|1", 0],
      ["BANKID|F1|240106|1|222|2", 0],
    ]);
    expect(transactions(r).map((t) => [t.amountCents, t.text])).toEqual([
      [2500, "TRANSFER   PAYPAL   PPD"],
      [500, "TRANSFER BANK PPD"],
      [-600, "ACH_SETL 1111111111222222 333333"],
    ]);
    expect(r.units[1]!.text).toBe("03,222,,010,00,,/  49,00,2/");
  });

  it("reads CRLF line ends and keeps them in the unit text", () => {
    const text = file(["03,111,,010,1000,,/", "16,165,500,Z,R1,,A/", "88,MORE/"], { total: 1500 }).replace(/\n/g, "\r\n");
    const r = parseBai2(text, { fileName: "crlf.bai2" });
    expect(r.issues).toEqual([]);
    expect(r.units[0]!.issues).toEqual([]);
    expect(r.units[0]!.text).toBe("03,111,,010,1000,,/\r\n16,165,500,Z,R1,,A/\r\n88,MORE/\r\n49,1500,4/");
    expect(transactions(r)[0]!.text).toBe("A MORE");
  });

  it("skips records that are not BAI2 (such as 11) with a warning", () => {
    const text = file(["03,111,,010,1000,,/", "11,SOMETHING/"], { total: 1000 });
    const r = parseBai2(text, { fileName: "eleven.bai2" });
    expect(r.issues).toEqual([]);
    expect(r.units[0]!.issues.map((i) => [i.severity, i.code, i.where.line])).toEqual([["warning", "bai2.unknown-record", 4]]);
  });

  it("keeps '/' and ',' inside references and free text", () => {
    const text = file(
      [
        "03,111,USD,010,0,,/",
        '16,447,928650,,SPB23,AB/GS/RP0001/RPBA0001,ACH Credit Payment,Entry Description: TRADE; -, SEC: CTX, Remittance Info: "08/18/23 Invoice"',
        "88,EREF: AB/GS/RP0001/RPBA0001",
      ],
      { total: 928650 },
    );
    const r = parseBai2(text, { fileName: "slash.bai2" });
    expect(r.units[0]!.issues).toEqual([]);
    expect(transactions(r)[0]).toMatchObject({
      amountCents: -928650,
      bankReference: "SPB23",
      customerReference: "AB/GS/RP0001/RPBA0001",
      text: 'ACH Credit Payment,Entry Description: TRADE; -, SEC: CTX, Remittance Info: "08/18/23 Invoice" EREF: AB/GS/RP0001/RPBA0001',
    });
  });

  it("skips the extra fields of funds types S, V and D (and sums only the amount)", () => {
    const text = file(
      [
        "03,111,,010,500000,,,190,70000000,4,0,110/",
        "88,70000000,15,D,3,0,20000000,1,30000000,3,20000000/",
        "16,115,450000,S,100000,200000,150000,LBX1,C1,LOCKBOX/",
        "16,218,2000000,V,240107,1200,SP47,YRC06,LETTER OF CREDIT/",
        "16,195,10000,D,2,0,5000,1,5000,W1,,WIRE/",
      ],
      { total: 500000 + 70000000 + 70000000 + 450000 + 2000000 + 10000 },
    );
    const r = parseBai2(text, { fileName: "funds.bai2" });
    expect(r.issues).toEqual([]);
    expect(r.units[0]!.issues).toEqual([]);
    expect(transactions(r).map((t) => [t.amountCents, t.bankReference, t.customerReference, t.text])).toEqual([
      [450000, "LBX1", "C1", "LOCKBOX"],
      [2000000, "SP47", "YRC06", "LETTER OF CREDIT"],
      [10000, "W1", null, "WIRE"],
    ]);
  });

  it("quarantines an account whose 49 control total or record count is wrong", () => {
    const good = file(["03,111,,010,1000,,/", "16,165,500,Z,,,A/"], { total: 1500 });
    const r = parseBai2(good.replace("49,1500,3/", "49,1499,4/"), { fileName: "ct.bai2" });
    expect(errors(r.units[0]!).map((i) => i.message)).toEqual([
      "ct.bai2 line 5, 49 control total: expected the sum of the account's 03 and 16 amounts, 1500, found 1499",
      'ct.bai2 line 5, 49 number of records: expected the number of records from 03 to 49 (88s included), 3, found "4"',
    ]);
  });

  it("reports 98 and 99 disagreements and missing trailers at file level", () => {
    const good = file(["03,111,,010,1000,,/"], { total: 1000 });
    const r1 = parseBai2(good.replace("98,1000,1,4/", "98,999,2,4/").replace("99,1000,1,6/", "99,1000,1,7/"), { fileName: "t.bai2" });
    expect(r1.units[0]!.issues).toEqual([]);
    expect(r1.issues.map((i) => i.where.field)).toEqual([
      "98 control total",
      "98 number of accounts",
      "99 control total",
      "99 number of records",
    ]);
    const cut = good.split("\n").slice(0, 3).join("\n");
    const r2 = parseBai2(cut, { fileName: "cut.bai2" });
    expect(errors(r2.units[0]!)[0]!.message).toBe(
      "cut.bai2 line 3, record 49: account 111 (03 on line 3) ends without a 49 account trailer; the block may be cut short",
    );
    expect(r2.issues.map((i) => i.where.segment)).toEqual(["98", "99"]);
  });

  it("extracts the healthcare EFT reassociation trace from a CCD+ addenda, even split across 88s", () => {
    const text = file(
      [
        "03,111,,010,0,,/",
        "16,165,81000,Z,ACH1,,HCCLAIMPMT ACME/",
        "88,TRN*1*EFT2024010/",
        "88,5001*1512345678\\/",
        "16,165,100,Z,ACH2,,HCCLAIMPMT TRN*1*12345*1999999999/",
      ],
      { total: 81100 },
    );
    const r = parseBai2(text, { fileName: "trn.bai2" });
    expect(r.units[0]!.issues).toEqual([]);
    expect(transactions(r).map((t) => [t.reassociationTrace, t.reassociationPayerId])).toEqual([
      ["EFT20240105001", "1512345678"],
      ["12345", "1999999999"],
    ]);
    expect(findReassociationTrn("", "PAYMENT TRN*1*991*1512345678 REF")).toEqual({ trace: "991", payerId: "1512345678" });
    expect(findReassociationTrn("TRN*1*992\\", "TRN*1*992\\")).toEqual({ trace: "992", payerId: null });
    expect(findReassociationTrn("NO ADDENDA", "NO ADDENDA")).toBeNull();
    // No terminator: a following continuation must not run into the payer id.
    expect(findReassociationTrn("TRN*1*993*1512345678NEXT 88", "TRN*1*993*1512345678 NEXT 88")).toEqual({
      trace: "993",
      payerId: "1512345678",
    });
  });

  it("keeps ids unique when a bank reference repeats in the file", () => {
    const text = file(["03,111,,010,0,,/", "16,165,100,Z,DUP,,A/", "16,165,200,Z,DUP,,B/", "16,165,300,Z,,,C/"], { total: 600 });
    const ids = transactions(parseBai2(text, { fileName: "dup.bai2" })).map((t) => t.bankTransactionId);
    expect(ids).toEqual([
      "BANKID:F1:240106:111:2024-01-05:DUP",
      "BANKID:F1:240106:111:2024-01-05:#1.2",
      "BANKID:F1:240106:111:2024-01-05:#1.3",
    ]);
  });

  it("warns, and keeps the amount as written, for type codes outside the credit and debit ranges", () => {
    const text = file(["03,111,,010,0,,/", "16,905,999,Z,S1,,STATUS/"], { total: 999 });
    const r = parseBai2(text, { fileName: "905.bai2" });
    expect(transactions(r)[0]!.amountCents).toBe(999);
    expect(r.units[0]!.issues.map((i) => [i.severity, i.code])).toEqual([["warning", "bai2.type-code"]]);
  });

  it("explains a file that is not BAI2 instead of throwing", () => {
    const r = parseBai2("00,0004,1/2/345,06/0321,0829,001,80,1,2/\n", { fileName: "sample-parseError.txt" });
    expect(r.units).toEqual([]);
    expect(r.issues[0]!.message).toBe(
      'sample-parseError.txt line 1, record 00: expected an 01 file header as the first record, found record 00 ("00,0004,1"); this does not read as a BAI2 file',
    );
    for (const text of [
      "",
      "\n\n",
      "hello",
      "01,",
      "16,165,1/",
      "03,1/\n49,x,y/",
      "88,orphan/",
      "01,A,B,240101,0000,1,,,2/\n02,,,1,999999/\n03,1,,010,1/",
    ]) {
      expect(() => parseBai2(text, { fileName: "fuzz" })).not.toThrow();
    }
  });

  it("reads YYMMDD dates with a 1980 pivot", () => {
    expect(bai2DateToIso("240105")).toBe("2024-01-05");
    expect(bai2DateToIso("870301")).toBe("1987-03-01");
    expect(bai2DateToIso("240230")).toBeNull();
    expect(bai2DateToIso("2401")).toBeNull();
  });
});

describe("BAI2 fixtures", () => {
  const fixture = (name: string) => parseBai2(readFileSync(join(process.cwd(), "fixtures/samples/bai2", name), "utf8"), { fileName: name });

  it("lockbox-hcclaimpmt.bai2: balanced trailers, continuation, V funds, TRN addenda matching the 835 sample", () => {
    const r = fixture("lockbox-hcclaimpmt.bai2");
    expect(r.issues).toEqual([]);
    expect(r.units.map((u) => u.issues)).toEqual([[], []]);
    const t = transactions(r);
    expect(t.map((x) => [x.typeCode, x.amountCents])).toEqual([
      ["165", 81000],
      ["175", 10000],
      ["195", 10000],
      ["475", -10000],
    ]);
    // Same trace, payer id and amount as fixtures/samples/x12/remit-balanced.835 (BPR02 810.00, TRN02/TRN03).
    expect(t[0]).toMatchObject({ reassociationTrace: "EFT20240105001", reassociationPayerId: "1512345678" });
  });

  it("malformed.bai2: a bad amount, a wrong 49 and a cut-off file, each with a readable reason", () => {
    const r = fixture("malformed.bai2");
    expect(r.units.map((u) => errors(u).map((i) => i.code))).toEqual([["bai2.amount", "bai2.control-total"], ["bai2.account-trailer"]]);
    expect(r.units[0]!.issues[0]!.message).toBe('malformed.bai2 line 4, 16 amount: expected a whole number of minor units, found "12.50"');
    expect(r.issues.map((i) => i.code)).toEqual(["bai2.group-trailer", "bai2.file-trailer"]);
  });
});
