/**
 * The hand-written samples committed under fixtures/samples/hl7v2: the same code paths
 * as the public corpus (batches, escapes, custom delimiters, credits and reversals,
 * supply usage, v2.1, broken messages), testable without it.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { CanonicalRecord, Charge, ParseResult } from "../../src-shared/model";
import { decodeText } from "../decode";
import { parseHl7 } from "./parseHl7";

/** MSH-10 out of a unit's control id (which is MSH-3|MSH-4|MSH-10). */
const msh10 = (u: { controlId: string | null }): string | null => u.controlId?.split("|").at(-1) ?? null;

const dir = resolve(process.cwd(), "fixtures/samples/hl7v2");

function load(name: string): { text: string; result: ParseResult } {
  const text = decodeText(readFileSync(resolve(dir, name))).text;
  return { text, result: parseHl7(text, { fileName: name }) };
}

function records(result: ParseResult): CanonicalRecord[] {
  return result.units.flatMap((u) => u.records);
}

function errorCodes(result: ParseResult): string[] {
  return result.units.flatMap((u) => u.issues.filter((i) => i.severity === "error").map((i) => i.code));
}

describe("fixtures/samples/hl7v2", () => {
  it("dft-credit-reversal.hl7: charges, a credit, a reversal, unit × quantity, and a supply charge", () => {
    const { result } = load("dft-credit-reversal.hl7");
    expect(errorCodes(result)).toEqual([]);
    const charges = records(result).filter((r): r is Charge => r.type === "charge");
    expect(charges.map((c) => [c.transactionId, c.quantity, c.amountCents, c.reversesTransactionId])).toEqual([
      ["T1001", 2, 25000, null],
      ["T1002", -1, -12500, null],
      ["T1003", -2, -25000, "T1001"],
      ["DFT-0001-4", 3, 3702, null],
      ["T1005", 1, 420000, null],
    ]);
    expect(charges.every((c) => c.accountNumber === "ACCT5001" && c.visitNumber === "V9001")).toBe(true);
    expect(charges[0]).toMatchObject({
      revenueCode: "0300",
      departmentCode: "LAB",
      performingNpi: "1234567893",
      serviceDate: "2026-03-03",
      postingDate: "2026-03-05",
    });
    // T1005 names an item (FT1-34) but is a charge: usage comes from the usage feed.
    expect(records(result).filter((r) => r.type === "supplyUsage")).toEqual([]);
    // Net of the charge, its reversal and the credit: 25000 − 12500 − 25000 + 3702 + 420000.
    expect(charges.reduce((s, c) => s + c.amountCents, 0)).toBe(411202);
  });

  it("dft-supply-usage.hl7: cabinet usage (FT1 + ZPA) and an SU line are supply usage, not charges", () => {
    const { result } = load("dft-supply-usage.hl7");
    expect(errorCodes(result)).toEqual([]);
    expect(records(result)).toEqual([
      {
        type: "supplyUsage",
        system: "ehr",
        usageId: "U2001",
        accountNumber: "ACCT5001",
        visitNumber: "V9001",
        supplyCode: "SUP-IMP-77",
        locationCode: "OR3",
        departmentCode: "OR",
        quantity: 1,
        usedDate: "2026-03-04",
        implant: true,
        lotNumber: "LOT-A1",
        serialNumber: "SN-000123",
        cdmCode: "CDM278001",
      },
      expect.objectContaining({ usageId: "U2002", supplyCode: "SUP-GAUZE-4X4", quantity: 4, cdmCode: null, implant: false }),
      expect.objectContaining({ usageId: "U2003", supplyCode: "SUP-SUTURE-3-0", quantity: 2, locationCode: "4W" }),
    ]);
  });

  it("dft-v21.hl7: v2.1 FT1-10 is the amount and FT1-11 the quantity", () => {
    const { result } = load("dft-v21.hl7");
    expect(records(result)[0]).toMatchObject({
      type: "charge",
      transactionId: "T2101",
      quantity: 3,
      amountCents: 15000,
      unitAmountCents: 5000,
    });
  });

  it("batch-fhs-bhs.hl7: two batches, three messages, no envelope issue", () => {
    const { text, result } = load("batch-fhs-bhs.hl7");
    expect(result.issues).toEqual([]);
    expect(result.units.map((u) => [msh10(u), u.line])).toEqual([
      ["ADT-1001", 3],
      ["ADT-1002", 7],
      ["DFT-1003", 13],
    ]);
    for (const u of result.units) expect(text).toContain(u.text);
    expect(records(result).map((r) => r.type)).toEqual(["encounter", "patientAccount", "encounter", "patientAccount", "charge"]);
    expect(records(result)[2]).toMatchObject({ type: "encounter", status: "discharged", dischargeAt: "2026-03-04T16:30:00Z" });
  });

  it("adt-escapes.hl7: escapes are undone in values, and CRLF is kept in the unit text", () => {
    const { text, result } = load("adt-escapes.hl7");
    expect(result.units[0]!.text).toBe(text);
    expect(errorCodes(result)).toEqual([]);
    const [enc, acct] = records(result);
    expect(acct).toMatchObject({
      type: "patientAccount",
      accountNumber: "ACCT\\5002",
      patientName: "O&BRIEN-SMITH^JR, ANNE~MARIE",
      mrn: "MRN0002",
    });
    expect(enc).toMatchObject({ type: "encounter", locationCode: "CLINA", departmentCode: "CARDIO", attendingNpi: null, lastEvent: "A08" });
  });

  it("custom-delimiters.hl7: #!@%* delimiters and a five-character MSH-2", () => {
    const { result } = load("custom-delimiters.hl7");
    expect(errorCodes(result)).toEqual([]);
    expect(result.units.map((u) => msh10(u))).toEqual(["ADT-3001", "ADT-3002"]);
    expect(
      records(result)
        .filter((r) => r.type === "patientAccount")
        .map((r) => (r.type === "patientAccount" ? r.patientName : null)),
    ).toEqual(["ROE, RICHARD!JR", "LEE, KIM"]);
  });

  it("multi-with-comments.hl7: comments, blank lines and mixed terminators", () => {
    const { result } = load("multi-with-comments.hl7");
    expect(result.issues).toEqual([]);
    expect(result.units.map((u) => [msh10(u), u.line])).toEqual([
      ["ADT-1001", 6],
      ["ADT-1002", 12],
    ]);
    expect(errorCodes(result)).toEqual([]);
  });

  it("malformed.hl7: each broken message is quarantined with a readable reason; good ones load", () => {
    const { result } = load("malformed.hl7");
    expect(result.units.map((u) => [msh10(u), u.issues.filter((i) => i.severity === "error").map((i) => i.message)])).toEqual([
      [
        null,
        [
          'malformed.hl7 line 1: expected a message to start with an MSH segment, found "PID|1||ORPHAN1||NO^HEADER" (2 lines up to line 2 belong to no message)',
        ],
      ],
      ["ADT-1001", []],
      ["BAD-0001", ['malformed.hl7 line 8: expected a segment id of 3 letters or digits, found "PIDX"']],
      ["BAD-0002", ['malformed.hl7 line 14, FT1-11: expected a decimal amount, found "12,50"']],
      ["BAD-0003", ["malformed.hl7 line 15, MSH-9: expected a message type such as ADT^A01, found empty"]],
      ["ADT-1099", []],
    ]);
  });
});
