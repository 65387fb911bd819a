/**
 * Walks every HL7 v2 file of the shared public corpus (../shared/corpus/hl7v2, see
 * PROVENANCE.md) and checks, per file, that parsing never throws and yields the
 * counts below. The numbers were checked by hand against the files:
 * - hapi messages.txt: 18 messages between its comment lines (ORU, ACK, 11 BAR^P01,
 *   3 ORM, 2 QRY); each BAR gives a patient account (PID-18), the rest are not mapped.
 * - hapi example_oml_o21: 13 messages separated by blank lines.
 * - python-hl7 sample_file1: 2 batches, 3 messages. Its ADT^A04s (and most of the
 *   rethinkhealth ADT fixtures) have neither PV1-19 nor PID-18, so they are quarantined
 *   with HL7-NO-VISIT: a visit with no number cannot be reconciled.
 * - python-hl7 sample_bad_*: segments with no MSH become a quarantined unit, the
 *   envelope problems are file-level issues, and the message before them still parses.
 * - rethinkhealth dft-p03-charge: its visit number sits in PV1-18 (one field early), so
 *   there is no account or visit to post to; the v2.3 DFT has no FT1-7 and no amount.
 * - v2-to-fhir M02: PRA-6 holds a UPIN, not an NPI.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeText } from "../decode";
import { parseHl7 } from "./parseHl7";

const corpusRoot = resolve(process.cwd(), "../shared/corpus");
const hl7Root = join(corpusRoot, "hl7v2");

/** [path under hl7v2/, units, records, units with an error, error codes in units, file-level issue codes] */
type Expected = [string, number, number, number, string[], string[]];

const EXPECTED: Expected[] = [
  ["cdcgov-trusted-intermediary/examples/CA/002_CA_ORU_R01.hl7", 1, 0, 0, [], []],
  ["cdcgov-trusted-intermediary/examples/Epic/001_Epic_ORM_O01.hl7", 1, 0, 0, [], []],
  ["cdcgov-trusted-intermediary/examples/Epic/002_Epic_ORU_R01.hl7", 1, 0, 0, [], []],
  ["cdcgov-trusted-intermediary/examples/MN/005_MN_ADT_A01.hl7", 1, 0, 1, ["HL7-NO-VISIT"], []],
  ["cdcgov-trusted-intermediary/examples/Natus/001_Natus_ACK.hl7", 1, 0, 0, [], []],
  ["cdcgov-trusted-intermediary/examples/Natus/002_Natus_ORU_R01_NBS.hl7", 1, 0, 0, [], []],
  ["cdcgov-trusted-intermediary/examples/Oracle/004_Oracle_ORU_R01.hl7", 1, 0, 0, [], []],
  ["cdcgov-trusted-intermediary/examples/Oracle/005_Oracle_ORM_O01_2_3_non_NBS.hl7", 1, 0, 0, [], []],
  ["cdcgov-trusted-intermediary/examples/Oracle/008_Oracle_OML_O21_NBS_with_two_races.hl7", 1, 0, 0, [], []],
  ["cdcgov-trusted-intermediary/examples/Other/001_ADT_A01.hl7", 1, 2, 0, [], []],
  ["cdcgov-trusted-intermediary/examples/TX/002_TX_ORU_R01.hl7", 1, 0, 0, [], []],
  ["cdcgov-trusted-intermediary/examples/Test/Automated/004_CA_ORU_R01_leading_zeroes.hl7", 1, 0, 0, [], []],
  ["cdcgov-trusted-intermediary/examples/Test/Automated/008_ORU_R01_micro_character_encoding.hl7", 1, 0, 0, [], []],
  ["efferent-hl7-dotnetcore/test/Sample-ADT.txt", 1, 0, 0, [], []],
  ["efferent-hl7-dotnetcore/test/Sample-ORM.txt", 1, 0, 0, [], []],
  ["elixir-hl7/lib/hl7/examples.ex-extracted/elr_example.hl7", 1, 0, 0, [], []],
  ["elixir-hl7/lib/hl7/examples.ex-extracted/nist_immunization_hl7.hl7", 1, 0, 0, [], []],
  ["elixir-hl7/lib/hl7/examples.ex-extracted/nist_syndromic_hl7.hl7", 1, 1, 0, [], []],
  ["elixir-hl7/lib/hl7/examples.ex-extracted/wikipedia_sample_hl7_25.hl7", 1, 2, 0, [], []],
  ["hapi-hl7v2/hapi-test/src/test/resources/ca/uhn/hl7v2/parser/adt_a03.txt", 1, 1, 0, [], []],
  ["hapi-hl7v2/hapi-test/src/test/resources/ca/uhn/hl7v2/parser/cv.04_001_chem.hl7", 1, 0, 0, [], []],
  ["hapi-hl7v2/hapi-test/src/test/resources/ca/uhn/hl7v2/parser/example_oml_o21.hl7", 13, 0, 0, [], []],
  ["hapi-hl7v2/hapi-test/src/test/resources/ca/uhn/hl7v2/parser/omd_o03.txt", 1, 0, 0, [], []],
  ["hapi-hl7v2/hapi-test/src/test/resources/ca/uhn/hl7v2/parser/omd_o03_rep.txt", 1, 0, 0, [], []],
  ["hapi-hl7v2/hapi-test/src/test/resources/ca/uhn/hl7v2/parser/uuencoded_escaped.txt", 1, 0, 1, ["HL7-NO-MSH"], []],
  ["hapi-hl7v2/hapi-test/src/test/resources/ca/uhn/hl7v2/util/messages.txt", 18, 11, 0, [], []],
  ["hapi-hl7v2/hapi-test/src/test/resources/ca/uhn/hl7v2/util/segmentfinder_a24.hl7", 1, 0, 0, [], []],
  ["hapi-hl7v2/src/docs/examples/ADT_A01.txt", 1, 2, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/ADT/A01-Admit-Patient-(example-from-V2-8-2-base-standard)-v2.8.txt", 1, 2, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/ADT/A01-Simple-Admit-VHIS-1-v2.3.1.txt", 1, 2, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/ADT/A04-REDOX-A28-1-v2.3.txt", 1, 2, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/ADT/A04-Register-Patient-v2.1.txt", 1, 2, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/ADT/A04-with-allergies-v2.3.1.txt", 1, 1, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/ADT/A05-A28-Add-Patient-v2.4.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/ADT/A08-Update-Patient-v2.3.txt", 1, 2, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/ADT/A16-REDOX-A16-3-v2.3.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/ADT/A28-REDOX-A1-EmptyPV1andGT1-v2.3.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/ADT/A31-A05-Pre-admit-Patient-v2.3.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/ADT/A34-Merge-Patients---Patient-ID-v2.3.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/ADT/A39-Patient-Merge-VHIS-2-v2.5.1.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/ADT/A40-REDOX-A40-2-v2.3.txt", 1, 0, 0, [], []],
  [
    "hl7-v2-to-fhir/archive/src/test/resources/v2/DFT/P03-Charge-v2.3.txt",
    1,
    0,
    1,
    ["HL7-FT1-AMOUNT", "HL7-FT1-CODE", "HL7-NO-ACCOUNT"],
    [],
  ],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/MDM/T02-plain-text-with-line-breaks-v2.3.1.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/MFN/M02-Provider-Master-File-v2.3.txt", 1, 0, 1, ["HL7-NO-NPI"], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/OML/O21-Basic-NG-ExampleMessage-v2.5.1.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/OML/O21-Lipid-Panel-GU-ExampleMessage-v2.5.1.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/OML/O21-Lipid-Panel-NG-ExampleMessage-v2.5.1.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/OML/O21-Reflex-GU-ExampleMessage-v2.5.1.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/OML/O21-Reflex-NG-ExampleMessage-v2.5.1.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/OML/O21-multiOBR-GU-PRU-ExampleMessage-v2.5.1.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/ORM/O01-IHE-RAD-4-Message-v2.3.1.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/ORU/R01-Basic-NG-ExampleMessage-v2.5.1.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/ORU/R01-Lab-Panel-Various-Blood-Tests-v2.3.1.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/ORU/R01-Lipid-Panel-NG-ExampleMessage-v2.5.1.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/PPR/PC1-Problem-Add-v2.3.1.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/PPR/PC2-Problem-Update-v2.3.1.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/PPR/PC3-Problem-Delete-v2.3.1.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/SIU/S12-New-Appointment-v2.3.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/SIU/S12-sample-s12-v2.3.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/SIU/S13-sample-s13-v2.3.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/SIU/S15-sample-s15-v2.3.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/SIU/S26-sample-s26-v2.3.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/VXU/V04-historical-admin-v2.5.1.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/VXU/V04-multiple-admins-v2.5.1.txt", 1, 0, 0, [], []],
  ["hl7-v2-to-fhir/archive/src/test/resources/v2/VXU/V04-new-admin-v2.5.1.txt", 1, 0, 0, [], []],
  ["linuxforhealth-hl7v2-fhir-converter/src/test/resources/ORU-multiline-short-mixed.hl7", 1, 0, 0, [], []],
  ["linuxforhealth-hl7v2-fhir-converter/src/test/resources/ORU-multiline-short.hl7", 1, 0, 0, [], []],
  ["linuxforhealth-hl7v2-fhir-converter/src/test/resources/sample_unix.hl7", 1, 2, 0, [], []],
  ["linuxforhealth-hl7v2-fhir-converter/src/test/resources/sample_win.hl7", 1, 2, 0, [], []],
  ["node-hl7/__tests__/client/hl7.parser.test.ts-extracted/adt_a08_nl_v24_8859-1_malformed.hl7", 1, 1, 0, [], []],
  ["python-hl7/tests/samples.py-extracted/rep_sample_hl7.hl7", 1, 0, 0, [], []],
  ["python-hl7/tests/samples.py-extracted/sample_bad_batch.hl7", 1, 0, 1, ["HL7-NO-MSH"], ["HL7-ENVELOPE-COUNT"]],
  [
    "python-hl7/tests/samples.py-extracted/sample_bad_batch1.hl7",
    2,
    0,
    2,
    ["HL7-MISSING-SEGMENT", "HL7-NO-MSH"],
    ["HL7-ENVELOPE-NESTED", "HL7-ENVELOPE-COUNT"],
  ],
  ["python-hl7/tests/samples.py-extracted/sample_bad_file.hl7", 1, 0, 1, ["HL7-NO-MSH"], ["HL7-ENVELOPE-COUNT"]],
  [
    "python-hl7/tests/samples.py-extracted/sample_bad_file1.hl7",
    2,
    0,
    2,
    ["HL7-MISSING-SEGMENT", "HL7-NO-MSH"],
    ["HL7-ENVELOPE-NESTED", "HL7-ENVELOPE-COUNT", "HL7-ENVELOPE-COUNT"],
  ],
  [
    "python-hl7/tests/samples.py-extracted/sample_bad_file2.hl7",
    2,
    0,
    2,
    ["HL7-MISSING-SEGMENT", "HL7-NO-MSH"],
    ["HL7-ENVELOPE-NESTED", "HL7-ENVELOPE-NESTED", "HL7-ENVELOPE-UNOPENED"],
  ],
  ["python-hl7/tests/samples.py-extracted/sample_bad_file3.hl7", 1, 0, 1, ["HL7-NO-MSH"], ["HL7-ENVELOPE-COUNT"]],
  ["python-hl7/tests/samples.py-extracted/sample_batch.hl7", 1, 0, 1, ["HL7-NO-VISIT"], []],
  ["python-hl7/tests/samples.py-extracted/sample_batch1.hl7", 2, 0, 2, ["HL7-NO-VISIT"], []],
  ["python-hl7/tests/samples.py-extracted/sample_batch2.hl7", 2, 0, 2, ["HL7-NO-VISIT"], []],
  ["python-hl7/tests/samples.py-extracted/sample_batch3.hl7", 1, 0, 1, ["HL7-NO-VISIT"], ["HL7-ENVELOPE-UNCLOSED"]],
  ["python-hl7/tests/samples.py-extracted/sample_batch4.hl7", 1, 0, 1, ["HL7-NO-VISIT"], ["HL7-ENVELOPE-UNOPENED"]],
  ["python-hl7/tests/samples.py-extracted/sample_file.hl7", 1, 0, 1, ["HL7-NO-VISIT"], []],
  ["python-hl7/tests/samples.py-extracted/sample_file1.hl7", 3, 0, 3, ["HL7-NO-VISIT"], []],
  ["python-hl7/tests/samples.py-extracted/sample_file2.hl7", 2, 0, 2, ["HL7-NO-VISIT"], []],
  ["python-hl7/tests/samples.py-extracted/sample_file3.hl7", 1, 0, 1, ["HL7-NO-VISIT"], ["HL7-ENVELOPE-UNCLOSED"]],
  ["python-hl7/tests/samples.py-extracted/sample_file4.hl7", 1, 0, 1, ["HL7-NO-VISIT"], ["HL7-ENVELOPE-UNOPENED"]],
  ["python-hl7/tests/samples.py-extracted/sample_file5.hl7", 1, 0, 1, ["HL7-NO-VISIT"], ["HL7-ENVELOPE-UNCLOSED"]],
  ["python-hl7/tests/samples.py-extracted/sample_file6.hl7", 1, 0, 1, ["HL7-NO-VISIT"], ["HL7-ENVELOPE-UNOPENED"]],
  ["python-hl7/tests/samples.py-extracted/sample_hl7.hl7", 1, 0, 0, [], []],
  ["python-hl7/tests/samples.py-extracted/sample_msh.hl7", 1, 2, 0, [], []],
  ["rethinkhealth-hl7v2/examples/mllp-client/samples/adt-a01.hl7", 1, 0, 1, ["HL7-NO-VISIT"], []],
  ["rethinkhealth-hl7v2/examples/mllp-client/samples/orm-o01.hl7", 1, 0, 0, [], []],
  ["rethinkhealth-hl7v2/examples/mllp-client/samples/oru-r01.hl7", 1, 0, 0, [], []],
  ["rethinkhealth-hl7v2/qa/fixtures/adt-a01-basic.hl7", 1, 0, 1, ["HL7-NO-VISIT"], []],
  ["rethinkhealth-hl7v2/qa/fixtures/adt-a01-full.hl7", 1, 2, 0, [], []],
  ["rethinkhealth-hl7v2/qa/fixtures/dft-p03-charge.hl7", 1, 0, 1, ["HL7-NO-ACCOUNT"], []],
  ["rethinkhealth-hl7v2/qa/fixtures/edge-crlf-line-endings.hl7", 1, 0, 1, ["HL7-NO-VISIT"], []],
  ["rethinkhealth-hl7v2/qa/fixtures/edge-custom-delimiters.hl7", 1, 0, 1, ["HL7-NO-VISIT"], []],
  ["rethinkhealth-hl7v2/qa/fixtures/edge-empty-segments.hl7", 1, 0, 1, ["HL7-NO-VISIT"], []],
  ["rethinkhealth-hl7v2/qa/fixtures/edge-escaped-delimiters.hl7", 1, 0, 1, ["HL7-NO-VISIT"], []],
  ["rethinkhealth-hl7v2/qa/fixtures/edge-field-repetitions.hl7", 1, 0, 1, ["HL7-NO-VISIT"], []],
  ["rethinkhealth-hl7v2/qa/fixtures/edge-non-ascii.hl7", 1, 0, 1, ["HL7-NO-VISIT"], []],
  ["rethinkhealth-hl7v2/qa/fixtures/edge-z-segments.hl7", 1, 0, 1, ["HL7-NO-VISIT"], []],
  ["rethinkhealth-hl7v2/qa/fixtures/invalid-missing-msh.hl7", 1, 0, 1, ["HL7-NO-MSH"], []],
  ["rethinkhealth-hl7v2/qa/fixtures/invalid-segment-header-length.hl7", 1, 0, 1, ["HL7-MISSING-SEGMENT", "HL7-SEGMENT-ID"], []],
  ["rethinkhealth-hl7v2/qa/fixtures/invalid-trailing-empty-fields.hl7", 1, 0, 1, ["HL7-NO-VISIT"], []],
  ["rethinkhealth-hl7v2/qa/fixtures/invalid-wrong-version.hl7", 1, 0, 1, ["HL7-NO-VISIT"], []],
  ["rethinkhealth-hl7v2/qa/fixtures/mdm-t02-document.hl7", 1, 0, 0, [], []],
  ["rethinkhealth-hl7v2/qa/fixtures/orm-o01-order.hl7", 1, 0, 0, [], []],
  ["rethinkhealth-hl7v2/qa/fixtures/oru-r01-lab.hl7", 1, 0, 0, [], []],
  ["rethinkhealth-hl7v2/qa/fixtures/siu-s12-schedule.hl7", 1, 0, 0, [], []],
];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const present = existsSync(hl7Root);
const suite = present ? describe : describe.skip;

suite(
  present
    ? "HL7 v2 corpus (../shared/corpus/hl7v2)"
    : "HL7 v2 corpus: SKIPPED, ../shared/corpus/hl7v2 is absent (clone shared/ beside the repo to run it)",
  () => {
    const files = present
      ? walk(hl7Root)
          .map((p) => relative(hl7Root, p))
          .sort()
      : [];

    it("has an expectation for every file and a file for every expectation", () => {
      expect(files).toEqual(EXPECTED.map((e) => e[0]).sort());
    });

    it.each(EXPECTED)("%s", (path, units, records, errorUnits, errorCodes, fileCodes) => {
      const bytes = readFileSync(join(hl7Root, path));
      const text = decodeText(bytes).text;
      const fileName = path.split("/").pop()!;
      const result = parseHl7(text, { fileName });
      expect(result.format).toBe("hl7v2");
      expect(result.units).toHaveLength(units);
      expect(result.units.flatMap((u) => u.records)).toHaveLength(records);
      expect(result.units.filter((u) => u.issues.some((i) => i.severity === "error"))).toHaveLength(errorUnits);
      const codes = [...new Set(result.units.flatMap((u) => u.issues.filter((i) => i.severity === "error").map((i) => i.code)))].sort();
      expect(codes).toEqual(errorCodes);
      expect(result.issues.map((i) => i.code)).toEqual(fileCodes);

      let lastLine = 0;
      for (const unit of result.units) {
        // Each unit is the file's own text, in order, and starts where it says.
        expect(text).toContain(unit.text);
        expect(unit.line).toBeGreaterThan(lastLine);
        lastLine = unit.line;
        // A unit with an error is quarantined, so it must carry no records.
        if (unit.issues.some((i) => i.severity === "error")) expect(unit.records).toEqual([]);
        // Every issue names the file and a line.
        for (const issue of unit.issues) {
          expect(issue.message.startsWith(`${fileName} line `)).toBe(true);
          expect(issue.where.file).toBe(fileName);
          expect(issue.where.line).toBeGreaterThan(0);
        }
      }
      for (const issue of result.issues) expect(issue.message.startsWith(`${fileName} line `)).toBe(true);
    });

    it("gives readable reasons for the negative rethinkhealth fixtures", () => {
      const read = (p: string) => parseHl7(readFileSync(join(hl7Root, "rethinkhealth-hl7v2/qa/fixtures", p), "utf8"), { fileName: p });
      const messages = (p: string) => read(p).units.flatMap((u) => u.issues.map((i) => i.message));
      expect(messages("invalid-missing-msh.hl7")[0]).toBe(
        'invalid-missing-msh.hl7 line 1: expected a message to start with an MSH segment, found "PID|1||12345^^^MRN||DOE^JOHN||19800101|M" (2 lines up to line 2 belong to no message)',
      );
      expect(messages("invalid-segment-header-length.hl7").slice(0, 2)).toEqual([
        'invalid-segment-header-length.hl7 line 2: expected a segment id of 3 letters or digits, found "PIDX"',
        'invalid-segment-header-length.hl7 line 3: expected a segment id of 3 letters or digits, found "PV"',
      ]);
      expect(messages("invalid-wrong-version.hl7")[0]).toBe(
        'invalid-wrong-version.hl7 line 1, MSH-12: expected an HL7 version 2.1 to 2.9, found "1.0"; read with v2.5 rules',
      );
    });

    it("maps what the corpus holds of ADT and BAR", () => {
      const read = (p: string) => parseHl7(readFileSync(join(hl7Root, p), "utf8"), { fileName: p });
      const full = read("rethinkhealth-hl7v2/qa/fixtures/adt-a01-full.hl7").units[0]!;
      expect(full.records).toContainEqual(
        expect.objectContaining({
          type: "patientAccount",
          accountNumber: "ACCT001",
          mrn: "98765",
          patientName: "SMITH, ALICE",
          primaryPayerId: "BCBS",
        }),
      );
      const a03 = read("elixir-hl7/lib/hl7/examples.ex-extracted/nist_syndromic_hl7.hl7").units[0]!;
      expect(a03.records[0]).toMatchObject({ type: "encounter", visitNumber: "33333_001", status: "discharged", lastEvent: "A03" });
      const bar = read("hapi-hl7v2/hapi-test/src/test/resources/ca/uhn/hl7v2/util/messages.txt");
      expect(bar.units[1]!.records[0]).toMatchObject({
        type: "patientAccount",
        accountNumber: "429314294",
        patientName: "WASHINGTON-HARPER, VOLA",
        birthDate: "1954-12-18",
      });
      expect(
        bar.units
          .filter((u) => u.issues.some((i) => i.code === "HL7-NOT-MAPPED"))
          .map((u) => u.issues[0]!.message.split("not mapped: ")[1]),
      ).toEqual(["ORU^R01", "ACK", "ORM^O01", "ORM^O01", "ORM^O01", "QRY^Q01", "QRY^Q01"]);
    });
  },
);
