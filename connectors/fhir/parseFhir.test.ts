import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { CanonicalRecord, ParseResult, RawUnit } from "../../src-shared/model";
import { parseFhir } from "./parseFhir";
import { lineColumn, scanJson } from "./jsonScan";

const samples = resolve(process.cwd(), "fixtures/samples/fhir");
const corpus = resolve(process.cwd(), "../shared/corpus/fhir");

function recordsOf<T extends CanonicalRecord["type"]>(r: ParseResult, type: T): Extract<CanonicalRecord, { type: T }>[] {
  return r.units.flatMap((u) => u.records).filter((x): x is Extract<CanonicalRecord, { type: T }> => x.type === type);
}
function unit(r: ParseResult, controlId: string): RawUnit {
  const u = r.units.find((x) => x.controlId === controlId);
  if (!u) throw new Error(`no unit ${controlId}`);
  return u;
}
const errors = (u: RawUnit) => u.issues.filter((i) => i.severity === "error");

describe("jsonScan", () => {
  it("reports the offset of the first syntax error", () => {
    const text = '{\n  "a": 1,\n  "b": [1, 2,, 3]\n}';
    const r = scanJson(text, () => false);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(lineColumn(text, r.offset)).toEqual({ line: 3, column: 14 });
  });
  it("finds entry resources as exact slices", () => {
    const text = '{"entry":[{"resource": {"x" : 1 }},{"resource":{"y":[2]}}]}';
    const r = scanJson(text, (p) => p.length === 3 && p[2] === "resource");
    expect(r.ok && r.spans.map((s) => text.slice(s.start, s.end))).toEqual(['{"x" : 1 }', '{"y":[2]}']);
  });
});

describe("parseFhir on the sample Bundle", () => {
  const text = readFileSync(join(samples, "bundle-all-types.json"), "utf8");
  const r = parseFhir(text, { fileName: "bundle-all-types.json" });

  it("makes one unit per entry, each the exact source text of its resource", () => {
    expect(r.units).toHaveLength(11);
    for (const u of r.units) {
      expect(text).toContain(u.text);
      expect(JSON.parse(u.text).resourceType).toBeTruthy();
      expect(text.split("\n")[u.line - 1]).toContain("resource");
    }
    expect(r.issues).toEqual([]);
  });

  it("uses resourceType/id and the version as the control id", () => {
    expect(r.units.map((u) => u.controlId)).toContain("Practitioner/prac-1/_history/3");
    expect(unit(r, "Encounter/enc-1").kind).toBe("fhir-resource");
  });

  it("maps an Encounter with its account, attending NPI resolved inside the Bundle, and UTC instants", () => {
    const [enc] = recordsOf(r, "encounter");
    expect(enc).toMatchObject({
      system: "ehr",
      visitNumber: "V1001",
      accountNumber: "A5001",
      patientClass: "I",
      attendingNpi: "1234567893",
      admitAt: "2024-03-01T13:30:00.000Z",
      dischargeAt: "2024-03-04T16:00:00.000Z",
      status: "discharged",
      locationCode: "loc-3w",
      facilityCode: "org-hospital",
    });
    expect(recordsOf(r, "patientAccount")).toEqual([
      expect.objectContaining({ accountNumber: "A5001", patientName: "Doe, John", system: "ehr" }),
    ]);
  });

  it("maps Claim items exactly: net, unitPrice × fractional quantity, and skips unpriced items with a warning", () => {
    const [claim] = recordsOf(r, "claim");
    expect(claim).toMatchObject({
      system: "billing",
      claimId: "clm-1",
      kind: "institutional",
      totalChargeCents: 380005,
      payerId: "org-payer",
      payerName: "Aetna",
      billingNpi: "1234567893",
      serviceFrom: "2024-03-01",
      serviceTo: "2024-03-04",
    });
    const lines = recordsOf(r, "claimLine");
    expect(lines.map((l) => [l.lineNumber, l.chargeCents, l.units, l.procedureCode, l.modifiers, l.revenueCode])).toEqual([
      [1, 375030, 3, "99223", null, "0120"],
      [2, 4975, 2.5, "36415", "59:XU", null],
    ]);
    expect(unit(r, "Claim/clm-1").issues.map((i) => i.code)).toEqual(["fhir-item-without-price"]);
  });

  it("maps an EOB to a claim payment and clear adjustments only", () => {
    const [cp] = recordsOf(r, "claimPayment");
    expect(cp).toMatchObject({
      system: "payer",
      claimId: "clm-1",
      traceNumber: "EFT-0099",
      statusCode: "complete",
      chargeCents: 380005,
      paidCents: 205015,
      patientResponsibilityCents: 50000,
      payerClaimControl: "PAYER-CCN-77",
      sequence: 0,
    });
    expect(recordsOf(r, "remittanceAdjustment").map((a) => [a.groupCode, a.reasonCode, a.amountCents, a.serviceSequence])).toEqual([
      ["PR", "1", 50000, 1],
      ["CO", "45", 120015, 1],
    ]);
  });

  it("maps ChargeItem, SupplyDelivery, Location and both kinds of Organization", () => {
    expect(recordsOf(r, "charge")).toEqual([
      {
        type: "charge",
        system: "ehr",
        transactionId: "T-9001",
        accountNumber: "A5001",
        visitNumber: "enc-1",
        cdmCode: "CDM300100",
        revenueCode: null,
        departmentCode: "org-cardiology",
        quantity: 2,
        amountCents: 8450,
        unitAmountCents: null,
        serviceDate: "2024-03-02",
        postingDate: "2024-03-03",
        transactionType: null,
        performingNpi: "1234567893",
        description: "CBC w/ diff",
        reversesTransactionId: null,
      },
    ]);
    expect(recordsOf(r, "supplyUsage")).toEqual([
      expect.objectContaining({
        usageId: "sd-1",
        supplyCode: "SUP-2231",
        quantity: 4,
        usedDate: "2024-03-02",
        locationCode: "loc-3w",
        implant: false,
      }),
    ]);
    expect(recordsOf(r, "location")).toEqual([
      { type: "location", system: "ehr", code: "3WEST", name: "3 West", departmentCode: null, facilityCode: "org-hospital" },
    ]);
    expect(recordsOf(r, "payer")).toEqual([{ type: "payer", system: "ehr", payerId: "AETNA01", name: "Aetna", eftOriginatorId: null }]);
    expect(recordsOf(r, "department")).toEqual([
      { type: "department", system: "ehr", code: "CARD", name: "Cardiology", costCenter: null, facilityCode: "org-hospital" },
    ]);
  });

  it("keys a practitioner by NPI, and by another identifier with a warning when there is none", () => {
    expect(recordsOf(r, "provider").map((p) => [p.npi, p.name, p.specialty])).toEqual([
      ["1234567893", "Dr. William Osler", "Internal Medicine"],
      ["8003610000000000", "Dr Jane Citizen", null],
    ]);
    expect(unit(r, "Practitioner/prac-au").issues).toEqual([expect.objectContaining({ code: "fhir-no-npi", severity: "warning" })]);
  });

  it("counts other resource types as units with a 'not mapped' warning", () => {
    const obs = unit(r, "Observation/obs-1");
    expect(obs.records).toEqual([]);
    expect(obs.issues).toEqual([
      expect.objectContaining({ severity: "warning", message: expect.stringContaining("not mapped: Observation") }),
    ]);
  });

  it("lets the caller set the system for every resource", () => {
    const all = parseFhir(text, { fileName: "x.json", system: "billing" });
    expect(new Set(all.units.flatMap((u) => u.records.map((x) => x.system)))).toEqual(new Set(["billing"]));
  });
});

describe("parseFhir on NDJSON", () => {
  const text = readFileSync(join(samples, "bulk-claims.ndjson"), "utf8");
  const r = parseFhir(text, { fileName: "bulk-claims.ndjson" });

  it("quarantines the one bad line and goes on with the rest", () => {
    expect(r.issues).toEqual([]);
    expect(r.units.map((u) => [u.line, u.controlId, errors(u).length])).toEqual([
      [1, "Claim/nd-clm-1/_history/2", 0],
      [2, null, 1],
      [3, "ExplanationOfBenefit/nd-eob-1", 0],
      [5, "Observation/nd-obs-1", 0],
    ]);
    const bad = r.units[1]!;
    expect(bad.text).toBe(text.split("\n")[1]);
    expect(errors(bad)[0]!.message).toMatch(/^bulk-claims\.ndjson line 2, column \d+: invalid JSON/);
  });

  it("keeps each line's exact text and resolves an NPI from a conditional reference", () => {
    expect(r.units[0]!.text).toBe(text.split("\n")[0]);
    expect(recordsOf(r, "claim")[0]).toMatchObject({ billingNpi: "1999999984", totalChargeCents: 12550 });
    expect(recordsOf(r, "claimPayment")[0]).toMatchObject({
      claimId: "nd-clm-1",
      paidCents: 10040,
      traceNumber: "ExplanationOfBenefit/nd-eob-1",
    });
  });
});

describe("parseFhir errors and money", () => {
  it("names file, line and column for invalid JSON", () => {
    const r = parseFhir('{\n  "resourceType": "Bundle",\n  "entry": [\n    {"resource": {"resourceType": "Claim" "id": "x"}}\n  ]\n}', {
      fileName: "broken.json",
    });
    expect(r.units).toEqual([]);
    expect(r.issues[0]).toMatchObject({ code: "fhir-invalid-json", severity: "error", where: { file: "broken.json", line: 4 } });
    expect(r.issues[0]!.message).toMatch(/^broken\.json line 4, column 43: invalid JSON: expected ',' or '}'/);
  });

  it("refuses JSON that is not a resource", () => {
    expect(parseFhir('{"a":1}', { fileName: "a.json" }).issues[0]!.code).toBe("fhir-not-a-resource");
  });

  it("reads floating-point noise as the intended cents with a warning, and refuses a sub-cent amount", () => {
    const noisy = parseFhir(
      JSON.stringify({
        resourceType: "ChargeItem",
        id: "c",
        code: { coding: [{ code: "X" }] },
        occurrenceDateTime: "2024-01-01",
        quantity: { value: 1 },
        priceOverride: { value: 27.200000000000003 },
      }),
      { fileName: "n.json" },
    );
    expect(noisy.units[0]!.records[0]).toMatchObject({ amountCents: 2720 });
    expect(noisy.units[0]!.issues.map((i) => i.code)).toEqual(["fhir-float-noise"]);
    const subCent = parseFhir(
      JSON.stringify({
        resourceType: "ChargeItem",
        id: "c",
        code: { coding: [{ code: "X" }] },
        occurrenceDateTime: "2024-01-01",
        quantity: { value: 1 },
        priceOverride: { value: 2113.424 },
      }),
      { fileName: "s.json" },
    );
    expect(subCent.units[0]!.records).toEqual([]);
    expect(errors(subCent.units[0]!)[0]!.message).toContain(
      "priceOverride.value: expected a decimal amount with at most 2 decimal places, found 2113.424",
    );
  });

  it("refuses an extended amount that is not whole cents instead of rounding", () => {
    const r = parseFhir(
      JSON.stringify({ resourceType: "Claim", id: "c", item: [{ sequence: 1, unitPrice: { value: 0.33 }, quantity: { value: 1.5 } }] }),
      { fileName: "c.json" },
    );
    expect(errors(r.units[0]!)[0]!.message).toContain("not a whole number of cents");
  });
});

const corpusFiles = existsSync(corpus) ? walk(corpus) : [];
function walk(d: string): string[] {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Per file: units, quarantined units, records by type. From the files as committed in shared/corpus. */
const EXPECTED: Record<string, { units: number; quarantined: number; records: Record<string, number> }> = {
  "Alfred550_West559_6872def5-772f-427c-3053-de6e1c71ce0a.json": {
    units: 272,
    quarantined: 2, // two EOBs with sub-cent amounts (2113.424, 26629.008)
    records: { encounter: 12, claim: 15, claimLine: 78, claimPayment: 13, remittanceAdjustment: 57, supplyUsage: 6 },
  },
  "Luther918_MacGyver246_a0b63e97-b6fd-5fe1-8f2d-2bec915efa97.json": {
    units: 257,
    quarantined: 3,
    records: { encounter: 13, claim: 13, claimLine: 78, claimPayment: 10, remittanceAdjustment: 45, supplyUsage: 6 },
  },
  "hospitalInformation1758159635210.json": { units: 51, quarantined: 0, records: { department: 25, location: 26 } },
  "practitionerInformation1758159635210.json": { units: 50, quarantined: 0, records: { provider: 25 } },
  "Coverage_CoverageEx1.json": { units: 1, quarantined: 0, records: {} },
  "ExplanationOfBenefit_EOBInpatientInstitutionalEx1.json": {
    units: 1,
    quarantined: 0,
    records: { claimPayment: 1, remittanceAdjustment: 1 },
  },
  "ExplanationOfBenefit_EOBOutpatientInstitutionalEx1.json": { units: 1, quarantined: 0, records: { claimPayment: 1 } },
  "ExplanationOfBenefit_EOBProfessionalEx1.json": { units: 1, quarantined: 0, records: { claimPayment: 1, remittanceAdjustment: 1 } },
  "connDmdEOBInpatient1.json": { units: 1, quarantined: 0, records: { claimPayment: 1 } },
  "connDmdEOBOutpatient1.json": { units: 1, quarantined: 0, records: { claimPayment: 1 } },
  "connDmdEOBPharmacy1.json": { units: 1, quarantined: 0, records: { claimPayment: 1 } },
  "connDmdEOBProfessional1.json": { units: 1, quarantined: 0, records: { claimPayment: 1 } },
};

(corpusFiles.length ? describe : describe.skip)(
  `parseFhir on the shared corpus (${corpus}${corpusFiles.length ? "" : " not found: skipped"})`,
  () => {
    it("covers every corpus file in the expectations table", () => {
      expect(corpusFiles.map((f) => basename(f)).sort()).toEqual(Object.keys(EXPECTED).sort());
    });
    for (const f of corpusFiles) {
      it(`parses ${basename(f)} with the expected counts`, () => {
        const r = parseFhir(readFileSync(f, "utf8"), { fileName: basename(f) });
        const exp = EXPECTED[basename(f)]!;
        const records: Record<string, number> = {};
        for (const u of r.units) for (const x of u.records) records[x.type] = (records[x.type] ?? 0) + 1;
        expect(r.issues.filter((i) => i.severity === "error")).toEqual([]);
        expect(r.units.length).toBe(exp.units);
        expect(r.units.filter((u) => errors(u).length > 0).length).toBe(exp.quarantined);
        expect(records).toEqual(exp.records);
        for (const u of r.units) {
          for (const e of errors(u)) expect(e.message).toContain(basename(f));
          expect(u.controlId).toMatch(/^[A-Za-z]+\//);
        }
      });
    }

    it("keys Synthea claims and EOBs the same way, and reads the MRN from the Patient", () => {
      const f = corpusFiles.find((x) => basename(x).startsWith("Luther918"))!;
      const r = parseFhir(readFileSync(f, "utf8"), { fileName: basename(f) });
      const claimIds = new Set(recordsOf(r, "claim").map((c) => c.claimId));
      for (const p of recordsOf(r, "claimPayment")) expect(claimIds.has(p.claimId)).toBe(true);
      expect(new Set(recordsOf(r, "encounter").map((e) => e.mrn))).toEqual(new Set(["a0b63e97-b6fd-5fe1-8f2d-2bec915efa97"]));
    });
  },
);
