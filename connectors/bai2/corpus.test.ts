/**
 * Walks every BAI2 file of the public corpus (../shared/corpus, see its PROVENANCE.md) and
 * checks that each parses without throwing and yields the counts we expect. The counts were
 * recorded from this parser and checked by hand: every account block of moov sample1-3, the
 * Citi, NatWest and SVB files passes its own 49 control total and record count, which is the
 * strongest check that the splitting (block style, continuations, funds types) is right.
 *
 * Why files carry errors, all real defects of the samples:
 * - moov sample4/sample5: two 49 trailers disagree with their blocks (49,-1260161341762,26/
 *   and 49,6869722,8/), and the 98/99 counts do not match the five accounts in the file;
 * - sebastienrousseau multi_group_multi_account.bai (a synthetic fixture): its 49 totals count
 *   only the 03 amounts and its record counts skip the 88s, against the BAI2 definition;
 *   it also uses type codes 710 and 905 (outside the credit/debit ranges: a warning);
 * - moov errors/sample-parseError.txt: starts with record 00, not an 01 header.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import type { ParseResult } from "../../src-shared/model";
import { decodeText } from "../decode";
import { parseBai2 } from "./parseBai2";

const corpus = join(process.cwd(), "..", "shared", "corpus");

interface Expected {
  accounts: number;
  errorUnits: number;
  fileErrors: number;
  transactions: number;
  credits: number;
  debits: number;
}

const expected: Record<string, Expected> = {
  "bai2/ministryofjustice-bai2/tests/data/account_trailer_amount_blank_example.bai2": {
    accounts: 2,
    errorUnits: 0,
    fileErrors: 0,
    transactions: 0,
    credits: 0,
    debits: 0,
  },
  "bai2/ministryofjustice-bai2/tests/data/citi_example.bai2": {
    accounts: 1,
    errorUnits: 0,
    fileErrors: 0,
    transactions: 1,
    credits: 1,
    debits: 0,
  },
  "bai2/ministryofjustice-bai2/tests/data/nwb_example.bai2": {
    accounts: 1,
    errorUnits: 0,
    fileErrors: 0,
    transactions: 5,
    credits: 1,
    debits: 4,
  },
  "bai2/ministryofjustice-bai2/tests/data/svb_us_example.bai2": {
    accounts: 2,
    errorUnits: 0,
    fileErrors: 0,
    transactions: 2,
    credits: 2,
    debits: 0,
  },
  "bai2/moov-io-bai2/test/testdata/errors/sample-parseError.txt": {
    accounts: 0,
    errorUnits: 0,
    fileErrors: 2,
    transactions: 0,
    credits: 0,
    debits: 0,
  },
  "bai2/moov-io-bai2/test/testdata/sample1.txt": { accounts: 2, errorUnits: 0, fileErrors: 0, transactions: 17, credits: 5, debits: 12 },
  "bai2/moov-io-bai2/test/testdata/sample2.txt": { accounts: 5, errorUnits: 0, fileErrors: 0, transactions: 4, credits: 4, debits: 0 },
  "bai2/moov-io-bai2/test/testdata/sample3.txt": { accounts: 15, errorUnits: 0, fileErrors: 0, transactions: 26, credits: 13, debits: 13 },
  "bai2/moov-io-bai2/test/testdata/sample4-continuations-newline-delimited.txt": {
    accounts: 5,
    errorUnits: 2,
    fileErrors: 4,
    transactions: 17,
    credits: 9,
    debits: 8,
  },
  "bai2/moov-io-bai2/test/testdata/sample5-issue113.txt": {
    accounts: 5,
    errorUnits: 2,
    fileErrors: 4,
    transactions: 20,
    credits: 11,
    debits: 9,
  },
  "bai2/sebastienrousseau-bankstatementparser-loader-bai2/tests/fixtures/multi_group_multi_account.bai": {
    accounts: 3,
    errorUnits: 3,
    fileErrors: 3,
    transactions: 6,
    credits: 4,
    debits: 2,
  },
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const present = existsSync(join(corpus, "bai2"));

(present ? describe : describe.skip)(present ? "BAI2 corpus" : "BAI2 corpus (skipped: ../shared/corpus is absent)", () => {
  const files = present ? walk(join(corpus, "bai2")).sort() : [];

  it("has an expectation for every corpus file", () => {
    expect(files.map((f) => relative(corpus, f))).toEqual(Object.keys(expected).sort());
  });

  for (const file of files) {
    const name = relative(corpus, file);
    it(`reads ${name}`, () => {
      const text = decodeText(readFileSync(file)).text;
      let result: ParseResult | undefined;
      expect(() => (result = parseBai2(text, { fileName: name }))).not.toThrow();
      const r = result!;
      const tx = r.units.flatMap((u) => u.records).filter((x) => x.type === "bankTransaction");
      expect({
        accounts: r.units.length,
        errorUnits: r.units.filter((u) => u.issues.some((i) => i.severity === "error")).length,
        fileErrors: r.issues.filter((i) => i.severity === "error").length,
        transactions: tx.length,
        credits: tx.filter((t) => t.amountCents > 0).length,
        debits: tx.filter((t) => t.amountCents < 0).length,
      }).toEqual(expected[name]);
      for (const issue of [...r.issues, ...r.units.flatMap((u) => u.issues)]) {
        expect(issue.message.startsWith(name)).toBe(true);
      }
      // A unit's text is an exact piece of the file, from its 03 on.
      for (const u of r.units) {
        expect(text).toContain(u.text);
        expect(u.text.startsWith("03,")).toBe(true);
      }
      // Ids are unique within a file.
      const ids = tx.map((t) => t.bankTransactionId);
      expect(new Set(ids).size).toBe(ids.length);
    });
  }
});
