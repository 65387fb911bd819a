/**
 * Walks every X12 file of the public corpus (../shared/corpus, see its PROVENANCE.md) and
 * checks that each one parses without throwing and yields the counts we expect.
 *
 * Counts stated in PROVENANCE.md and checked here: 835_DeIdent_02.dat 6 ST/SE, 375 CLP,
 * 8 reversals; 835_DeIdent_01.dat 96 CLP, 19 reversals; the *FromNth* 835s 3 interchanges,
 * 56 CLP; 835_simple.txt 3 CLP, 2 reversals; x12_many_claims.txt 820 claims in one ST;
 * x12_multiple_transactions.txt 312 interchanges; Batch1.txt 54 ST; 837_DeIdent_01..03
 * 143, 62, 18 claims; simple_837i 2 CLM / 6 SV2; simple_837p 2 CLM / 5 SV1.
 * The other numbers were recorded from this parser and checked by reading the files.
 *
 * Why files are quarantined (errorUnits), all real defects of the samples:
 * - every imsweb 837 but the 999/277s: SE01 says 25 while the set holds 19 to 11,486 segments
 *   (the test files were edited without fixing SE01); x12_bad_segment_identifier also has
 *   "*IC", "Nd4", "NM31" segment ids;
 * - InstitutionalClaim4010/5010, ProfessionalClaim1: SE01 too small (segments were added);
 * - _5010/Example1.txt: a final "CLP*090909*22" with no CLP03/CLP04;
 * - 835_DeIdent_02.dat: de-identification rewrote one SE02 (and the IEA02, a file error);
 * - UnicodeExample.txt (UTF-16LE, no BOM): the file stops after "NM1*41", so its ST has no SE.
 * File-level errors are envelope trailers (GE01/GE02/IEA01/IEA02) that disagree with their
 * headers, mostly in de-identified files, and x12_no_isa_line.txt, which has no ISA at all.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import type { ParseResult } from "../../src-shared/model";
import { decodeText } from "../decode";
import { parseX12 } from "./parseX12";

const corpus = join(process.cwd(), "..", "shared", "corpus");

interface Expected835 {
  transactions: number;
  errorUnits: number;
  fileErrors: number;
  claimPayments: number;
  reversals: number;
  unbalanced: number;
}
interface Expected837 {
  transactions: number;
  errorUnits: number;
  fileErrors: number;
  claims: number;
  claimLines: number;
}

const expected: Record<string, Expected835 | Expected837> = {
  "x12-835/oopfactory-x12/_SampleEdiFiles/INS/_835/_4010/Example1_GripElements.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claimPayments: 9,
    reversals: 2,
    unbalanced: 1,
  },
  "x12-835/oopfactory-x12/_SampleEdiFiles/INS/_835/_4010/FromNth/835_DeIdent_01.dat": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claimPayments: 96,
    reversals: 19,
    unbalanced: 1,
  },
  "x12-835/oopfactory-x12/_SampleEdiFiles/INS/_835/_4010/FromNth/835_DeIdent_02.dat": {
    transactions: 6,
    errorUnits: 1,
    fileErrors: 1,
    claimPayments: 375,
    reversals: 8,
    unbalanced: 4,
  },
  "x12-835/oopfactory-x12/_SampleEdiFiles/INS/_835/_5010/Example1.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claimPayments: 9,
    reversals: 2,
    unbalanced: 1,
  },
  "x12-835/oopfactory-x12/_SampleEdiFiles/INS/_835/_5010/ExampleFromNth.txt": {
    transactions: 3,
    errorUnits: 0,
    fileErrors: 0,
    claimPayments: 56,
    reversals: 0,
    unbalanced: 3,
  },
  "x12-835/oopfactory-x12/_SampleEdiFiles/INS/_835/_5010/FromNth/835_WithMultipleInterchanges.txt": {
    transactions: 3,
    errorUnits: 0,
    fileErrors: 0,
    claimPayments: 56,
    reversals: 0,
    unbalanced: 3,
  },
  "x12-835/pyx12/pyx12/tests/835_mult_loops.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claimPayments: 1,
    reversals: 0,
    unbalanced: 0,
  },
  "x12-835/pyx12/test/files/835_simple.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claimPayments: 3,
    reversals: 2,
    unbalanced: 1,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/277_5010/x12_277CA_accepted.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 0,
    claimLines: 0,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/277_5010/x12_277CA_rejected.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 0,
    claimLines: 0,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/277_5010/x12_277_x212.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 1,
    claims: 0,
    claimLines: 0,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_999_accepted.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 1,
    claims: 0,
    claimLines: 0,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_999_rejected.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 0,
    claimLines: 0,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_ambiguous_loop.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 1,
    claimLines: 1,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_bad_first_line.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 2,
    claimLines: 2,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_bad_segment_identifier.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 2,
    claimLines: 2,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_bad_valid_code.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 2,
    claimLines: 2,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_complex.txt": {
    transactions: 2,
    errorUnits: 2,
    fileErrors: 1,
    claims: 6,
    claimLines: 10,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_loop_errors1_exceeds_max_1_parent.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 1,
    claimLines: 1,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_loop_errors2_exceeds_max_repeats_multiple_parents.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 2,
    claimLines: 2,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_loop_errors3_missing_loops.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 1,
    claimLines: 1,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_many_claims.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 820,
    claimLines: 820,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_missing_elements.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 2,
    claimLines: 2,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_missing_required_loop_in_one_repeat.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 2,
    claimLines: 2,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_missing_required_loops_mult_repeats.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 5,
    claimLines: 5,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_multiple_gs.txt": {
    transactions: 3,
    errorUnits: 3,
    fileErrors: 1,
    claims: 6,
    claimLines: 6,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_multiple_isa.txt": {
    transactions: 2,
    errorUnits: 2,
    fileErrors: 0,
    claims: 4,
    claimLines: 4,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_multiple_st.txt": {
    transactions: 2,
    errorUnits: 2,
    fileErrors: 1,
    claims: 4,
    claimLines: 4,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_multiple_transactions.txt": {
    transactions: 312,
    errorUnits: 312,
    fileErrors: 0,
    claims: 624,
    claimLines: 624,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_no_errors.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 2,
    claimLines: 2,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_no_isa_line.txt": {
    transactions: 0,
    errorUnits: 0,
    fileErrors: 1,
    claims: 0,
    claimLines: 0,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_segment_errors.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 1,
    claimLines: 1,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_segments_out_of_order.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 2,
    claimLines: 2,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_valid.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 2,
    claimLines: 2,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_valid_different_separators.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 2,
    claimLines: 2,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_writer_test.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 1,
    claimLines: 1,
  },
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x223-test.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 1,
    claimLines: 1,
  },
  "x12-837/oopfactory-x12/OopFactory.X12.Hipaa.Tests.Unit/Claims/TestData/InstitutionalClaim4010.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 1,
    claimLines: 2,
  },
  "x12-837/oopfactory-x12/OopFactory.X12.Hipaa.Tests.Unit/Claims/TestData/InstitutionalClaim5010.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 1,
    claimLines: 2,
  },
  "x12-837/oopfactory-x12/OopFactory.X12.Hipaa.Tests.Unit/Claims/TestData/ProfessionalClaim1.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 0,
    claims: 1,
    claimLines: 7,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837I/_4010/Example1.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 3,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837I/_4010/FromSwreed/Batch1.txt": {
    transactions: 54,
    errorUnits: 0,
    fileErrors: 0,
    claims: 54,
    claimLines: 182,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837I/_4010/Spec_4.1.1_InstitutionalClaim.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 2,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837I/_4010/Spec_4.1.2_InstitutionalPpoRepricedClaim.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 5,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837I/_4010/Spec_4.1.3_TwoClaimsForTheSameProvider.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 2,
    claimLines: 3,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837I/_4010/Spec_4.2.1_HomeownersCasualtyClaim.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 3,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837I/_4010/Spec_4.2.2_WorkersCompensation.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 3,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837I/_4010/Spec_4.2.3_AutomobileAccident.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 4,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837I/_5010/Spec_3.1.1.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 2,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837I/_5010/Spec_3.1.2_TwoClaimsForTheSameProvider.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 2,
    claimLines: 3,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837I/_5010/Spec_3.1.3_PPORepricedClaim.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 2,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837I/_5010/Spec_3.1.4_OutOfNetworkRepricedClaim.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 1,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_4010/Cms1500Test.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 8,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_4010/FromNth/837_DeIdent_01.dat": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 2,
    claims: 143,
    claimLines: 235,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_4010/FromNth/837_DeIdent_02.dat": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 2,
    claims: 62,
    claimLines: 66,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_4010/FromNth/837_DeIdent_03.dat": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 2,
    claims: 18,
    claimLines: 104,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_4010/Spec_4.1.1_PatientIsSubscriber.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 4,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_4010/Spec_4.1.2_PatientIsNotSubscriber.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 4,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_4010/Spec_4.1.3A_COB_ClaimToPayerAFromBP.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 3,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_4010/Spec_4.1.3B_COB_ClaimToPayerBFromBP.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 3,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_4010/Spec_4.1.3C_COB_ClaimToPayerAFromBPinCOB.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 3,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_4010/Spec_4.1.3D_COB_PayerAToPayerB.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 3,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_4010/Spec_4.2.1_PayerIsPCIns.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 6,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_4010/Spec_4.2.2_PayerIsPCIns.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 4,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_4010/Spec_4.2.3_PayerIsPCIns.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 2,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_5010/Example1_2_And_3_Combined.txt": {
    transactions: 2,
    errorUnits: 0,
    fileErrors: 0,
    claims: 3,
    claimLines: 11,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_5010/Example1_HealthInsurance.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 4,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_5010/Example2_Encounter.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 4,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_5010/Example3_COB.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 3,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_5010/MedicaidExample.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 5,
    claimLines: 10,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_5010/MissingEntityCode.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 5,
    claimLines: 10,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_5010/ST1309-XX.txt": {
    transactions: 1,
    errorUnits: 0,
    fileErrors: 0,
    claims: 1,
    claimLines: 2,
  },
  "x12-837/oopfactory-x12/_SampleEdiFiles/INS/_837P/_5010/UnicodeExample.txt": {
    transactions: 1,
    errorUnits: 1,
    fileErrors: 2,
    claims: 0,
    claimLines: 0,
  },
  "x12-837/pyx12/test/files/simple_837i.txt": { transactions: 1, errorUnits: 0, fileErrors: 0, claims: 2, claimLines: 6 },
  "x12-837/pyx12/test/files/simple_837p.txt": { transactions: 1, errorUnits: 0, fileErrors: 0, claims: 2, claimLines: 5 },
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function count(result: ParseResult, predicate: (r: ParseResult["units"][number]["records"][number]) => boolean): number {
  let n = 0;
  for (const u of result.units) for (const r of u.records) if (predicate(r)) n++;
  return n;
}

const present = existsSync(join(corpus, "x12-835")) && existsSync(join(corpus, "x12-837"));

(present ? describe : describe.skip)(present ? "X12 corpus" : "X12 corpus (skipped: ../shared/corpus is absent)", () => {
  const files = present ? [...walk(join(corpus, "x12-835")), ...walk(join(corpus, "x12-837"))].sort() : [];

  it("has an expectation for every corpus file", () => {
    expect(files.map((f) => relative(corpus, f))).toEqual(Object.keys(expected).sort());
  });

  for (const file of files) {
    const name = relative(corpus, file);
    it(`reads ${name}`, () => {
      const text = decodeText(readFileSync(file)).text;
      let result: ParseResult | undefined;
      expect(() => (result = parseX12(text, { fileName: name }))).not.toThrow();
      const r = result!;
      const want = expected[name];
      expect(want, `no expectation recorded for ${name}`).toBeDefined();
      const got: Record<string, number> = {
        transactions: r.units.length,
        errorUnits: r.units.filter((u) => u.issues.some((i) => i.severity === "error")).length,
        fileErrors: r.issues.filter((i) => i.severity === "error").length,
      };
      if (want !== undefined && "claimPayments" in want) {
        got.claimPayments = count(r, (x) => x.type === "claimPayment");
        got.reversals = count(r, (x) => x.type === "claimPayment" && x.statusCode === "22");
        got.unbalanced = count(r, (x) => x.type === "remittancePayment" && !x.balanced);
      } else {
        got.claims = count(r, (x) => x.type === "claim");
        got.claimLines = count(r, (x) => x.type === "claimLine");
      }
      expect(got).toEqual(want);
      // Every issue reads on its own: it names the file and, when it has one, the line.
      for (const issue of [...r.issues, ...r.units.flatMap((u) => u.issues)]) {
        expect(issue.message.startsWith(name)).toBe(true);
        if (issue.where.line !== undefined) expect(issue.message).toContain(`line ${issue.where.line}`);
      }
      // Each unit's text is its ISA (and GS) followed by the ST..SE text (cut short files: up to the end).
      for (const u of r.units) expect(u.text).toMatch(/^ISA[\s\S]*ST/);
    });
  }
});
