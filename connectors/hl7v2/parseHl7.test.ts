import { describe, expect, it } from "vitest";
import type { CanonicalRecord, Charge, Encounter, ParseResult, PatientAccount, RawUnit, SupplyUsage } from "../../src-shared/model";
import { parseHl7 } from "./parseHl7";

/** MSH-10 out of a unit's control id (which is MSH-3|MSH-4|MSH-10). */
const msh10 = (u: { controlId: string | null }): string | null => u.controlId?.split("|").at(-1) ?? null;

// ---------------------------------------------------------------- builders

/** A segment from a sparse field map: seg("FT1", { 1: "1", 7: "CDM1" }). */
function seg(id: string, fields: Record<number, string>): string {
  const n = Math.max(0, ...Object.keys(fields).map(Number));
  const out: string[] = [];
  for (let i = 1; i <= n; i++) out.push(fields[i] ?? "");
  return [id, ...out].join("|");
}

function msh(type: string, controlId: string, version = "2.5.1"): string {
  return `MSH|^~\\&|EHR|H1|BILL|H1|20260305101500||${type}|${controlId}|P|${version}`;
}

const PID = seg("PID", { 1: "1", 3: "MRN1^^^H1^MR~999^^^SSA^SS", 5: "DOE^JANE^Q", 7: "19800214", 8: "F", 18: "ACCT1" });
const PV1 = seg("PV1", {
  1: "1",
  2: "I",
  3: "4W^412^B^H1",
  7: "1234567893^WELBY^MARCUS",
  10: "MED",
  19: "V1",
  20: "BC",
  44: "202603010800-0500",
});

function ft1(fields: Record<number, string>): string {
  return seg("FT1", { 1: "1", 2: "T1", 4: "20260303", 5: "20260305", 6: "CG", 7: "CDM1^LAB TEST", 10: "1", 11: "100.00", ...fields });
}

function message(...segments: string[]): string {
  return segments.join("\r") + "\r";
}

function parse(text: string, fileName = "test.hl7"): ParseResult {
  return parseHl7(text, { fileName });
}

function only(result: ParseResult): RawUnit {
  expect(result.units).toHaveLength(1);
  return result.units[0]!;
}

function recordsOf<T extends CanonicalRecord["type"]>(unit: RawUnit, type: T): Extract<CanonicalRecord, { type: T }>[] {
  return unit.records.filter((r): r is Extract<CanonicalRecord, { type: T }> => r.type === type);
}

function errors(unit: RawUnit) {
  return unit.issues.filter((i) => i.severity === "error");
}

const ADT_A01 = message(msh("ADT^A01^ADT_A01", "C1"), "EVN|A01|20260301080000", PID, PV1);

// ---------------------------------------------------------------- file structure

describe("parseHl7: splitting files into messages", () => {
  it("parses a single message into one unit with its control id, line and exact text", () => {
    const unit = only(parse(ADT_A01));
    expect(unit.kind).toBe("hl7v2-message");
    expect(msh10(unit)).toBe("C1");
    // Scoped by sending application and facility: another sender's "C1" is another message.
    expect(unit.controlId).toBe("EHR|H1|C1");
    expect(unit.line).toBe(1);
    expect(unit.text).toBe(ADT_A01);
    expect(errors(unit)).toEqual([]);
  });

  it("splits a multi-message file and keeps each message's exact text and start line", () => {
    const second = message(msh("ADT^A08", "C2"), PID, PV1);
    const text = ADT_A01 + second;
    const r = parse(text);
    expect(r.units.map((u) => msh10(u))).toEqual(["C1", "C2"]);
    expect(r.units.map((u) => u.line)).toEqual([1, 5]);
    expect(r.units.map((u) => u.text).join("")).toBe(text);
  });

  it.each([
    ["CR", "\r"],
    ["LF", "\n"],
    ["CRLF", "\r\n"],
  ])("reads %s segment terminators", (_name, eol) => {
    const text = [msh("ADT^A01", "C1"), PID, PV1].join(eol) + eol;
    const unit = only(parse(text));
    expect(recordsOf(unit, "encounter")[0]?.visitNumber).toBe("V1");
    expect(unit.text).toBe(text);
  });

  it("reads mixed terminators and counts each as one line", () => {
    const text = msh("ADT^A01", "C1") + "\r\n" + PID + "\r" + PV1 + "\n" + msh("ADT^A08", "C2") + "\n" + PID + "\r\n" + PV1;
    const r = parse(text);
    expect(r.units.map((u) => u.line)).toEqual([1, 4]);
    expect(r.units.every((u) => u.records.length === 2)).toBe(true);
  });

  it("ignores leading and trailing whitespace and blank lines", () => {
    const text = "\n\n   \r\n" + ADT_A01 + "\r\n\r\n  \n";
    const unit = only(parse(text));
    expect(unit.line).toBe(4);
    expect(unit.text).toBe(ADT_A01);
    expect(errors(unit)).toEqual([]);
  });

  it("skips // and /* */ comment lines between messages (hapi messages.txt)", () => {
    const text =
      "/*\n * header comment\n */\n" +
      [msh("ADT^A01", "C1"), PID, PV1].join("\n") +
      "\n\n// *** Original message ver 2.1\n" +
      [msh("ADT^A08", "C2"), PID, PV1].join("\n") +
      "\n/* trailing */\n";
    const r = parse(text);
    expect(r.issues).toEqual([]);
    expect(r.units.map((u) => [msh10(u), u.line])).toEqual([
      ["C1", 4],
      ["C2", 9],
    ]);
    expect(r.units.every((u) => errors(u).length === 0)).toBe(true);
  });

  it("tolerates MLLP framing bytes left in a captured feed", () => {
    const unit = only(parse("\x0b" + ADT_A01 + "\x1c\r"));
    expect(msh10(unit)).toBe("C1");
    expect(errors(unit)).toEqual([]);
  });

  it("reports an empty file as a file-level warning, not a crash", () => {
    const r = parse("  \n// nothing here\n");
    expect(r.units).toEqual([]);
    expect(r.issues[0]?.code).toBe("HL7-EMPTY");
  });
});

describe("parseHl7: batch envelopes", () => {
  const m1 = [msh("ADT^A01", "C1"), PID, PV1];
  const m2 = [msh("ADT^A08", "C2"), PID, PV1];
  const fhs = "FHS|^~\\&|EHR|H1|BILL|H1|20260305||||F1";
  const bhs = "BHS|^~\\&|EHR|H1|BILL|H1|20260305||||B1";
  const lines = (...ls: (string | string[])[]) => ls.flat().join("\r") + "\r";

  it.each([
    ["FHS BHS … BTS FTS", lines(fhs, bhs, m1, m2, "BTS|2", "FTS|1")],
    ["two batches in a file", lines(fhs, bhs, m1, "BTS|1", bhs, m2, "BTS|1", "FTS|2")],
    ["BHS … BTS without a file header", lines(bhs, m1, m2, "BTS|2")],
    ["FHS … FTS without a batch header", lines(fhs, m1, m2, "FTS|1")],
  ])("parses %s with no issue", (_name, text) => {
    const r = parse(text);
    expect(r.issues).toEqual([]);
    expect(r.units.map((u) => msh10(u))).toEqual(["C1", "C2"]);
    expect(r.units.every((u) => errors(u).length === 0)).toBe(true);
  });

  it("does not put envelope segments in the message text", () => {
    const r = parse(lines(fhs, bhs, m1, "BTS|1", "FTS|1"));
    expect(only(r).text).toBe(lines(m1));
  });

  it("flags a BTS count that does not match, and still parses the messages", () => {
    const r = parse(lines(bhs, m1, m2, "BTS|3"), "batch.hl7");
    expect(r.units).toHaveLength(2);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ code: "HL7-ENVELOPE-COUNT", severity: "error", expected: "2", found: "3" });
    expect(r.issues[0]!.message).toMatch(/^batch\.hl7 line 8, BTS-1: /);
  });

  it("flags an FTS batch count that does not match", () => {
    const r = parse(lines(fhs, bhs, m1, "BTS|1", "FTS|2"));
    expect(r.issues.map((i) => i.code)).toEqual(["HL7-ENVELOPE-COUNT"]);
  });

  it("flags a batch header nested in an open batch, and a trailer with no header", () => {
    const r = parse(lines(bhs, m1, bhs, m2, "BTS|1", "BTS|0"));
    expect(r.units.map((u) => msh10(u))).toEqual(["C1", "C2"]);
    expect(r.issues.map((i) => i.code)).toEqual(["HL7-ENVELOPE-NESTED", "HL7-ENVELOPE-UNOPENED"]);
  });

  it("flags a file header nested in an open file", () => {
    const r = parse(lines(fhs, m1, fhs, m2, "FTS|1"));
    expect(r.units).toHaveLength(2);
    expect(r.issues.map((i) => i.code)).toContain("HL7-ENVELOPE-NESTED");
  });

  it("warns when headers are never closed", () => {
    const r = parse(lines(fhs, bhs, m1));
    expect(r.units).toHaveLength(1);
    expect(r.issues.map((i) => [i.code, i.severity])).toEqual([
      ["HL7-ENVELOPE-UNCLOSED", "warning"],
      ["HL7-ENVELOPE-UNCLOSED", "warning"],
    ]);
  });

  it("keeps segments inside a batch with no MSH as a quarantined unit", () => {
    const r = parse(lines(bhs, "EVN|A04|20260101", PID, PV1, "BTS|1"), "bad_batch.hl7");
    const unit = only(r);
    expect(msh10(unit)).toBeNull();
    expect(unit.text).toBe(lines("EVN|A04|20260101", PID, PV1));
    expect(errors(unit)[0]).toMatchObject({ code: "HL7-NO-MSH", expected: "MSH", found: "EVN" });
    expect(errors(unit)[0]!.message).toMatch(/^bad_batch\.hl7 line 2: expected a message to start with an MSH segment/);
    expect(r.issues.map((i) => i.code)).toEqual(["HL7-ENVELOPE-COUNT"]);
  });
});

describe("parseHl7: broken messages", () => {
  it("quarantines a file that does not start with MSH and names the line", () => {
    const unit = only(parse("PID|1||12345^^^MRN||DOE^JOHN\nPV1|1|I\n", "missing.hl7"));
    expect(errors(unit)[0]!.message).toContain("missing.hl7 line 1");
  });

  it("reports a bad segment id with its line", () => {
    const unit = only(parse(message(msh("ADT^A01", "C1"), PID, "PIDX|1||X", "PV|1", PV1), "ids.hl7"));
    const codes = errors(unit).map((i) => [i.code, i.where.line, i.found]);
    expect(codes).toEqual([
      ["HL7-SEGMENT-ID", 3, "PIDX"],
      ["HL7-SEGMENT-ID", 4, "PV"],
    ]);
  });

  it("reports a missing or malformed MSH-9 as an error", () => {
    const missing = only(parse(message("MSH|^~\\&|EHR|H1|||20260101|||C1|P|2.5", PID)));
    expect(errors(missing)[0]!.code).toBe("HL7-MSH9");
    const bad = only(parse(message("MSH|^~\\&|EHR|H1|||20260101||ADMIT^A01|C1|P|2.5", PID)));
    expect(errors(bad)[0]!.code).toBe("HL7-MSH9");
  });

  it("warns about an unknown version but still maps", () => {
    const unit = only(parse(message(msh("ADT^A01", "C1", "1.0"), PID, PV1)));
    expect(unit.issues.map((i) => [i.code, i.severity])).toEqual([["HL7-VERSION", "warning"]]);
    expect(unit.records).toHaveLength(2);
  });

  it("warns when MSH-10 is empty", () => {
    const unit = only(parse(message("MSH|^~\\&|EHR|H1|||20260101||ADT^A01||P|2.5", PID, PV1)));
    expect(msh10(unit)).toBeNull();
    expect(unit.issues.map((i) => i.code)).toContain("HL7-MSH10");
  });

  it("one bad message never stops the rest of the file", () => {
    const text =
      message("GARBAGE LINE") +
      message("MSH") +
      ADT_A01 +
      message(msh("DFT^P03", "D1"), PID, PV1, ft1({ 11: "12,50" })) +
      message(msh("ADT^A08", "C3"), PID, PV1);
    const r = parse(text);
    expect(r.units.map((u) => msh10(u))).toEqual([null, null, "C1", "D1", "C3"]);
    expect(r.units.map((u) => errors(u).length > 0)).toEqual([true, true, false, true, false]);
  });

  it("never throws on arbitrary input", () => {
    const samples = [
      "",
      "\r\r\n",
      "MSH",
      "MSH|",
      "MSH|^",
      "MSH|^~\\&",
      "FHS",
      "BTS|x",
      "/*",
      "MSH|^~\\&|" + "|".repeat(50),
      "\\".repeat(100),
      "MSH|^~\\&|a|b|c|d|e||DFT^P03|x|P|2.5\rFT1|" + "^~&\\".repeat(30),
    ];
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed / 0x7fffffff);
    const alphabet = 'MSHPIDFT1|^~\\&\r\n"ZX0.- ';
    for (let i = 0; i < 300; i++) {
      let s = i % 3 === 0 ? ADT_A01.slice(0, Math.floor(rand() * ADT_A01.length)) : "";
      for (let j = 0; j < 60; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
      samples.push(s);
    }
    for (const s of samples) expect(() => parse(s)).not.toThrow();
  });
});

// ---------------------------------------------------------------- ADT

describe("parseHl7: ADT → encounter and patient account", () => {
  it("maps A01 fields", () => {
    const unit = only(parse(ADT_A01));
    const [enc] = recordsOf(unit, "encounter");
    expect(enc).toEqual<Encounter>({
      type: "encounter",
      system: "ehr",
      visitNumber: "V1",
      accountNumber: "ACCT1",
      mrn: "MRN1",
      patientClass: "I",
      facilityCode: "H1",
      locationCode: "4W",
      departmentCode: "MED",
      attendingNpi: "1234567893",
      admitAt: "2026-03-01T13:00:00Z",
      dischargeAt: null,
      status: "active",
      lastEvent: "A01",
      financialClass: "BC",
    });
    const [acct] = recordsOf(unit, "patientAccount");
    expect(acct).toEqual<PatientAccount>({
      type: "patientAccount",
      system: "ehr",
      accountNumber: "ACCT1",
      mrn: "MRN1",
      patientName: "DOE, JANE",
      birthDate: "1980-02-14",
      financialClass: "BC",
      primaryPayerId: null,
    });
  });

  it("takes the system from the options", () => {
    const unit = parseHl7(ADT_A01, { fileName: "x.hl7", system: "billing" }).units[0]!;
    expect(unit.records.every((r) => r.system === "billing")).toBe(true);
  });

  it("reads the primary payer from IN1-3", () => {
    const unit = only(
      parse(message(msh("ADT^A04", "C1"), PID, PV1, seg("IN1", { 1: "1", 2: "PLAN1", 3: "BCBS^^^X" }), seg("IN1", { 1: "2", 3: "MCARE" }))),
    );
    expect(recordsOf(unit, "patientAccount")[0]?.primaryPayerId).toBe("BCBS");
  });

  it("prefers the PID-3 repetition typed MR", () => {
    const pid = seg("PID", { 3: "999^^^SSA^SS~MRN7^^^H1^MR", 18: "A7" });
    const unit = only(parse(message(msh("ADT^A04", "C1"), pid, PV1)));
    expect(recordsOf(unit, "encounter")[0]?.mrn).toBe("MRN7");
  });

  it.each([
    ["A03", "discharged"],
    ["A11", "cancelled"],
    ["A13", "active"],
    ["A04", "active"],
    ["A02", "active"],
  ])("%s gives status %s", (trigger, status) => {
    const pv1 = seg("PV1", { 2: "I", 19: "V1", 45: trigger === "A13" ? "20260304" : "" });
    const unit = only(parse(message(msh(`ADT^${trigger}`, "C1"), PID, pv1)));
    const enc = recordsOf(unit, "encounter")[0]!;
    expect(enc.status).toBe(status);
    expect(enc.lastEvent).toBe(trigger);
    if (trigger === "A13") expect(enc.dischargeAt).toBeNull();
  });

  it("an A08 after discharge keeps the encounter discharged", () => {
    const pv1 = seg("PV1", { 2: "I", 19: "V1", 45: "202603041130" });
    const enc = recordsOf(only(parse(message(msh("ADT^A08", "C1"), PID, pv1))), "encounter")[0]!;
    expect(enc.status).toBe("discharged");
    expect(enc.dischargeAt).toBe("2026-03-04T11:30:00");
  });

  it("falls back to PID-18 when PV1-19 is empty, with a warning", () => {
    const pv1 = seg("PV1", { 2: "O" });
    const unit = only(parse(message(msh("ADT^A04", "C1"), PID, pv1)));
    expect(recordsOf(unit, "encounter")[0]?.visitNumber).toBe("ACCT1");
    expect(unit.issues.map((i) => [i.code, i.severity])).toEqual([["HL7-VISIT-FROM-ACCOUNT", "warning"]]);
  });

  it("is an error when both PV1-19 and PID-18 are empty", () => {
    const unit = only(parse(message(msh("ADT^A01", "C1"), seg("PID", { 3: "M1" }), seg("PV1", { 2: "I" })), "adt.hl7"));
    expect(unit.records).toEqual([]);
    expect(errors(unit)[0]).toMatchObject({ code: "HL7-NO-VISIT", where: { file: "adt.hl7", line: 3, segment: "PV1", field: "PV1-19" } });
    expect(errors(unit)[0]!.message).toBe(
      "adt.hl7 line 3, PV1-19: expected a visit number (or a PID-18 account number to use instead), found empty; PID-18 is empty too",
    );
  });

  it("takes the trigger from EVN-1 when MSH-9 has none (v2.1/2.2 style)", () => {
    const unit = only(parse(message(msh("ADT", "C1", "2.2"), "EVN|A03|19940502", PID, PV1)));
    expect(recordsOf(unit, "encounter")[0]?.status).toBe("discharged");
  });

  it("unescapes values and honours custom delimiters", () => {
    const hash = (s: string) => s.replaceAll("|", "#");
    const text = message(
      "MSH#!@%*#EHR#H1#####ADT!A04#C1#P#2.5",
      hash(seg("PID", { 1: "1", 3: "M1!!!H1!MR", 5: "O%T%BRIEN!ANN%S%MARIE", 18: "AC%E%1" })),
      hash(seg("PV1", { 1: "1", 2: "O", 3: "ED!!!H1*MAIN CAMPUS", 19: "V1" })),
    );
    const unit = only(parse(text));
    expect(errors(unit)).toEqual([]);
    const acct = recordsOf(unit, "patientAccount")[0]!;
    expect(acct.patientName).toBe("O*BRIEN, ANN!MARIE");
    expect(acct.accountNumber).toBe("AC%1");
    expect(recordsOf(unit, "encounter")[0]).toMatchObject({ visitNumber: "V1", facilityCode: "H1", locationCode: "ED" });
  });

  it("keeps Z-segments in the unit and ignores them in mapping", () => {
    const text = message(msh("ADT^A01", "C1"), PID, "ZVN|1|CUSTOM|A^B", PV1, "ZPD|1|X");
    const unit = only(parse(text));
    expect(unit.text).toContain("ZVN|1|CUSTOM");
    expect(unit.records).toHaveLength(2);
    expect(unit.issues).toEqual([]);
  });

  it("reads a v2.7 message with five encoding characters", () => {
    const text = message("MSH|^~\\&#|EHR|H1|||20260101||ADT^A01|C1|P|2.7", PID, PV1);
    expect(only(parse(text)).issues).toEqual([]);
  });
});

// ---------------------------------------------------------------- DFT

function dft(...ft1s: string[]): RawUnit {
  return only(parse(message(msh("DFT^P03", "D1", "2.6"), PID, PV1, ...ft1s), "dft.hl7"));
}

describe("parseHl7: DFT^P03 → charges", () => {
  it("maps one charge per FT1", () => {
    const unit = dft(
      ft1({ 8: "CBC", 12: "50.00", 10: "2", 11: "100.00", 13: "LAB", 20: "1111111111^DOC", 41: "0300" }),
      ft1({ 1: "2", 2: "T2", 7: "CDM2" }),
    );
    expect(errors(unit)).toEqual([]);
    const charges = recordsOf(unit, "charge");
    expect(charges).toHaveLength(2);
    expect(charges[0]).toEqual<Charge>({
      type: "charge",
      system: "ehr",
      transactionId: "T1",
      accountNumber: "ACCT1",
      visitNumber: "V1",
      cdmCode: "CDM1",
      revenueCode: "0300",
      departmentCode: "LAB",
      quantity: 2,
      amountCents: 10000,
      unitAmountCents: 5000,
      serviceDate: "2026-03-03",
      postingDate: "2026-03-05",
      transactionType: "CG",
      performingNpi: "1111111111",
      description: "CBC",
      reversesTransactionId: null,
    });
  });

  it("makes a transaction id from MSH-10 and FT1-1 when FT1-2 is empty, with a warning", () => {
    const unit = dft(ft1({ 1: "3", 2: "" }));
    expect(recordsOf(unit, "charge")[0]?.transactionId).toBe("D1-3");
    expect(unit.issues.map((i) => [i.code, i.severity])).toEqual([["HL7-FT1-ID", "warning"]]);
  });

  it("computes the amount from FT1-12 × quantity exactly when FT1-11 is empty", () => {
    expect(recordsOf(dft(ft1({ 10: "3", 11: "", 12: "12.34" })), "charge")[0]?.amountCents).toBe(3702);
    expect(recordsOf(dft(ft1({ 10: "0.5", 11: "", 12: "10.10" })), "charge")[0]?.amountCents).toBe(505);
    const inexact = dft(ft1({ 10: "0.5", 11: "", 12: "10.01" }));
    expect(errors(inexact)[0]?.code).toBe("HL7-FT1-AMOUNT");
  });

  it("reads the money part of a CP amount (price&currency^type)", () => {
    expect(recordsOf(dft(ft1({ 11: "100.10&USD^UP" })), "charge")[0]?.amountCents).toBe(10010);
  });

  it("negates a CD credit sent with positive quantity and amount", () => {
    const c = recordsOf(dft(ft1({ 6: "CD", 10: "2", 11: "40.00" })), "charge")[0]!;
    expect([c.quantity, c.amountCents, c.transactionType]).toEqual([-2, -4000, "CD"]);
  });

  it("keeps a negative quantity and amount negative", () => {
    const c = recordsOf(dft(ft1({ 6: "CG", 10: "-1", 11: "-40.00" })), "charge")[0]!;
    expect([c.quantity, c.amountCents]).toEqual([-1, -4000]);
  });

  it("reads a line whose quantity and amount disagree in sign as a credit, with a warning", () => {
    const unit = dft(ft1({ 10: "-1", 11: "40.00" }));
    const c = recordsOf(unit, "charge")[0]!;
    expect([c.quantity, c.amountCents]).toEqual([-1, -4000]);
    expect(unit.issues.map((i) => i.code)).toContain("HL7-FT1-SIGN");
  });

  it("links a reversal to the original through FT1-31", () => {
    const unit = dft(ft1({ 2: "T1" }), ft1({ 1: "2", 2: "T9", 6: "CD", 10: "1", 11: "100.00", 31: "T0" }));
    const [orig, rev] = recordsOf(unit, "charge");
    expect(orig!.reversesTransactionId).toBeNull();
    expect(rev!.reversesTransactionId).toBe("T0");
    expect(rev!.amountCents).toBe(-10000);
  });

  it("resolves an FT1-31 that names a sibling FT1 by set id", () => {
    const [, rev] = recordsOf(dft(ft1({ 1: "1", 2: "T1" }), ft1({ 1: "2", 2: "T2", 6: "CD", 31: "1" })), "charge");
    expect(rev!.reversesTransactionId).toBe("T1");
  });

  it("swaps FT1-10 and FT1-11 for v2.1", () => {
    const text = message(msh("DFT^P03", "D1", "2.1"), PID, PV1, ft1({ 10: "150.00", 11: "3", 12: "" }));
    const c = recordsOf(only(parse(text)), "charge")[0]!;
    expect([c.quantity, c.amountCents]).toEqual([3, 15000]);
  });

  it("takes the quantity as 1 when FT1-10 is empty, with a warning", () => {
    const unit = dft(ft1({ 10: "" }));
    expect(recordsOf(unit, "charge")[0]?.quantity).toBe(1);
    expect(unit.issues.map((i) => i.code)).toEqual(["HL7-FT1-QTY"]);
  });

  it("does not map payments and adjustments as charges", () => {
    const unit = dft(ft1({ 6: "PY" }));
    expect(unit.records).toEqual([]);
    expect(unit.issues.map((i) => [i.code, i.severity])).toEqual([["HL7-FT1-NOT-CHARGE", "warning"]]);
  });

  it("reports a bad amount naming file, line and field", () => {
    const unit = dft(ft1({ 11: "12,50" }));
    expect(unit.records).toEqual([]);
    expect(errors(unit)[0]).toMatchObject({
      code: "HL7-FT1-AMOUNT",
      expected: "a decimal amount",
      found: "12,50",
      where: { file: "dft.hl7", line: 4, segment: "FT1", field: "FT1-11" },
    });
    expect(errors(unit)[0]!.message).toBe('dft.hl7 line 4, FT1-11: expected a decimal amount, found "12,50"');
  });

  it("reports every missing required FT1 field at once", () => {
    const unit = dft(seg("FT1", { 1: "1", 2: "T1", 6: "CG" }));
    expect(
      errors(unit)
        .map((i) => i.where.field)
        .sort(),
    ).toEqual(["FT1-11", "FT1-4", "FT1-7"]);
  });

  it("refuses more than two decimal places rather than rounding", () => {
    expect(errors(dft(ft1({ 11: "10.005" })))[0]?.code).toBe("HL7-FT1-AMOUNT");
  });

  it("needs an account or visit to post to", () => {
    const text = message(msh("DFT^P03", "D1"), seg("PID", { 3: "M1" }), seg("PV1", { 2: "I" }), ft1({}));
    expect(errors(only(parse(text))).map((i) => i.code)).toEqual(["HL7-NO-ACCOUNT"]);
  });

  it("is an error when a DFT has no FT1", () => {
    expect(errors(only(parse(message(msh("DFT^P03", "D1"), PID, PV1))))[0]?.code).toBe("HL7-MISSING-SEGMENT");
  });

  it("maps BAR^P01 to the account, and its FT1s to charges", () => {
    const unit = only(parse(message(msh("BAR^P01", "B1"), "EVN|P01|20260301", PID, PV1, ft1({}))));
    expect(unit.records.map((r) => r.type)).toEqual(["patientAccount", "charge"]);
  });
});

describe("parseHl7: DFT supply usage", () => {
  it("maps an FT1-6 SU line to supply usage only (usage is not a charge)", () => {
    const unit = dft(ft1({ 2: "U1", 6: "SU", 7: "", 10: "4", 11: "", 13: "OR", 16: "OR3^^^H1", 34: "SUP-GAUZE" }));
    expect(errors(unit)).toEqual([]);
    expect(unit.records).toEqual<SupplyUsage[]>([
      {
        type: "supplyUsage",
        system: "ehr",
        usageId: "U1",
        accountNumber: "ACCT1",
        visitNumber: "V1",
        supplyCode: "SUP-GAUZE",
        locationCode: "OR3",
        departmentCode: "OR",
        quantity: 4,
        usedDate: "2026-03-03",
        implant: false,
        lotNumber: null,
        serialNumber: null,
        cdmCode: null,
      },
    ]);
  });

  it("maps an FT1 followed by ZPA (cabinet usage, no amount) to an implant usage with lot and serial", () => {
    const unit = dft(
      ft1({ 2: "U5", 6: "CG", 7: "CDM278^HIP IMPLANT^CDM", 11: "", 34: "IMP-77^HIP IMPLANT^EHRSUP" }),
      "ZPA|OR3|LOT-A1|SN-1|Y",
    );
    expect(errors(unit)).toEqual([]);
    expect(recordsOf(unit, "charge")).toEqual([]);
    expect(recordsOf(unit, "supplyUsage")[0]).toMatchObject({
      usageId: "U5",
      supplyCode: "IMP-77",
      implant: true,
      lotNumber: "LOT-A1",
      serialNumber: "SN-1",
      locationCode: "OR3",
      cdmCode: "CDM278",
    });
  });

  it("leaves the CDM code empty when FT1-7 carries the supply code itself", () => {
    const unit = dft(ft1({ 7: "SUP-9^GAUZE^EHRSUP", 11: "", 34: "SUP-9" }), "ZPA|OR3|||N");
    expect(recordsOf(unit, "supplyUsage")[0]).toMatchObject({ supplyCode: "SUP-9", cdmCode: null, implant: false });
  });

  it("keeps a charge that names an item (FT1-34) a charge only, so usage is not counted twice", () => {
    const unit = dft(ft1({ 2: "T5", 7: "CDM278", 11: "4200.00", 34: "IMP-77" }));
    expect(unit.records.map((r) => r.type)).toEqual(["charge"]);
  });
});

// ---------------------------------------------------------------- MFN

describe("parseHl7: MFN master files", () => {
  it("maps M02 staff with an NPI in PRA-6 to a provider", () => {
    const text = message(
      msh("MFN^M02", "M1"),
      "MFI|PRA||UPD",
      "MFE|MAD|||S1",
      seg("STF", { 1: "S1", 3: "WELBY^MARCUS", 7: "A", 8: "MED" }),
      seg("PRA", { 1: "S1", 5: "Internal Medicine", 6: "984567^UPIN~1234567893^NPI" }),
    );
    expect(only(parse(text)).records).toEqual([
      {
        type: "provider",
        system: "ehr",
        npi: "1234567893",
        name: "WELBY, MARCUS",
        specialty: "Internal Medicine",
        departmentCode: "MED",
        active: true,
      },
    ]);
  });

  it("finds an NPI in STF-2 and marks MDL deletes inactive", () => {
    const text = message(
      msh("MFN^M02", "M1"),
      "MFI|STF||UPD",
      "MFE|MDL|||S2",
      seg("STF", { 1: "S2", 2: "1999999999^^NPI", 3: "KILDARE^JAMES" }),
    );
    expect(only(parse(text)).records[0]).toMatchObject({ npi: "1999999999", active: false });
  });

  it("is an error when a provider has no NPI", () => {
    const text = message(
      msh("MFN^M02", "M1"),
      "MFI|STF||UPD",
      "MFE|MAD|||S3",
      seg("STF", { 1: "S3", 3: "NO^NPI" }),
      seg("PRA", { 6: "984567UPIN^UPIN" }),
    );
    expect(errors(only(parse(text)))[0]?.code).toBe("HL7-NO-NPI");
  });

  it("maps M05 LOC/LDP to locations and departments", () => {
    const text = message(
      msh("MFN^M05", "M5"),
      "MFI|LOC||UPD",
      "MFE|MAD|||4W",
      seg("LOC", { 1: "4W^^^H1", 2: "4 West Med/Surg", 3: "N" }),
      seg("LDP", { 1: "4W^^^H1", 2: "MED^Medicine" }),
    );
    expect(only(parse(text)).records).toEqual([
      { type: "location", system: "ehr", code: "4W", name: "4 West Med/Surg", departmentCode: "MED", facilityCode: "H1" },
      { type: "department", system: "ehr", code: "MED", name: "Medicine", costCenter: null, facilityCode: "H1" },
    ]);
  });

  it("maps M04 CDM/PRC to charge master entries", () => {
    const text = message(
      msh("MFN^M04", "M4"),
      "MFI|CDM||UPD",
      "MFE|MAD|||CDM1",
      seg("CDM", { 1: "CDM1", 3: "CBC W DIFF" }),
      seg("PRC", { 1: "CDM1", 3: "LAB", 5: "125.50" }),
    );
    expect(only(parse(text)).records).toEqual([
      {
        type: "chargeMasterEntry",
        system: "ehr",
        cdmCode: "CDM1",
        description: "CBC W DIFF",
        revenueCode: null,
        departmentCode: "LAB",
        priceCents: 12550,
      },
    ]);
  });

  it("reads the revenue code from the PRC billing category (PRC-13), or a PRC-14 that is plainly not a flag", () => {
    const entry = (prc: Record<number, string>) =>
      only(
        parse(
          message(
            msh("MFN^M04", "M4"),
            "MFI|CDM||UPD",
            "MFE|MAD|||C1",
            seg("CDM", { 1: "C1^X^CDM", 3: "SHORT", 4: "LONG NAME" }),
            seg("PRC", { 1: "C1", 5: "10.00", ...prc }),
          ),
        ),
      ).records[0];
    expect(entry({})).toMatchObject({ revenueCode: null, description: "LONG NAME" });
    expect(entry({ 13: "0300" })).toMatchObject({ revenueCode: "0300" });
    expect(entry({ 14: "0450^^NUBC" })).toMatchObject({ revenueCode: "0450" });
    expect(entry({ 14: "Y" })).toMatchObject({ revenueCode: null });
  });

  it("emits one department per code when several locations share it", () => {
    const loc = (code: string) => [
      `MFE|MAD|||${code}^^^H1`,
      seg("LOC", { 1: `${code}^^^H1`, 2: code }),
      seg("LDP", { 1: `${code}^^^H1`, 2: "MED^Medicine" }),
    ];
    const unit = only(parse(message(msh("MFN^M05", "M5"), "MFI|LOC||UPD", ...loc("4W"), ...loc("4E"))));
    expect(unit.records.map((r) => r.type)).toEqual(["location", "department", "location"]);
  });

  it("reads an implant from the ITM-5 item category", () => {
    const m16 = message(
      msh("MFN^M16", "M16", "2.6"),
      "MFI|ITM||UPD",
      "MFE|MAD|||S2",
      seg("ITM", { 1: "S2", 2: "Knee", 3: "A", 5: "IMPLANT", 11: "N" }),
    );
    expect(only(parse(m16)).records[0]).toMatchObject({ itemNumber: "S2", implant: true, chargeable: false, cdmCode: null });
  });

  it("warns, and loads nothing, for a delete of a type with no active flag", () => {
    const unit = only(parse(message(msh("MFN^M04", "M4"), "MFI|CDM||UPD", "MFE|MDL|||CDM1", seg("CDM", { 1: "CDM1" }))));
    expect(unit.records).toEqual([]);
    expect(unit.issues.map((i) => [i.code, i.severity])).toEqual([["HL7-MFN-DELETE", "warning"]]);
  });

  it("maps M16 ITM and M15 IIM to items", () => {
    const m16 = message(
      msh("MFN^M16", "M16", "2.6"),
      "MFI|ITM||UPD",
      "MFE|MAD|||SUP-1",
      seg("ITM", { 1: "SUP-1", 2: "Hip implant", 4: "IMP", 11: "Y", 12: "CDM278" }),
      "VND|1|V1",
      seg("PKG", { 1: "1", 2: "EA", 5: "1800.00" }),
    );
    expect(only(parse(m16)).records).toEqual([
      {
        type: "item",
        system: "ehr",
        itemNumber: "SUP-1",
        description: "Hip implant",
        unitOfMeasure: "EA",
        unitCostCents: 180000,
        chargeable: true,
        cdmCode: "CDM278",
        implant: true,
      },
    ]);
    const m15 = message(
      msh("MFN^M15", "M15", "2.5"),
      "MFI|IIM||UPD",
      "MFE|MAD|||SUP-2",
      seg("IIM", { 1: "SUP-2^Gauze 4x4", 9: "BX", 10: "3.25" }),
    );
    expect(only(parse(m15)).records).toEqual([
      {
        type: "item",
        system: "ehr",
        itemNumber: "SUP-2",
        description: "Gauze 4x4",
        unitOfMeasure: "BX",
        unitCostCents: 325,
        chargeable: false,
        cdmCode: null,
        implant: false,
      },
    ]);
  });
});

describe("parseHl7: messages we do not map", () => {
  it.each(["ORU^R01", "ORM^O01", "SIU^S12", "VXU^V04", "MDM^T02", "ADT^A28", "QRY^Q01"])(
    "archives %s with a not-mapped warning",
    (type) => {
      const unit = only(parse(message(msh(type, "X1"), PID, "OBX|1|TX|||text")));
      expect(unit.records).toEqual([]);
      expect(unit.issues).toHaveLength(1);
      expect(unit.issues[0]).toMatchObject({ code: "HL7-NOT-MAPPED", severity: "warning" });
      expect(unit.issues[0]!.message).toContain(`not mapped: ${type}`);
    },
  );

  it("archives an ACK with no trigger", () => {
    const unit = only(parse(message("MSH|^~\\&|A|B|C|D|||ACK|X1|P|2.5.1", "MSA|AA|C1")));
    expect(unit.issues[0]!.message).toContain("not mapped: ACK");
  });
});
