import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import * as XLSX from "xlsx";
import { afterAll, describe, expect, it } from "vitest";
import type { MappingProfile } from "../../src-shared/mapping";
import type { Charge, RawUnit } from "../../src-shared/model";
import { BUILTIN_PROFILES } from "./builtinProfiles";
import { parseTabular, parseTabularStream, previewTabular } from "./parseTabular";
import { matchProfile, suggestMapping } from "./profiles";
import { readWorkbookSafely, zipUncompressedSize } from "./xlsxSafe";

const samples = resolve(process.cwd(), "fixtures/samples/tabular");
const corpusRoot = resolve(process.cwd(), "../shared/corpus");
const errorsOf = (u: RawUnit) => u.issues.filter((i) => i.severity === "error");

const chargeProfile: MappingProfile = {
  id: "p-charges",
  name: "Billing charges export",
  recordType: "charge",
  system: "billing",
  headers: ["txn id", "acct no", "svc date", "cdm", "qty", "amount", "description"],
  fields: {
    transactionId: { column: "Txn ID", transform: "text" },
    accountNumber: { column: "Acct No", transform: "text" },
    serviceDate: { column: "Svc Date", transform: "date" },
    cdmCode: { column: "CDM", transform: "text" },
    quantity: { column: "Qty", transform: "number" },
    amountCents: { column: "Amount", transform: "decimal-cents" },
    description: { column: "Description", transform: "text" },
  },
  dateFormat: "MM/DD/YYYY",
};

describe("parseTabular on a CSV with a profile", () => {
  const text = readFileSync(join(samples, "charges.csv"), "utf8");
  const r = parseTabular(text, { fileName: "charges.csv", profile: chargeProfile });

  it("makes one unit per data row with the exact source text and first line, skipping blank lines", () => {
    expect(r.format).toBe("csv");
    expect(r.issues).toEqual([]);
    expect(r.units.map((u) => u.line)).toEqual([2, 3, 4, 6, 8, 9, 10]);
    expect(r.units[2]!.text).toBe('T3,A101,03/02/2024,CDM3,2,12.00-,"Multi\nline description"');
    expect(r.units[6]!.text).toBe('T7,A104,03/04/2024,CDM7,1,"3.10","He said ""hi"""');
    expect(r.units.every((u) => u.kind === "csv-row")).toBe(true);
  });

  it("maps good rows, with money in every accepted spelling, and a natural control id", () => {
    const good = r.units.filter((u) => u.records.length > 0);
    expect(good.map((u) => u.controlId)).toEqual(["charge:T1", "charge:T2", "charge:T3", "charge:T7"]);
    const charges = good.map((u) => u.records[0] as Charge);
    expect(charges.map((c) => c.amountCents)).toEqual([123450, -1200, -1200, 310]);
    expect(charges[2]).toEqual({
      type: "charge",
      system: "billing",
      transactionId: "T3",
      accountNumber: "A101",
      visitNumber: null,
      cdmCode: "CDM3",
      revenueCode: null,
      departmentCode: null,
      quantity: 2,
      amountCents: -1200,
      unitAmountCents: null,
      serviceDate: "2024-03-02",
      postingDate: null,
      transactionType: null,
      performingNpi: null,
      description: "Multi\nline description",
      reversesTransactionId: null,
    });
    expect(charges[3]!.description).toBe('He said "hi"');
  });

  it("quarantines a bad cell with file, line, column, expected and found, and goes on", () => {
    const bad = r.units.find((u) => u.line === 6)!;
    expect(bad.records).toEqual([]);
    expect(errorsOf(bad)).toEqual([
      {
        code: "tabular-bad-cell",
        severity: "error",
        message: 'charges.csv line 6, Amount: expected a decimal amount, found "12,50"',
        where: { file: "charges.csv", line: 6, segment: "6", field: "Amount" },
        expected: "a decimal amount",
        found: "12,50",
      },
    ]);
    expect(errorsOf(r.units.find((u) => u.line === 8)!)[0]!.message).toBe(
      'charges.csv line 8, Svc Date: expected a date as MM/DD/YYYY, found "13/45/2024"',
    );
  });

  it("quarantines a row whose required field is empty", () => {
    const missing = r.units.find((u) => u.line === 9)!;
    expect(errorsOf(missing).map((e) => e.message)).toEqual([
      "charges.csv line 9, CDM: expected a value for cdmCode (required), found an empty cell",
    ]);
  });

  it("keeps line numbers right with CRLF and a quoted CRLF inside a field", () => {
    const crlf = 'Txn ID,Acct No,Svc Date,CDM,Qty,Amount,Description\r\nA,1,01/02/2024,C,1,1.00,"x\r\ny"\r\nB,1,01/02/2024,C,1,2.00,z\r\n';
    const out = parseTabular(crlf, { fileName: "c.csv", profile: chargeProfile });
    expect(out.units.map((u) => [u.line, u.text])).toEqual([
      [2, 'A,1,01/02/2024,C,1,1.00,"x\r\ny"'],
      [4, "B,1,01/02/2024,C,1,2.00,z"],
    ]);
  });

  it("reports a row with the wrong number of fields", () => {
    const out = parseTabular("Txn ID,Acct No,Svc Date,CDM,Qty,Amount,Description\nA,1,01/02/2024,C,1,1,000.00,d\n", {
      fileName: "w.csv",
      profile: chargeProfile,
    });
    expect(errorsOf(out.units[0]!)[0]!.message).toBe("w.csv line 2: expected 7 fields (as in the header row), found 8");
  });

  it("says which columns the profile needs when the file lacks them, and quarantines every row", () => {
    const out = parseTabular("Txn ID,Acct No,CDM,Qty,Amount\nA,1,C,1,1.00\n", { fileName: "short.csv", profile: chargeProfile });
    expect(out.issues.map((i) => i.message)).toContain(
      'short.csv: mapping profile "Billing charges export": column "Svc Date" (for serviceDate) is not in the file',
    );
    expect(out.units).toHaveLength(1);
    expect(errorsOf(out.units[0]!)).toHaveLength(1);
  });

  it("without a fitting profile, reports the layout as needing a mapping instead of failing", () => {
    const out = parseTabular("Foo,Bar\n1,2\n", { fileName: "unknown.csv" });
    expect(out.units).toEqual([]);
    expect(out.issues).toEqual([
      expect.objectContaining({
        code: "tabular-no-profile",
        severity: "error",
        message: "unknown.csv: no mapping profile for this layout (headers: Foo, Bar); map it in the import wizard",
      }),
    ]);
  });

  it("picks a saved profile by header signature, in any column order", () => {
    const reordered = "Amount,Txn ID,Acct No,Svc Date,CDM,Qty,Description\n5.00,X1,A,01/02/2024,C,1,d\n";
    const out = parseTabular(reordered, { fileName: "r.csv", profiles: [chargeProfile] });
    expect(out.units[0]!.records[0]).toMatchObject({ transactionId: "X1", amountCents: 500 });
  });

  it("decodes bytes (UTF-8 with BOM) before parsing", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(readFileSync(join(samples, "charges.csv"), "utf8"))]);
    expect(parseTabular(bytes, { fileName: "charges.csv", profile: chargeProfile }).units).toHaveLength(7);
  });
});

describe("XLSX", () => {
  function workbook(rows: unknown[][], sheet = "Charges"): Uint8Array {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([["ignore me"]]), "Notes");
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), sheet);
    return new Uint8Array(XLSX.write(wb, { type: "buffer", bookType: "xlsx" }) as Buffer);
  }
  const bytes = workbook([
    ["Txn ID", "Acct No", "Svc Date", "CDM", "Qty", "Amount", "Description"],
    ["X1", "A1", "03/01/2024", "CDM1", 1, 1234.5, "numeric amount"],
    ["X2", "A1", "03/01/2024", "CDM2", 2, 0.1 + 0.2, "float noise stays 0.30"],
    [],
    ["X3", "A2", "03/02/2024", "CDM3", 1, "12,50", "bad amount"],
  ]);

  it("maps rows of the chosen sheet, cells as a JSON array, line = sheet row", () => {
    const r = parseTabular(bytes, { fileName: "charges.xlsx", profile: chargeProfile, sheet: "Charges" });
    expect(r.format).toBe("xlsx");
    expect(r.issues).toEqual([]);
    expect(r.units.map((u) => [u.kind, u.line, u.controlId])).toEqual([
      ["xlsx-row", 2, "charge:X1"],
      ["xlsx-row", 3, "charge:X2"],
      ["xlsx-row", 5, null],
    ]);
    expect(JSON.parse(r.units[0]!.text)).toEqual(["X1", "A1", "03/01/2024", "CDM1", "1", "1234.5", "numeric amount"]);
    expect(r.units.slice(0, 2).map((u) => (u.records[0] as Charge).amountCents)).toEqual([123450, 30]);
    expect(errorsOf(r.units[2]!)[0]!.message).toBe('charges.xlsx line 5, Amount: expected a decimal amount, found "12,50"');
  });

  it("previews sheets, headers and rows", () => {
    const p = previewTabular(bytes, { fileName: "charges.xlsx", sheet: "Charges" });
    expect(p.sheets).toEqual(["Notes", "Charges"]);
    expect(p.headers[0]).toBe("Txn ID");
    expect(p.rows).toHaveLength(3);
    expect(p.rowCountEstimate).toBe(3);
    expect(p.delimiter).toBeNull();
    expect(previewTabular(bytes.slice(0, 100), { fileName: "cut.xlsx" }).error).toMatch(/^cut\.xlsx: /);
  });

  it("refuses what is not an OOXML zip, an unknown sheet, and a zip that unpacks too big", () => {
    expect(readWorkbookSafely(new TextEncoder().encode("<html><table></table></html>"))).toMatchObject({ ok: false });
    expect(readWorkbookSafely(bytes, { sheet: "Nope" })).toMatchObject({ ok: false, reason: 'no sheet named "Nope"' });
    const size = zipUncompressedSize(bytes);
    expect(size.ok && size.total).toBeGreaterThan(1000);
    // Patch one central-directory entry's uncompressed size to 4 GiB − 2: declared, not real.
    const bomb = new Uint8Array(bytes);
    const view = new DataView(bomb.buffer);
    for (let k = 0; k < bomb.length - 4; k++) {
      if (view.getUint32(k, true) === 0x02014b50) {
        view.setUint32(k + 24, 0xfffffffe, true);
        break;
      }
    }
    const r = parseTabular(bomb, { fileName: "bomb.xlsx", profile: chargeProfile });
    expect(r.units).toEqual([]);
    expect(r.issues[0]!.message).toMatch(/^bomb\.xlsx: workbook unpacks to \d+ bytes, over the/);
  });

  it("leaves the shared prototypes untouched after reading a workbook with hostile header names", () => {
    const hostile = workbook([
      ["__proto__", "constructor", "prototype"],
      ['{"polluted":1}', "x", "y"],
    ]);
    const r = readWorkbookSafely(hostile, { sheet: "Charges" });
    expect(r.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(r.ok && r.rows[0]).toEqual(["__proto__", "constructor", "prototype"]);
  });
});

describe("previewTabular on CSV", () => {
  it("returns headers, the first 20 rows, the delimiter and a row count", () => {
    const text = ["a;b;c", ...Array.from({ length: 30 }, (_, k) => `${k};"x;y";z`)].join("\n");
    const p = previewTabular(text, { fileName: "semi.csv" });
    expect(p.headers).toEqual(["a", "b", "c"]);
    expect(p.delimiter).toBe(";");
    expect(p.rows).toHaveLength(20);
    expect(p.rows[0]).toEqual(["0", "x;y", "z"]);
    expect(p.rowCountEstimate).toBe(30);
  });
});

describe("parseTabularStream", () => {
  const dir = mkdtempSync(join(tmpdir(), "tieout-tabular-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("streams a big CSV in batches with the same units as the whole-file parse", async () => {
    const lines = ["Txn ID,Acct No,Svc Date,CDM,Qty,Amount,Description"];
    for (let k = 0; k < 30000; k++) {
      lines.push(
        k % 1000 === 7
          ? `S${k},A,01/02/2024,C,1,"1,000.${String(k % 100).padStart(2, "0")}","two\nlines é"`
          : `S${k},A,01/02/2024,C,1,${k}.25,plain ü`,
      );
    }
    const text = lines.join("\n") + "\n";
    const path = join(dir, "big.csv");
    writeFileSync(path, text);
    const batches: number[] = [];
    const streamed: RawUnit[] = [];
    const summary = await parseTabularStream(
      path,
      { fileName: "big.csv", profile: chargeProfile },
      async (units) => {
        batches.push(units.length);
        streamed.push(...units);
        await new Promise((r) => setImmediate(r));
      },
      4000,
    );
    expect(summary).toMatchObject({ format: "csv", units: 30000, rows: 30000, issues: [] });
    expect(Math.max(...batches)).toBeLessThanOrEqual(4000);
    const whole = parseTabular(text, { fileName: "big.csv", profile: chargeProfile }).units;
    expect(streamed.length).toBe(whole.length);
    for (const k of [0, 7, 8, 1007, 29999]) {
      expect(streamed[k]!.text).toBe(whole[k]!.text);
      expect(streamed[k]!.line).toBe(whole[k]!.line);
    }
    expect(streamed[8]!.line).toBe(11);
    expect(streamed.every((u) => u.records.length === 1)).toBe(true);
  });

  it("reports a layout without a profile once, without reading on", async () => {
    const path = join(dir, "odd.csv");
    writeFileSync(path, "Foo,Bar\n1,2\n");
    const summary = await parseTabularStream(path, { builtinProfiles: false }, () => {});
    expect(summary.units).toBe(0);
    expect(summary.issues[0]!.message).toBe("odd.csv: no mapping profile for this layout (headers: Foo, Bar); map it in the import wizard");
  });
});

describe("matchProfile and suggestMapping", () => {
  it("matches by exact normalised signature first, then in any order", () => {
    const a = { ...chargeProfile, id: "a", headers: ["x", "y"] };
    const b = { ...chargeProfile, id: "b", headers: ["y", "x"] };
    expect(matchProfile([" Y ", "X"], [a, b])!.id).toBe("b");
    expect(matchProfile(["Y", "X"], [a])!.id).toBe("a");
    expect(matchProfile(["x"], [a, b])).toBeNull();
  });

  it("suggests fields from abbreviated headers with the transform of the field's kind", () => {
    const s = suggestMapping(["Acct No", "Svc Date", "Amt", "Txn ID", "CDM", "Qty", "Rev Code", "Dept", "Notes"], "charge");
    expect(s.accountNumber).toEqual({ column: "Acct No", transform: "text" });
    expect(s.serviceDate).toEqual({ column: "Svc Date", transform: "date" });
    expect(s.amountCents).toEqual({ column: "Amt", transform: "decimal-cents" });
    expect(s.transactionId?.column).toBe("Txn ID");
    expect(s.cdmCode?.column).toBe("CDM");
    expect(s.quantity).toEqual({ column: "Qty", transform: "number" });
    expect(s.revenueCode?.column).toBe("Rev Code");
    expect(s.departmentCode?.column).toBe("Dept");
    expect(Object.values(s).map((m) => m!.column)).not.toContain("Notes");
    expect(suggestMapping(["Amount"], "charge").amountCents?.column).toBe("Amount");
  });

  it("suggests journal line fields", () => {
    const s = suggestMapping(["Journal ID", "Line No", "GL Account", "Cost Center", "Debit", "Credit", "Accounting Date"], "journalLine");
    expect(s).toMatchObject({
      journalId: { column: "Journal ID" },
      lineNumber: { column: "Line No", transform: "number" },
      account: { column: "GL Account" },
      costCenter: { column: "Cost Center" },
      debitCents: { column: "Debit", transform: "decimal-cents" },
      creditCents: { column: "Credit", transform: "decimal-cents" },
      accountingDate: { column: "Accounting Date", transform: "date" },
    });
  });
});

function walk(d: string): string[] {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Per corpus file: data-row units, units loaded (records), units with nothing to load, and file-level errors. */
const EXPECTED: Record<
  string,
  { units: number; mapped: number; unmapped: number; quarantined: number; records?: Record<string, number>; noProfile?: boolean }
> = {
  "claims_transactions.csv": { units: 380, mapped: 221, unmapped: 159, quarantined: 0, records: { charge: 221 } },
  "encounters.csv": { units: 467, mapped: 467, unmapped: 0, quarantined: 0, records: { encounter: 467 } },
  "organizations.csv": { units: 25, mapped: 25, unmapped: 0, quarantined: 0, records: { department: 25 } },
  "payers.csv": { units: 2, mapped: 2, unmapped: 0, quarantined: 0, records: { payer: 2 } },
  "providers.csv": { units: 25, mapped: 25, unmapped: 0, quarantined: 0, records: { provider: 25 } },
  "entity-general-journal.example.csv": { units: 2, mapped: 2, unmapped: 0, quarantined: 0, records: { journalLine: 2 } },
  ...Object.fromEntries(
    [
      "allergies.csv",
      "careplans.csv",
      "claims.csv",
      "conditions.csv",
      "devices.csv",
      "immunizations.csv",
      "medications.csv",
      "patients.csv",
      "payer_transitions.csv",
      "procedures.csv",
      "supplies.csv",
      "LedgerJournalEntity.fields.csv",
      "GL_INTERFACE.columns.csv",
    ].map((f) => [f, { units: 0, mapped: 0, unmapped: 0, quarantined: 0, noProfile: true }]),
  ),
};

const corpusFiles = ["synthea-csv", "erp"].flatMap((d) => (existsSync(join(corpusRoot, d)) ? walk(join(corpusRoot, d)) : []));
(corpusFiles.length ? describe : describe.skip)(
  `parseTabular on the shared corpus (${corpusRoot}${corpusFiles.length ? "" : " not found: skipped"})`,
  () => {
    it("covers every corpus file in the expectations table", () => {
      expect(corpusFiles.map((f) => basename(f)).sort()).toEqual(Object.keys(EXPECTED).sort());
    });
    for (const f of corpusFiles) {
      it(`parses ${basename(f)} with the expected counts`, () => {
        const r = parseTabular(readFileSync(f), { fileName: basename(f) });
        const exp = EXPECTED[basename(f)]!;
        expect(r.units.length).toBe(exp.units);
        expect(r.units.filter((u) => u.records.length > 0).length).toBe(exp.mapped);
        expect(r.units.filter((u) => u.records.length === 0 && errorsOf(u).length === 0).length).toBe(exp.unmapped);
        expect(r.units.filter((u) => errorsOf(u).length > 0).length).toBe(exp.quarantined);
        if (exp.records) {
          const records: Record<string, number> = {};
          for (const u of r.units) for (const x of u.records) records[x.type] = (records[x.type] ?? 0) + 1;
          expect(records).toEqual(exp.records);
        }
        expect(r.issues.map((i) => i.code)).toEqual(exp.noProfile ? ["tabular-no-profile"] : []);
        const lines = readFileSync(f, "utf8").split(/\r?\n/);
        for (const u of r.units.slice(0, 50)) expect(lines[u.line - 1]).toBe(u.text);
      });
    }

    it("maps Synthea CHARGE rows to exact charges keyed by the encounter id", () => {
      const f = corpusFiles.find((x) => basename(x) === "claims_transactions.csv")!;
      const charges = parseTabular(readFileSync(f), { fileName: "claims_transactions.csv" }).units.flatMap((u) => u.records) as Charge[];
      expect(charges[0]).toMatchObject({
        system: "billing",
        transactionId: "012f4108-3c87-8a67-c0ab-23d47e3e4645",
        visitNumber: "be337264-b93d-fc03-ef5f-4c5869919d0c",
        cdmCode: "185345009",
        quantity: 1,
        amountCents: 7500,
        unitAmountCents: 7500,
        serviceDate: "1959-11-07",
        transactionType: "CHARGE",
      });
    });

    it("built-in profiles all fit their own header lists", () => {
      for (const p of BUILTIN_PROFILES) expect(matchProfile(p.headers, BUILTIN_PROFILES)).toBe(p);
    });
  },
);

describe("withPrototypeGuard", () => {
  it("removes what a read added to Object.prototype and reports it", async () => {
    const { withPrototypeGuard } = await import("./xlsxSafe");
    const g = withPrototypeGuard(() => {
      (Object.prototype as Record<string, unknown>).tieoutPolluted = "yes";
      return 1;
    });
    expect(g.added).toEqual(["tieoutPolluted"]);
    expect(({} as Record<string, unknown>).tieoutPolluted).toBeUndefined();
  });
});
