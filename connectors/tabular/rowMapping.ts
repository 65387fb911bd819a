/**
 * A mapping profile compiled against one file's header row, then applied row by row.
 */
import type { ColumnTransform, MappingProfile } from "../../src-shared/mapping";
import type { CanonicalRecord, CanonicalType, ParseIssue } from "../../src-shared/model";
import { type FieldSpec, FIELD_CATALOG, NATURAL_KEYS } from "./fieldCatalog";
import { applyTransform, DATE_FORMATS } from "./transforms";

/**
 * A row filter the profile format does not have yet (proposed for src-shared/mapping.ts):
 * only rows whose `column` equals one of `equals` (case-insensitive, trimmed) are mapped;
 * the others become units with no records (archived, nothing loaded). Needed for
 * Synthea's claims_transactions.csv, where CHARGE and PAYMENT rows share one layout.
 */
export interface RowFilter {
  column: string;
  equals: string[];
}
export type TabularProfile = MappingProfile & { rowFilter?: RowFilter };

/** Which transforms can fill a field of each kind. */
const ALLOWED: Record<FieldSpec["kind"], readonly ColumnTransform[]> = {
  text: ["text"],
  cents: ["decimal-cents", "integer-cents"],
  number: ["number", "integer-cents"],
  date: ["date", "text"],
  instant: ["text", "date"],
  boolean: ["boolean"],
};

export function normaliseHeader(h: string): string {
  return h
    .replace(/^\uFEFF/, "")
    .trim()
    .replace(/\s+/g, " ")
    .toLowerCase();
}

interface FieldPlan {
  field: string;
  spec: FieldSpec;
  column: number;
  header: string;
  transform: ColumnTransform;
}

export interface CompiledProfile {
  profile: TabularProfile;
  recordType: CanonicalType;
  plans: FieldPlan[];
  constants: Record<string, string | number | boolean | null>;
  filter: { column: number; values: Set<string> } | null;
  /** Problems with the profile against this file; any error means no row can be mapped. */
  issues: ParseIssue[];
  /** A record with every field null, plus type, system and the constants: copied per row. */
  template: Record<string, string | number | boolean | null>;
  /** Required fields with the header that fills them (or the field name), checked per row. */
  required: { field: string; where: string }[];
  fatal: boolean;
}

export function compileProfile(profile: TabularProfile, headers: string[], file: string): CompiledProfile {
  const issues: ParseIssue[] = [];
  const recordType = profile.recordType;
  const catalog: Record<string, FieldSpec> | undefined = FIELD_CATALOG[recordType];
  const problem = (message: string, field?: string, expected?: string, found?: string) =>
    issues.push({
      code: "tabular-profile",
      severity: "error",
      message: `${file}: mapping profile "${profile.name}": ${message}`,
      where: { file, line: 1, ...(field ? { field } : {}) },
      ...(expected !== undefined ? { expected } : {}),
      ...(found !== undefined ? { found } : {}),
    });
  const empty = { profile, recordType, plans: [], constants: {}, filter: null, issues, template: {}, required: [], fatal: true };
  if (!catalog) {
    problem(`unknown record type "${recordType}"`);
    return empty;
  }
  if (!(DATE_FORMATS as readonly string[]).includes(profile.dateFormat)) {
    problem(`unsupported date format "${profile.dateFormat}"`, undefined, DATE_FORMATS.join(", "), profile.dateFormat);
  }
  const index = new Map<string, number>();
  headers.forEach((h, k) => {
    const key = normaliseHeader(h);
    if (!index.has(key)) index.set(key, k);
  });
  const plans: FieldPlan[] = [];
  for (const [field, mapping] of Object.entries(profile.fields)) {
    const spec = catalog[field];
    if (!spec) {
      problem(`"${field}" is not a field of ${recordType}`, field);
      continue;
    }
    const column = index.get(normaliseHeader(mapping.column));
    if (column === undefined) {
      problem(`column "${mapping.column}" (for ${field}) is not in the file`, mapping.column, mapping.column, headers.join(", "));
      continue;
    }
    if (!ALLOWED[spec.kind].includes(mapping.transform)) {
      problem(
        `${field} is a ${spec.kind} field and cannot use transform "${mapping.transform}"`,
        mapping.column,
        ALLOWED[spec.kind].join(" or "),
        mapping.transform,
      );
      continue;
    }
    plans.push({ field, spec, column, header: headers[column] ?? mapping.column, transform: mapping.transform });
  }
  const constants: Record<string, string | number | boolean | null> = {};
  for (const [field, value] of Object.entries(profile.constants ?? {})) {
    if (field === "system" || field === "type") continue;
    const spec = catalog[field];
    if (!spec) {
      problem(`constant "${field}" is not a field of ${recordType}`, field);
      continue;
    }
    constants[field] = value;
  }
  for (const [field, spec] of Object.entries(catalog)) {
    if (!spec.required) continue;
    if (plans.some((p) => p.field === field) || (constants[field] !== undefined && constants[field] !== null)) continue;
    if (recordType === "journalLine" && field === "period" && plans.some((p) => p.field === "accountingDate")) continue;
    problem(`required field ${field} is not mapped to a column or a constant`, field, `a column for ${field}`, "none");
  }
  let filter: CompiledProfile["filter"] = null;
  if (profile.rowFilter) {
    const column = index.get(normaliseHeader(profile.rowFilter.column));
    if (column === undefined) problem(`row filter column "${profile.rowFilter.column}" is not in the file`, profile.rowFilter.column);
    else filter = { column, values: new Set(profile.rowFilter.equals.map((v) => v.trim().toLowerCase())) };
  }
  const template: Record<string, string | number | boolean | null> = { type: recordType, system: profile.system };
  for (const field of Object.keys(catalog)) template[field] = null;
  Object.assign(template, constants);
  const required = Object.entries(catalog)
    .filter(([, spec]) => spec.required)
    .map(([field]) => ({ field, where: plans.find((p) => p.field === field)?.header ?? field }));
  const fatal = issues.some((x) => x.severity === "error");
  return { profile, recordType, plans, constants, filter, issues, template, required, fatal };
}

export interface MappedRow {
  records: CanonicalRecord[];
  issues: ParseIssue[];
  controlId: string | null;
}

/**
 * Maps one data row. `line` is the row's first physical line, for messages.
 * Every bad cell is reported (not only the first), so a user fixes a row in one pass.
 */
function badCell(file: string, line: number, header: string, cell: string, expected: string): ParseIssue {
  return {
    code: "tabular-bad-cell",
    severity: "error",
    message: `${file} line ${line}, ${header}: expected ${expected}, found "${cell}"`,
    where: { file, line, segment: String(line), field: header },
    expected,
    found: cell,
  };
}

export function mapRow(cp: CompiledProfile, cells: string[], file: string, line: number): MappedRow {
  if (cp.fatal) {
    return {
      records: [],
      issues: [
        {
          code: "tabular-profile",
          severity: "error",
          message: `${file} line ${line}: not mapped: the mapping profile "${cp.profile.name}" does not fit this file (see the file's issues)`,
          where: { file, line, segment: String(line) },
        },
      ],
      controlId: null,
    };
  }
  if (cp.filter && !cp.filter.values.has((cells[cp.filter.column] ?? "").trim().toLowerCase())) {
    return { records: [], issues: [], controlId: null };
  }
  let issues: ParseIssue[] | null = null;
  const bad = (p: FieldPlan, cell: string, expected: string) => (issues ??= []).push(badCell(file, line, p.header, cell, expected));
  const out: Record<string, string | number | boolean | null> = { ...cp.template };
  const dateFormat = cp.profile.dateFormat;
  for (const p of cp.plans) {
    const cell = cells[p.column] ?? "";
    const r = applyTransform(p.transform, cell, dateFormat);
    if (!r.ok) {
      bad(p, cell, r.expected);
      continue;
    }
    let value = r.value;
    if (value === null) continue;
    const kind = p.spec.kind;
    if (kind === "date" && p.transform === "text") {
      const m = /^(\d{4}-\d{2}-\d{2})(?:$|[T ])/.exec(String(value));
      if (!m) {
        bad(p, cell, "a date as YYYY-MM-DD");
        continue;
      }
      value = m[1]!;
    } else if (kind === "instant" && p.transform === "text") {
      const s = String(value);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) {
        const t = Date.parse(s);
        if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}[T ]/.test(s)) {
          bad(p, cell, "an ISO-8601 timestamp");
          continue;
        }
        value = new Date(t).toISOString();
      }
    }
    if (p.spec.values) {
      const v = String(value).toLowerCase();
      if (!p.spec.values.includes(v)) {
        bad(p, cell, `one of ${p.spec.values.join(", ")}`);
        continue;
      }
      value = v;
    }
    out[p.field] = value;
  }
  // Calendar-month period when the file has no period column (a fiscal calendar needs the column mapped).
  if (cp.recordType === "journalLine" && out.period === null && typeof out.accountingDate === "string") {
    out.period = out.accountingDate.slice(0, 7);
  }
  if (issues === null) {
    for (const req of cp.required) {
      const v = out[req.field];
      if (v === null || v === undefined) {
        (issues ??= []).push({
          code: "tabular-missing-field",
          severity: "error",
          message: `${file} line ${line}, ${req.where}: expected a value for ${req.field} (required), found an empty cell`,
          where: { file, line, segment: String(line), field: req.where },
          expected: `a value for ${req.field}`,
          found: "",
        });
      }
    }
  }
  if (issues !== null) return { records: [], issues, controlId: null };
  const keys = NATURAL_KEYS[cp.recordType];
  const controlId = keys ? `${cp.recordType}:${keys.map((k) => String(out[k])).join(":")}` : null;
  // The catalog is checked against model.ts at compile time and every required field was
  // verified non-null above, so this object is a valid record of cp.recordType.
  return { records: [out as unknown as CanonicalRecord], issues: [], controlId };
}
