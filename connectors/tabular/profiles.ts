/**
 * Finding the saved profile for a file's layout, and suggesting a mapping for a new one
 * (the import wizard's first guess, which the user then corrects).
 */
import type { ColumnMapping, ColumnTransform, MappingProfile } from "../../src-shared/mapping";
import type { CanonicalType } from "../../src-shared/model";
import { type FieldKind, fieldCatalog } from "./fieldCatalog";
import { normaliseHeader } from "./rowMapping";

/**
 * The profile whose header signature is this file's: the exact normalised header list in
 * order first, then the same set of headers in any order (a re-ordered export of the same
 * layout). Earlier profiles win ties, so pass saved profiles before built-in ones.
 */
export function matchProfile<P extends MappingProfile>(headers: string[], profiles: readonly P[]): P | null {
  const sig = headers.map(normaliseHeader);
  const exact = profiles.find((p) => p.headers.length === sig.length && p.headers.every((h, k) => normaliseHeader(h) === sig[k]));
  if (exact) return exact;
  const key = [...sig].sort().join("\u0000");
  return profiles.find((p) => [...p.headers.map(normaliseHeader)].sort().join("\u0000") === key) ?? null;
}

/** Abbreviations seen in billing and ERP extracts → the word our field names use. */
const SYNONYMS: Record<string, string> = {
  acct: "account",
  acc: "account",
  no: "number",
  num: "number",
  nbr: "number",
  "#": "number",
  svc: "service",
  serv: "service",
  dt: "date",
  dos: "service date",
  amt: "amount",
  qty: "quantity",
  dept: "department",
  desc: "description",
  descr: "description",
  txn: "transaction",
  trans: "transaction",
  tran: "transaction",
  trx: "transaction",
  rev: "revenue",
  proc: "procedure",
  cpt: "procedure code",
  hcpcs: "procedure code",
  cdm: "cdm code",
  chg: "charge",
  post: "posting",
  posted: "posting",
  loc: "location",
  fac: "facility",
  enc: "visit",
  encounter: "visit",
  fin: "visit",
  csn: "visit",
  mrn: "mrn",
  uom: "unit of measure",
  cc: "cost center",
  costcentre: "cost center",
  centre: "center",
  dr: "debit",
  cr: "credit",
  je: "journal",
  gl: "account",
  ln: "line",
  seq: "sequence",
  item: "item",
  sku: "item number",
  lot: "lot",
  id: "id",
  ref: "reference",
  pt: "patient",
  pmt: "payment",
  pd: "paid",
  chk: "trace",
  eft: "trace",
};

/** Words that carry no meaning for matching (the unit suffix of our money fields, articles). */
const STOP = new Set(["cents", "the", "of", "code"]);

function tokens(text: string): string[] {
  const spaced = text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/#/g, " # ")
    .toLowerCase();
  const out: string[] = [];
  for (const raw of spaced.split(/[^a-z0-9#]+/)) {
    if (!raw) continue;
    for (const w of (SYNONYMS[raw] ?? raw).split(" ")) if (!STOP.has(w)) out.push(w);
  }
  return out;
}

function similarity(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const sa = new Set(a);
  const sb = new Set(b);
  let common = 0;
  for (const w of sa) if (sb.has(w)) common++;
  return (2 * common) / (sa.size + sb.size);
}

const TRANSFORM_FOR: Record<FieldKind, ColumnTransform> = {
  text: "text",
  cents: "decimal-cents",
  number: "number",
  date: "date",
  instant: "text",
  boolean: "boolean",
};

/** Field-specific words that a header may use alone ("Amount" → amountCents, "Visit" → visitNumber). */
const ALIASES: Record<string, string[]> = {
  amountCents: ["amount", "extended amount", "total", "charge amount"],
  cdmCode: ["charge", "cdm", "charge number", "chargemaster"],
  transactionId: ["transaction", "transaction id", "id"],
  visitNumber: ["visit", "visit id"],
  accountNumber: ["account", "hospital account", "har"],
  npi: ["npi", "provider npi"],
  quantity: ["units", "quantity"],
  debitCents: ["debit", "debit amount"],
  creditCents: ["credit", "credit amount"],
  account: ["account", "gl account", "natural account"],
  serviceDate: ["service date", "date of service", "service"],
};

/**
 * Fuzzy header → canonical field suggestions for `recordType`: each field gets the header
 * that resembles it most (token overlap after expanding abbreviations), each header is
 * used at most once, weak matches are left for the user. The transform follows the field's
 * kind (money → decimal-cents, dates → date, …).
 */
export function suggestMapping(headers: string[], recordType: CanonicalType): Partial<MappingProfile["fields"]> {
  const fields = fieldCatalog(recordType);
  const headerTokens = headers.map((h) => tokens(h));
  const candidates: { field: string; header: number; score: number }[] = [];
  for (const f of fields) {
    const names = [f.name, ...(ALIASES[f.name] ?? [])].map(tokens);
    headerTokens.forEach((ht, k) => {
      const norm = normaliseHeader(headers[k] ?? "");
      let score = Math.max(...names.map((nt) => similarity(nt, ht)));
      if (norm.replace(/[^a-z0-9]/g, "") === f.name.toLowerCase()) score = 1.01;
      if (score >= 0.66) candidates.push({ field: f.name, header: k, score });
    });
  }
  candidates.sort((a, b) => b.score - a.score || a.header - b.header);
  const usedFields = new Set<string>();
  const usedHeaders = new Set<number>();
  const out: Partial<Record<string, ColumnMapping>> = {};
  for (const c of candidates) {
    if (usedFields.has(c.field) || usedHeaders.has(c.header)) continue;
    usedFields.add(c.field);
    usedHeaders.add(c.header);
    const kind = fields.find((f) => f.name === c.field)!.kind;
    out[c.field] = { column: headers[c.header]!, transform: TRANSFORM_FOR[kind] };
  }
  return out;
}
