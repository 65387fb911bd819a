import type { MappingProfile } from "../src-shared/mapping";
import type { ParseResult, SourceFormat } from "../src-shared/model";
import { parseBai2 } from "./bai2/parseBai2";
import { parseFhir } from "./fhir/parseFhir";
import { parseHl7 } from "./hl7v2/parseHl7";
import { parseTabular } from "./tabular/parseTabular";
import { parseX12 } from "./x12/parseX12";

export interface ParseInput {
  bytes: Uint8Array;
  /** The bytes decoded by decodeText (BOM removed, UTF-16 handled). */
  text: string;
  fileName: string;
  /** Saved column-mapping profiles, for CSV and XLSX. */
  profiles: MappingProfile[];
}

/** The file parser for each wire format. Pure: text in, records and issues out. */
export function parseByFormat(format: SourceFormat, input: ParseInput): ParseResult {
  switch (format) {
    case "hl7v2":
      return parseHl7(input.text, { fileName: input.fileName });
    case "x12-835":
    case "x12-837":
      return parseX12(input.text, { fileName: input.fileName });
    case "bai2":
      return parseBai2(input.text, { fileName: input.fileName });
    case "fhir":
      return parseFhir(input.text, { fileName: input.fileName });
    case "csv":
      return parseTabular(input.text, { fileName: input.fileName, profiles: input.profiles });
    case "xlsx":
      return parseTabular(input.bytes, { fileName: input.fileName, profiles: input.profiles });
  }
}
