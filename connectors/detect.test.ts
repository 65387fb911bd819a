import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { SourceFormat } from "../src-shared/model";
import { decodeText } from "./decode";
import { detectFormat } from "./detect";

const bytesOf = (s: string) => new TextEncoder().encode(s);

describe("detectFormat on small inputs", () => {
  it.each<[string, string, SourceFormat | null]>([
    ["adt.hl7", "MSH|^~\\&|EPIC|HOSP|||20240101||ADT^A01|1|P|2.5\rPID|1\r", "hl7v2"],
    ["batch.txt", "FHS|^~\\&|A\rBHS|^~\\&|A\rMSH|^~\\&|A\r", "hl7v2"],
    ["custom.txt", "MSH#^~\\&#A#B\r", "hl7v2"],
    ["commented.txt", "/*\n * comments\n */\nMSH|^~\\&|X\n", "hl7v2"],
    [
      "remit.txt",
      "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240101*1200*^*00501*000000001*0*P*:~GS*HP*A*B*20240101*1200*1*X*005010X221A1~ST*835*0001~",
      "x12-835",
    ],
    [
      "claims.dat",
      "\uFEFF  ISA*00*          *00*          *ZZ*A              *ZZ*B              *240101*1200*^*00501*000000001*0*P*:~\r\n  GS*HC*A*B*20240101*1200*1*X*005010X222A1~\r\n  ST*837*0001~",
      "x12-837",
    ],
    [
      "tilde.txt",
      "ISA~00~          ~01~SECRET    ~ZZ~SUB            ~ZZ~REC            ~030101~1253~U~00501~000000905~1~T~^_GS~HC~S~R~19991231~0802~1~X~005010X222A1_ST~837~987654~005010X222A1_",
      "x12-837",
    ],
    ["nogs.txt", "GS*HC*S*R*19991231*0802*1*X*005010X222A1~\nST*837*987654~\n", "x12-837"],
    [
      "ack.txt",
      "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240101*1200*^*00501*000000001*0*P*:~GS*FA*A*B*20240101*1200*1*X*005010X231A1~ST*999*0001~",
      null,
    ],
    ["bank.txt", "01,121000248,CITIBANK,240101,0800,1,80,1,2/\n02,031001,121000248,1,240101,,USD,2/\n", "bai2"],
    ["broken.bai2", "00,0004,1/2/345,06/0321,0829,001,80,1,2/\n", "bai2"],
    ["bundle.json", '{\n  "resourceType": "Bundle",\n  "type": "batch"\n}', "fhir"],
    ["export.ndjson", '{"resourceType":"Claim","id":"1"}\n{"resourceType":"Claim","id":"2"}\n', "fhir"],
    ["config.txt", '{"name": "not fhir"}', null],
    // A .json file is handed to the FHIR reader even when resourceType is not in the head: it says what is wrong.
    ["config.json", '{"name": "not fhir"}', "fhir"],
    ["charges.csv", "Txn ID,Amount\nT1,1.00\n", "csv"],
    ["charges.txt", "Txn ID\tAmount\nT1\t1.00\n", "csv"],
    ["missing-msh.hl7", "PID|1||12345^^^MRN||DOE^JOHN\nPV1|1|I\n", "hl7v2"],
    ["notes.txt", "just some words without structure", null],
  ])("%s → %s", (name, head, format) => {
    const r = detectFormat(name, head);
    expect(r.format).toBe(format);
    expect(r.reason.length).toBeGreaterThan(5);
  });

  it("knows a workbook by its zip magic, whatever the name, and refuses legacy .xls", () => {
    expect(detectFormat("report.bin", "PK\u0003\u0004", new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0]))).toMatchObject({
      format: "xlsx",
    });
    expect(detectFormat("old.xls", "", new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1]))).toMatchObject({
      format: null,
      reason: expect.stringContaining(".xls"),
    });
    expect(detectFormat("fake.xlsx", "a,b\n1,2", bytesOf("a,b\n1,2")).format).toBe("csv");
  });
});

const corpusRoot = resolve(process.cwd(), "../shared/corpus");
const FOLDER_FORMAT: Record<string, SourceFormat> = {
  hl7v2: "hl7v2",
  "x12-835": "x12-835",
  "x12-837": "x12-837",
  bai2: "bai2",
  fhir: "fhir",
  "synthea-csv": "csv",
  erp: "csv",
};
/** Corpus files whose detected format is not their folder's, and why that is right. */
const EXCEPTIONS: Record<string, SourceFormat | null> = {
  // An 85 KB HL7 field fragment with no segments: not a message, nothing to parse.
  "hl7v2/hapi-hl7v2/hapi-test/src/test/resources/ca/uhn/hl7v2/parser/uuencoded_escaped.txt": null,
  // X12 acknowledgements and claim-status responses kept next to the 837s: not formats Tieout reads.
  "x12-837/imsweb-x12-parser/src/test/resources/277_5010/x12_277CA_accepted.txt": null,
  "x12-837/imsweb-x12-parser/src/test/resources/277_5010/x12_277CA_rejected.txt": null,
  "x12-837/imsweb-x12-parser/src/test/resources/277_5010/x12_277_x212.txt": null,
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_999_accepted.txt": null,
  "x12-837/imsweb-x12-parser/src/test/resources/837_5010/x12_999_rejected.txt": null,
};

function walk(d: string): string[] {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
const corpusFiles = existsSync(corpusRoot)
  ? Object.keys(FOLDER_FORMAT).flatMap((d) => (existsSync(join(corpusRoot, d)) ? walk(join(corpusRoot, d)) : []))
  : [];

(corpusFiles.length ? describe : describe.skip)(
  `detectFormat on every corpus file (${corpusRoot}${corpusFiles.length ? "" : " not found: skipped"})`,
  () => {
    it("detects each file as its folder's format, except the listed non-formats", () => {
      const wrong: string[] = [];
      for (const f of corpusFiles) {
        const rel = relative(corpusRoot, f);
        const expected = rel in EXCEPTIONS ? EXCEPTIONS[rel]! : FOLDER_FORMAT[rel.split("/")[0]!]!;
        const bytes = readFileSync(f);
        const r = detectFormat(basename(f), decodeText(bytes).text.slice(0, 4096), bytes.subarray(0, 8));
        if (r.format !== expected) wrong.push(`${rel}: expected ${expected}, got ${r.format} (${r.reason})`);
      }
      expect(wrong).toEqual([]);
      expect(corpusFiles.length).toBeGreaterThan(200);
    });
  },
);
