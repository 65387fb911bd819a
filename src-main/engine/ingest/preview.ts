import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { CanonicalFieldInfo, ImportPreview } from "../../../src-shared/api";
import type { MappingProfile } from "../../../src-shared/mapping";
import type { CanonicalType } from "../../../src-shared/model";
import { decodeText } from "../../../connectors/decode";
import { detectFormat } from "../../../connectors/detect";
import { BUILTIN_PROFILES } from "../../../connectors/tabular/builtinProfiles";
import { fieldCatalog } from "../../../connectors/tabular/fieldCatalog";
import { previewTabular } from "../../../connectors/tabular/parseTabular";
import { matchProfile, suggestMapping } from "../../../connectors/tabular/profiles";
import type { Store } from "../store/store";
import { sha256 } from "./loadUnits";
import { loadProfiles } from "./profiles";
import { UserError } from "../handlerRegistry";

const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;

/** Where dropped files are kept: an `inbox` folder beside the database. */
export function inboxDir(store: Store): string {
  return join(dirname(store.path), "inbox");
}

/** Saves uploaded bytes under a name that cannot escape the inbox or clash with another upload. */
export function saveUpload(store: Store, fileName: string, contentBase64: string): string {
  const bytes = Buffer.from(contentBase64, "base64");
  if (bytes.length > MAX_UPLOAD_BYTES)
    throw new UserError("BAD_UPLOAD", `${fileName} is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB; import it by path instead.`);
  const safeName = basename(fileName).replace(/[^\w.\- ]+/g, "_") || "upload";
  const dir = join(inboxDir(store), sha256(bytes).slice(0, 16));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, safeName);
  writeFileSync(path, bytes);
  return path;
}

export function previewImport(store: Store, path: string, sheet?: string): ImportPreview {
  let bytes: Buffer;
  try {
    if (!statSync(path).isFile()) throw new Error("not a file");
    bytes = readFileSync(path);
  } catch (error) {
    throw new UserError("FILE_NOT_FOUND", `Cannot read ${path}: ${(error as Error).message}`);
  }
  const fileName = basename(path);
  const decoded = decodeText(bytes);
  const detected = detectFormat(fileName, decoded.text.slice(0, 4096), bytes.subarray(0, 8));
  const alreadyImported =
    store.sqlite.prepare("SELECT 1 FROM source_file WHERE sha256 = ? AND status = 'complete'").get(sha256(bytes)) !== undefined;
  const preview: ImportPreview = {
    path,
    fileName,
    sizeBytes: bytes.length,
    format: detected.format,
    confidence: detected.confidence,
    reason: detected.reason,
    alreadyImported,
    sample: null,
    tabular: null,
  };
  if (detected.format === "csv" || detected.format === "xlsx") {
    let table;
    try {
      table = previewTabular(detected.format === "xlsx" ? bytes : decoded.text, { fileName, ...(sheet ? { sheet } : {}) });
    } catch (error) {
      throw new UserError("UNREADABLE", (error as Error).message);
    }
    const profiles: MappingProfile[] = [...loadProfiles(store), ...BUILTIN_PROFILES];
    preview.tabular = {
      headers: table.headers,
      rows: table.rows,
      sheets: table.sheets ?? null,
      delimiter: table.delimiter,
      rowCountEstimate: table.rowCountEstimate,
      matchedProfile: matchProfile(table.headers, profiles),
    };
  } else {
    preview.sample = decoded.text
      .split(/\r\n|\r|\n/)
      .slice(0, 12)
      .join("\n")
      .slice(0, 4000);
  }
  return preview;
}

export function importFields(
  recordType: CanonicalType,
  headers: string[] = [],
): { fields: CanonicalFieldInfo[]; suggested: MappingProfile["fields"] } {
  const fields = fieldCatalog(recordType)
    .filter((f) => f.name !== "system")
    .map((f) => ({ name: f.name, kind: f.kind, required: f.required }));
  const suggested = Object.fromEntries(
    Object.entries(suggestMapping(headers, recordType)).filter(([, v]) => v !== undefined),
  ) as MappingProfile["fields"];
  return { fields, suggested };
}
