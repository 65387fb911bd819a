/**
 * Which wire format a file holds, from its first bytes and characters. Content decides; the
 * file extension only breaks ties and rescues damaged files (an .hl7 file whose MSH is
 * missing is still an HL7 file to quarantine, not an unknown one).
 */
import type { SourceFormat } from "../src-shared/model";

export type DetectConfidence = "high" | "medium" | "low";

export interface DetectedFormat {
  format: SourceFormat | null;
  confidence: DetectConfidence;
  /** Why, in words a user can read ("ISA envelope with ST*835"). */
  reason: string;
}

const EXTENSIONS: Record<string, SourceFormat | "x12"> = {
  hl7: "hl7v2",
  x12: "x12",
  edi: "x12",
  "835": "x12-835",
  "837": "x12-837",
  bai: "bai2",
  bai2: "bai2",
  json: "fhir",
  ndjson: "fhir",
  csv: "csv",
  tsv: "csv",
  xlsx: "xlsx",
  xlsm: "xlsx",
};

function extensionOf(fileName: string): string {
  const m = /\.([A-Za-z0-9]+)$/.exec(fileName);
  return m ? m[1]!.toLowerCase() : "";
}

/** The X12 transaction set of the first ST segment, given the element separator. */
function firstTransactionSet(text: string, elementSep: string): string | null {
  const esc = elementSep.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`(?:^|[^A-Za-z0-9])\\s*ST${esc}(\\d{3})`).exec(text);
  return m ? m[1]! : null;
}

const X12_NAMES: Record<string, string> = {
  "999": "implementation acknowledgment",
  "997": "functional acknowledgment",
  "277": "claim status response",
  "276": "claim status request",
  "270": "eligibility inquiry",
  "271": "eligibility response",
  "834": "benefit enrollment",
  "820": "premium payment",
};

function x12(text: string, elementSep: string, envelope: string): DetectedFormat {
  const st = firstTransactionSet(text, elementSep);
  if (st === "835") return { format: "x12-835", confidence: "high", reason: `${envelope} with ST${elementSep}835 (remittance)` };
  if (st === "837") return { format: "x12-837", confidence: "high", reason: `${envelope} with ST${elementSep}837 (claim)` };
  if (st) {
    return {
      format: null,
      confidence: "high",
      reason: `X12 transaction set ${st}${X12_NAMES[st] ? ` (${X12_NAMES[st]})` : ""}: Tieout reads only 835 and 837`,
    };
  }
  return { format: null, confidence: "medium", reason: `${envelope} but no ST segment in the first part of the file` };
}

/**
 * @param head the first few KiB of the decoded text (BOM removed or not)
 * @param bytes the first bytes of the file, when available (zip magic for XLSX)
 */
export function detectFormat(fileName: string, head: string, bytes?: Uint8Array): DetectedFormat {
  const ext = extensionOf(fileName);
  const byExt = EXTENSIONS[ext];

  if (bytes && bytes.length >= 4) {
    if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
      return { format: "xlsx", confidence: byExt === "xlsx" ? "high" : "medium", reason: "zip container (PK), as an .xlsx workbook is" };
    }
    if (bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0) {
      return { format: null, confidence: "high", reason: "legacy Excel 97-2003 (.xls) workbook: save it as .xlsx or CSV" };
    }
  }

  const text = head.replace(/^\uFEFF/, "");
  const start = text.trimStart();

  // HL7 v2: MSH/FHS/BHS followed by the field separator, at the start or at a line start.
  if (/^(MSH|FHS|BHS)[^A-Za-z0-9\s]/.test(start)) {
    return { format: "hl7v2", confidence: "high", reason: `starts with ${start.slice(0, 3)} segment` };
  }
  if (/(^|[\r\n])(MSH|FHS|BHS)\|/.test(text)) {
    return { format: "hl7v2", confidence: "medium", reason: "MSH segment after leading text (comments?)" };
  }

  // X12: ISA envelope (element separator is the 4th character), or a bare GS/ST.
  if (/^ISA[^A-Za-z0-9\s]/.test(start)) return x12(start, start[3]!, "ISA envelope");
  const bare = /^(GS|ST)([^A-Za-z0-9\s])/.exec(start);
  if (bare) return x12(start, bare[2]!, `${bare[1]} segment without ISA`);

  // BAI2: record 01 (file header) with comma-separated fields ending in "/".
  if (/^01,[^\r\n]*\//.test(start)) return { format: "bai2", confidence: "high", reason: "starts with a BAI2 01 file-header record" };
  if (/^(00|02|03|16|49|88|98|99),[^\r\n]*\/\s*($|[\r\n])/.test(start)) {
    return { format: "bai2", confidence: "low", reason: "BAI2-shaped records (NN,…,/) without a 01 file header" };
  }

  // JSON: a FHIR resource or Bundle, or NDJSON with one resource per line.
  if (start.startsWith("{")) {
    const firstLine = start.split(/\r?\n/, 1)[0] ?? "";
    if (/"resourceType"\s*:/.test(firstLine) && firstLine.trim().endsWith("}") && start.length > firstLine.length + 1) {
      return { format: "fhir", confidence: "high", reason: "NDJSON lines with resourceType (FHIR Bulk Data)" };
    }
    if (/"resourceType"\s*:/.test(start)) return { format: "fhir", confidence: "high", reason: "JSON with resourceType (FHIR)" };
    if (byExt === "fhir")
      return { format: "fhir", confidence: "low", reason: `JSON in a .${ext} file; no resourceType seen in the first part` };
    return { format: null, confidence: "medium", reason: "JSON without a FHIR resourceType" };
  }
  if (start.startsWith("[")) return { format: null, confidence: "medium", reason: "a JSON array, not a FHIR resource or Bundle" };

  // Extension rescue for damaged files of a known kind.
  if (byExt === "hl7v2") return { format: "hl7v2", confidence: "low", reason: "no MSH segment found, but the file is named .hl7" };
  if (byExt === "bai2") return { format: "bai2", confidence: "low", reason: `no 01 record found, but the file is named .${ext}` };
  if (byExt === "x12-835" || byExt === "x12-837")
    return { format: byExt, confidence: "low", reason: `no ISA envelope found, but the file is named .${ext}` };

  // Delimited text: a first line split by a common delimiter into several fields.
  const firstLine = start.split(/\r\n|\n|\r/, 1)[0] ?? "";
  if (firstLine.length === start.length && text.length >= 4000 && byExt !== "csv") {
    return {
      format: null,
      confidence: "low",
      reason: "no line break in the first 4 KiB: not a delimited table, and no known format recognised",
    };
  }
  for (const [d, name] of [
    [",", "comma"],
    ["\t", "tab"],
    [";", "semicolon"],
    ["|", "pipe"],
  ] as const) {
    if (firstLine.split(d).length >= 2) {
      return { format: "csv", confidence: byExt === "csv" ? "high" : "medium", reason: `delimited text (${name}-separated header row)` };
    }
  }
  if (byExt === "csv") return { format: "csv", confidence: "low", reason: "a .csv file with a single column" };
  if (byExt === "xlsx") return { format: null, confidence: "high", reason: `named .${ext} but not a zip container: not a real workbook` };
  return { format: null, confidence: "low", reason: "no known format recognised in the first part of the file" };
}
