import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as XLSX from "xlsx";
import { describe, expect, it } from "vitest";
import { D365_GENERAL_JOURNAL_COLUMNS, writeD365GeneralJournal } from "./d365GeneralJournal";
import { centsText, csvField, type ErpJournal } from "./erpDocuments";
import { writeFbdiGlInterface } from "./fbdiGlInterface";
import { dropFileAtomically } from "./fileDrop";
import { writeGenericCsv, writeGenericXlsx } from "./genericExport";
import { GL_INTERFACE_COLUMNS } from "./glInterfaceColumns";

const CORPUS = resolve(__dirname, "../../../shared/corpus/erp");

const journal: ErpJournal = {
  journalId: "ADJ-000012",
  ledger: "US-PRIMARY",
  period: "2026-10",
  accountingDate: "2026-10-31",
  source: "Tieout",
  category: "Adjustment",
  description: "Reclass, contractual allowance",
  lines: [
    {
      account: "4010",
      costCenter: "CC100",
      departmentCode: "D200",
      debitCents: 123_456_789,
      creditCents: 0,
      description: 'allowance "Q4"',
    },
    { account: "1200", costCenter: "CC100", departmentCode: null, debitCents: 0, creditCents: 123_456_789, description: null },
  ],
};

/** Splits one CSV line into fields (enough for our own quoted output). */
function splitCsv(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else field += c;
  }
  fields.push(field);
  return fields;
}

describe("money and CSV text", () => {
  it("writes cents as exact decimals and quotes only when needed", () => {
    expect(centsText(123_456_789)).toBe("1234567.89");
    expect(centsText(-5)).toBe("-0.05");
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField(null)).toBe("");
  });
});

describe("Oracle FBDI GL_INTERFACE", () => {
  it.skipIf(!existsSync(join(CORPUS, "oracle-fbdi-gl-interface")))("has the template's 94 columns in the corpus order", () => {
    const rows = readFileSync(join(CORPUS, "oracle-fbdi-gl-interface/GL_INTERFACE.columns.csv"), "utf8").trim().split(/\r?\n/).slice(1);
    expect(GL_INTERFACE_COLUMNS).toEqual(rows.map((r) => r.split(",")[4]));
  });

  it("writes one row per line with STATUS NEW, actual flag A, slash dates and exact amounts", () => {
    const text = writeFbdiGlInterface([journal], { ledgerId: "300000046975971", currency: "USD", groupId: 42, createdDate: "2026-11-02" });
    const lines = text.split("\r\n").filter(Boolean);
    expect(lines).toHaveLength(2);
    const first = splitCsv(lines[0]!);
    expect(first).toHaveLength(94);
    const at = (row: string[], column: (typeof GL_INTERFACE_COLUMNS)[number]) => row[GL_INTERFACE_COLUMNS.indexOf(column)];
    expect(at(first, "STATUS")).toBe("NEW");
    expect(at(first, "LEDGER_ID")).toBe("300000046975971");
    expect(at(first, "ACCOUNTING_DATE")).toBe("2026/10/31");
    expect(at(first, "ACTUAL_FLAG")).toBe("A");
    expect(at(first, "SEGMENT1")).toBe("4010");
    expect(at(first, "SEGMENT2")).toBe("CC100");
    expect(at(first, "SEGMENT3")).toBe("D200");
    expect(at(first, "ENTERED_DR")).toBe("1234567.89");
    expect(at(first, "ENTERED_CR")).toBe("");
    expect(at(first, "REFERENCE4")).toBe("ADJ-000012");
    expect(at(first, "REFERENCE10")).toBe('allowance "Q4"');
    expect(at(first, "GROUP_ID")).toBe("42");
    expect(at(splitCsv(lines[1]!), "ENTERED_CR")).toBe("1234567.89");
  });

  it("refuses a journal that does not balance rather than let it post to suspense", () => {
    const unbalanced = { ...journal, lines: [journal.lines[0]!, { ...journal.lines[1]!, creditCents: 1 }] };
    expect(() => writeFbdiGlInterface([unbalanced], { ledgerId: "1", currency: "USD", groupId: 1, createdDate: "2026-11-02" })).toThrow(
      /does not balance/,
    );
  });
});

describe("D365 general journal entity", () => {
  it.skipIf(!existsSync(join(CORPUS, "dynamics365-general-journal")))("uses the example file's header", () => {
    const example = readFileSync(join(CORPUS, "dynamics365-general-journal/entity-general-journal.example.csv"), "utf8").split(/\r?\n/)[0];
    expect(D365_GENERAL_JOURNAL_COLUMNS.join(",")).toBe(example);
  });

  it("writes one voucher per journal with main account and dimensions", () => {
    const lines = writeD365GeneralJournal([journal], { journalName: "GenJrn", currency: "USD" }).split("\r\n").filter(Boolean);
    expect(lines[1]).toBe(
      'GenJrn,"Reclass, contractual allowance",ADJ-000012,Ledger,4010-CC100-D200-,1,31-Oct-2026,ADJ-000012,USD,1234567.89,0.00',
    );
    expect(lines[2]).toContain("1200-CC100--,2,31-Oct-2026");
  });
});

describe("generic CSV and XLSX", () => {
  const documents = [
    { documentId: "ADJ-000012", request: { kind: "journal" as const, body: journal } },
    {
      documentId: "ADJ-000013",
      request: {
        kind: "inventory-adjustment" as const,
        body: { item: "IMPL-100", location: "OR-1", quantity: -3, unitCostCents: 25_000, reason: "used", reference: "ADJ-000013" },
      },
    },
  ];
  it("writes one row per journal line or document with exact amounts", () => {
    const lines = writeGenericCsv(documents).split("\r\n").filter(Boolean);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain("1234567.89,0.00");
    expect(lines[3]).toContain("IMPL-100,OR-1,-3,250.00,used");
  });
  it("writes amounts into the workbook as text, so no float stands in for money", () => {
    const book = XLSX.read(writeGenericXlsx(documents), { type: "buffer" });
    const rows = XLSX.utils.sheet_to_json<string[]>(book.Sheets["Adjustments"]!, { header: 1 });
    expect(rows[1]![9]).toBe("1234567.89");
  });
});

describe("atomic file drop", () => {
  it("writes the whole file under its final name once, leaving no temporary file", () => {
    const dir = mkdtempSync(join(tmpdir(), "tieout-drop-"));
    try {
      expect(dropFileAtomically(dir, "GlInterface_k1.csv", "a,b\r\n").written).toBe(true);
      expect(dropFileAtomically(dir, "GlInterface_k1.csv", "other").written).toBe(false);
      expect(readFileSync(join(dir, "GlInterface_k1.csv"), "utf8")).toBe("a,b\r\n");
      expect(readdirSync(dir)).toEqual(["GlInterface_k1.csv"]);
      expect(() => dropFileAtomically(dir, "../escape.csv", "x")).toThrow(/plain file name/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
