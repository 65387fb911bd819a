/**
 * Reconciliation rules as data (DESIGN.md "Rules are data"). A template declares its two
 * sides, an ordered list of matching passes, and the rules that turn a match or an
 * unmatched record into an exception or an expected (legitimate) unmatched item. Rule
 * sets carry a version; every run records the version and a hash of the definition.
 *
 * Pure TypeScript: no Node, no DOM. The engine validates a template with
 * {@link validateTemplate} when it loads it and refuses one that does not validate.
 */

import { centsToDecimal } from "./money";

/** A side of a reconciliation: a read-only query over canonical tables. */
export interface SideSpec {
  label: string;
  /** Canonical record types on this side (for the UI and the scorer). */
  recordTypes: string[];
  /**
   * One SQLite SELECT, read-only, over canonical tables. Filters, crosswalk joins and
   * aggregation (one side summarised, e.g. billing revenue by day, account and cost
   * center) are written here. Bound parameters: `:period` (YYYY-MM), `:from` (first day
   * of the period) and `:to` (last day plus the template's run-out days).
   *
   * Required result columns: `row_key` (the record's natural key, unique on the side),
   * `source_table`, `source_id` (canonical row id, null for aggregates). Optional:
   * `amount_cents`, `row_date` (YYYY-MM-DD), `member_keys` (natural keys, separated by
   * a space, when one side row stands for several records). Any other column can be
   * used by passes and rules by name.
   */
  sql: string;
  /**
   * Where this side's records come from when its rows do not name them (a summarised side has
   * no `source_id`; a composite row names one of its members): canonical tables, each with a
   * filter on its rows (alias `c`, the same parameters as `sql`). A run records the files of
   * those rows among its input files, besides the files of the rows it names.
   */
  lineage?: { table: string; where?: string }[];
}

/** Named normalisations applied to a key or text value before comparing. */
export type Normalizer =
  | "none"
  | "trim"
  | "upper"
  | "digits"
  /** "00558631" and "558631" compare equal (ERA trace numbers dropped by banks). */
  | "stripLeadingZeros"
  /** Every TRN02 in CCD+ addenda text (`TRN*1*<trace>*<payer>\`): the row gets several key values. */
  | "trnTraces"
  /** Lower case, punctuation to spaces, whitespace collapsed. */
  | "words";

/** One normaliser, or several applied in order (each may yield several values). */
export type NormalizerChain = Normalizer | Normalizer[];

export interface KeySpec {
  /** A short label for explanations, e.g. "trace", "visit". */
  label: string;
  left: string;
  right: string;
  /** Applied to both sides unless `leftNormalize` / `rightNormalize` say otherwise. */
  normalize?: NormalizerChain;
  leftNormalize?: NormalizerChain;
  rightNormalize?: NormalizerChain;
}

export type Cardinality = "1:1" | "1:N" | "N:1" | "N:M";

export interface AmountTolerance {
  /** Absolute tolerance in cents. */
  absCents: number;
  /** Relative tolerance in percent of the left amount. The larger of the two applies. */
  pct?: number;
  /** Only accept a difference in this direction (e.g. a fee: the right side is smaller). */
  direction?: "any" | "rightLess" | "rightMore";
}

export interface DateWindow {
  left: string;
  right: string;
  /** Right date minus left date, in days, must lie in [minDays, maxDays]. */
  minDays: number;
  maxDays: number;
  /** Prefer the closest dates among candidates (default); false keeps side order (first in, first out). */
  scored?: boolean;
}

/** A soft key: candidates that agree on it are preferred, but it is not required. */
export interface PreferSpec {
  label: string;
  left: string;
  right: string;
}

export interface TextRule {
  label: string;
  left: string;
  right: string;
  method: "jaro-winkler" | "token";
  /** Similarity in [0, 1] after normalisation. */
  min: number;
}

export interface PassSpec {
  id: string;
  label: string;
  /** Blocking keys: only rows whose keys are equal after normalisation are compared. */
  keys: KeySpec[];
  /** Absent: amounts are not compared in this pass. */
  amount?: AmountTolerance;
  date?: DateWindow;
  text?: TextRule[];
  prefer?: PreferSpec[];
  cardinality: Cardinality;
  /** Largest number of rows on the "many" side of a group (bounded sum matching). */
  maxGroup?: number;
  /** `auto`: confirmed matches. `suggest`: proposed for a person to confirm. */
  mode: "auto" | "suggest";
}

/** A field of a group or row: `left.col`, `right.col`, `group.amountDiffCents`, `group.pass`. */
export type FieldRef = string;

export type Condition =
  | { field: FieldRef; op: "=" | "!=" | ">" | ">=" | "<" | "<="; value: string | number }
  | { field: FieldRef; op: "in" | "notIn"; values: (string | number)[] }
  | { field: FieldRef; op: "isNull" | "notNull" }
  /** Any left row and any right row disagree on one of these columns (nulls count as values). */
  | { differs: [string, string][] }
  /** Days from a left date column to a right date column, compared with a number. */
  | { daysFrom: string; to: string; op: ">" | ">=" | "<" | "<="; value: number };

/** What an exception amount is: a side's total, the difference, or a column. */
export type AmountSource = "left" | "right" | "difference" | "absDifference" | { column: FieldRef };

export interface ExceptionRule {
  reason: string;
  on: "matched" | "unmatched-left" | "unmatched-right";
  /** All must hold. A condition on `left.`/`right.` columns holds when any row of that side satisfies it. */
  when: Condition[];
  /**
   * For `matched`: keep the group as a confirmed match (a late charge is still matched)
   * or demote it to a suggestion (a journal in the wrong period is not a match).
   */
  keepMatch?: boolean;
  amount?: AmountSource;
  /** Message template: `{left.col}`, `{right.col}`, `{amount}`, `{lagDays}`, `{keys}`. */
  message: string;
  /** Charge lag: days from a left column to a right column. */
  lagDays?: { from: string; to: string };
  reasonCode?: FieldRef;
  expected?: FieldRef;
  found?: FieldRef;
  /** Id of the engine's correction builder that proposes a fix for this break. */
  correction?: string;
  /**
   * Columns holding the natural keys the exception is about (space-separated), when they
   * differ from the rows' own keys (e.g. the cost center a department master points to).
   */
  keysFrom?: { left?: string; right?: string };
}

/** A record without a partner for a legitimate reason: reported, not an exception. */
export interface ExpectedRule {
  reason: string;
  on: "unmatched-left" | "unmatched-right";
  when: Condition[];
}

export interface ReconTemplate {
  id: string;
  name: string;
  description: string;
  /** Bumped whenever passes, sides or rules change; runs record it. */
  version: number;
  /** Days after the period end that still belong to it (remittances and charges lag). */
  runOutDays: number;
  left: SideSpec;
  right: SideSpec;
  passes: PassSpec[];
  /** Evaluated in order; the first rule that applies wins. */
  exceptions: ExceptionRule[];
  expected: ExpectedRule[];
  /** Reason for an unmatched row no rule covers. */
  unmatchedLeftReason: string;
  unmatchedRightReason: string;
  /** Parameters correction builders read (GL accounts, offsets). */
  params?: Record<string, string>;
}

export interface RuleIssue {
  path: string;
  message: string;
}

const CARDINALITIES: Cardinality[] = ["1:1", "1:N", "N:1", "N:M"];
/** The largest group a pass may sum: past it, a "match" is not one an analyst could check by eye. */
export const MAX_GROUP = 200;
const NORMALIZERS: Normalizer[] = ["none", "trim", "upper", "digits", "stripLeadingZeros", "trnTraces", "words"];

/** A plain lower-case SQL name (column or table): safe to write into a query. */
export function isIdent(s: unknown): s is string {
  return typeof s === "string" && /^[a-z_][a-z0-9_]*$/.test(s);
}

/** What `group.x` may name: the pass, and sums and counts of the group's two sides. */
export const GROUP_FIELDS = ["pass", "amountDiffCents", "absAmountDiffCents", "leftCents", "rightCents", "leftRows", "rightRows"];

function isSideRef(s: unknown): boolean {
  return typeof s === "string" && /^(left|right)\.[A-Za-z_][A-Za-z0-9_]*$/.test(s);
}

function isFieldRef(s: unknown): boolean {
  if (typeof s !== "string") return false;
  const m = /^(left|right|group)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(s);
  return m !== null && (m[1] !== "group" || GROUP_FIELDS.includes(m[2]!));
}

/**
 * Structural checks of a template: every part a run reads is there and of the right kind, so a
 * definition that passes (one a person wrote as JSON, say) cannot fail half-way through a run.
 * Column names are checked again by the engine against the side queries' actual result
 * columns when it prepares them.
 */
export function validateTemplate(t: ReconTemplate): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const bad = (path: string, message: string) => issues.push({ path, message });
  const obj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  const text = (v: unknown): v is string => typeof v === "string" && v.trim() !== "";
  const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
  const list = (path: string, v: unknown): unknown[] => {
    if (Array.isArray(v)) return v;
    bad(path, "expected a list");
    return [];
  };
  if (!obj(t)) return [{ path: "", message: "expected a rule set (a JSON object)" }];
  if (!/^[a-z][a-z0-9-]*$/.test(String(t.id ?? ""))) bad("id", "expected a lower-case id with dashes");
  if (!Number.isInteger(t.version) || t.version < 1) bad("version", "expected a positive whole number");
  if (!text(t.name)) bad("name", "expected a name");
  if (typeof t.description !== "string") bad("description", "expected a description (text)");
  if (!Number.isInteger(t.runOutDays) || t.runOutDays < 0) bad("runOutDays", "expected a whole number of days ≥ 0");
  for (const side of ["left", "right"] as const) {
    const s = t[side] as unknown;
    if (!obj(s)) {
      bad(side, "expected the side's label, recordTypes and sql");
      continue;
    }
    if (typeof s.sql !== "string" || !/^\s*(WITH|SELECT)\b/i.test(s.sql)) bad(`${side}.sql`, "expected a SELECT statement");
    if (!text(s.label)) bad(`${side}.label`, "expected a label");
    if (!Array.isArray(s.recordTypes) || !s.recordTypes.every((r) => typeof r === "string"))
      bad(`${side}.recordTypes`, "expected a list of record types");
    if (s.lineage !== undefined)
      list(`${side}.lineage`, s.lineage).forEach((l, j) => {
        if (!obj(l) || !isIdent(l.table) || (l.where !== undefined && typeof l.where !== "string"))
          bad(`${side}.lineage[${j}]`, "expected { table, where? }: a canonical table and a filter on its rows (alias c)");
      });
  }
  const columnPair = (path: string, v: unknown, needLabel = true) => {
    if (!obj(v)) {
      bad(path, "expected { label, left, right }");
      return;
    }
    if (needLabel && !text(v.label)) bad(`${path}.label`, "expected a label");
    if (!isIdent(v.left) || !isIdent(v.right)) bad(path, "expected column names for left and right");
  };
  const passes = list("passes", t.passes);
  if (Array.isArray(t.passes) && passes.length === 0) bad("passes", "expected at least one pass");
  const ids = new Set<string>();
  passes.forEach((raw, i) => {
    const at = `passes[${i}]`;
    if (!obj(raw)) {
      bad(at, "expected a pass");
      return;
    }
    const p = raw as unknown as PassSpec;
    if (typeof p.id !== "string" || !/^[A-Za-z0-9_-]+$/.test(p.id) || ids.has(p.id))
      bad(`${at}.id`, `expected a unique pass id, found "${String(p.id)}"`);
    ids.add(String(p.id));
    if (!text(p.label)) bad(`${at}.label`, "expected a label");
    if (!CARDINALITIES.includes(p.cardinality)) bad(`${at}.cardinality`, `expected one of ${CARDINALITIES.join(", ")}`);
    const keys = list(`${at}.keys`, p.keys);
    if (Array.isArray(p.keys) && keys.length === 0) bad(`${at}.keys`, "a pass needs at least one blocking key");
    keys.forEach((k, j) => {
      columnPair(`${at}.keys[${j}]`, k);
      if (!obj(k)) return;
      for (const chain of [k.normalize, k.leftNormalize, k.rightNormalize]) {
        for (const n of chain === undefined ? [] : Array.isArray(chain) ? chain : [chain]) {
          if (!NORMALIZERS.includes(n as Normalizer)) bad(`${at}.keys[${j}]`, `unknown normaliser "${String(n)}"`);
        }
      }
    });
    if (p.amount !== undefined) {
      const a = p.amount as unknown;
      if (!obj(a)) bad(`${at}.amount`, "expected { absCents, pct?, direction? }");
      else {
        if (!Number.isInteger(a.absCents) || (a.absCents as number) < 0) bad(`${at}.amount.absCents`, "expected whole cents ≥ 0");
        if (a.pct !== undefined && (!finite(a.pct) || a.pct < 0 || a.pct > 100))
          bad(`${at}.amount.pct`, `expected a percentage from 0 to 100, found ${String(a.pct)}`);
        if (a.direction !== undefined && !["any", "rightLess", "rightMore"].includes(a.direction as string))
          bad(`${at}.amount.direction`, 'expected "any", "rightLess" or "rightMore"');
      }
    }
    if (p.date !== undefined) {
      const d = p.date as unknown;
      if (!obj(d)) bad(`${at}.date`, "expected { left, right, minDays, maxDays }");
      else {
        if (!isIdent(d.left) || !isIdent(d.right)) bad(`${at}.date`, "expected column names for left and right");
        if (!Number.isInteger(d.minDays) || !Number.isInteger(d.maxDays)) bad(`${at}.date`, "expected whole numbers of days");
        else if ((d.minDays as number) > (d.maxDays as number)) bad(`${at}.date`, "minDays must not exceed maxDays");
        if (d.scored !== undefined && typeof d.scored !== "boolean") bad(`${at}.date.scored`, "expected true or false");
      }
    }
    if (p.text !== undefined)
      list(`${at}.text`, p.text).forEach((r, j) => {
        columnPair(`${at}.text[${j}]`, r);
        if (!obj(r)) return;
        if (r.method !== "jaro-winkler" && r.method !== "token") bad(`${at}.text[${j}].method`, 'expected "jaro-winkler" or "token"');
        if (!finite(r.min) || r.min < 0 || r.min > 1) bad(`${at}.text[${j}].min`, "expected a similarity between 0 and 1");
      });
    if (p.prefer !== undefined) list(`${at}.prefer`, p.prefer).forEach((r, j) => columnPair(`${at}.prefer[${j}]`, r));
    if (p.maxGroup !== undefined && (!Number.isInteger(p.maxGroup) || p.maxGroup < 1 || p.maxGroup > MAX_GROUP)) {
      bad(`${at}.maxGroup`, `expected a whole number from 1 to ${MAX_GROUP}, found ${JSON.stringify(p.maxGroup)}`);
    }
    if (p.mode !== "auto" && p.mode !== "suggest") bad(`${at}.mode`, 'expected "auto" or "suggest"');
  });
  const COMPARE = [">", ">=", "<", "<="];
  const checkConditions = (path: string, conditions: unknown) => {
    list(path, conditions).forEach((c, j) => {
      const at = `${path}[${j}]`;
      if (!obj(c)) bad(at, "expected a condition");
      else if ("differs" in c) {
        if (
          !Array.isArray(c.differs) ||
          !c.differs.every((pair) => Array.isArray(pair) && pair.length === 2 && isIdent(pair[0]) && isIdent(pair[1]))
        )
          bad(at, "differs needs [left column, right column] pairs");
      } else if ("daysFrom" in c) {
        if (!isSideRef(c.daysFrom) || !isSideRef(c.to)) bad(at, "daysFrom and to must be left./right. columns");
        if (!COMPARE.includes(c.op as string)) bad(`${at}.op`, `expected one of ${COMPARE.join(" ")}`);
        if (!finite(c.value)) bad(`${at}.value`, "expected a number of days");
      } else {
        if (!isFieldRef(c.field))
          bad(`${at}.field`, `expected left.col, right.col or group.${GROUP_FIELDS.join("|")}, found "${String(c.field)}"`);
        // A pass named in a condition must exist: a renamed pass or a typo would silently never apply.
        if (c.field === "group.pass") {
          const named = c.op === "in" || c.op === "notIn" ? (Array.isArray(c.values) ? c.values : []) : [c.value];
          for (const id of named)
            if (typeof id === "string" && !ids.has(id)) bad(`${at}`, `names pass "${id}", and there is no pass with that id`);
        }
        if (c.op === "in" || c.op === "notIn") {
          if (!Array.isArray(c.values)) bad(`${at}.values`, "expected a list of values");
        } else if (c.op === "=" || c.op === "!=" || COMPARE.includes(c.op as string)) {
          if (typeof c.value !== "string" && !finite(c.value)) bad(`${at}.value`, "expected a text or a number");
        } else if (c.op !== "isNull" && c.op !== "notNull") bad(`${at}.op`, `unknown comparison "${String(c.op)}"`);
      }
    });
  };
  const ref = (path: string, v: unknown) => {
    if (v !== undefined && !(typeof v === "string" && (isFieldRef(v) || v.startsWith("const:"))))
      bad(path, `expected left.col, right.col, group.${GROUP_FIELDS.join("|")} or const:value`);
  };
  // Dates and amounts are read from a side's row: group.x and constants mean nothing there.
  const sideRef = (path: string, v: unknown) => {
    if (!isSideRef(v)) bad(path, "expected left.col or right.col");
  };
  list("exceptions", t.exceptions).forEach((raw, i) => {
    const at = `exceptions[${i}]`;
    if (!obj(raw)) {
      bad(at, "expected an exception rule");
      return;
    }
    const r = raw as unknown as ExceptionRule;
    if (!text(r.reason)) bad(`${at}.reason`, "expected a reason code");
    if (!["matched", "unmatched-left", "unmatched-right"].includes(r.on))
      bad(`${at}.on`, 'expected "matched", "unmatched-left" or "unmatched-right"');
    checkConditions(`${at}.when`, r.when);
    if (typeof r.message !== "string") bad(`${at}.message`, "expected a message");
    if (r.keepMatch !== undefined && typeof r.keepMatch !== "boolean") bad(`${at}.keepMatch`, "expected true or false");
    const amount = r.amount as unknown;
    if (amount !== undefined && !["left", "right", "difference", "absDifference"].includes(amount as string)) {
      if (obj(amount)) sideRef(`${at}.amount.column`, amount.column);
      else bad(`${at}.amount`, 'expected "left", "right", "difference", "absDifference" or { column }');
    }
    if (r.lagDays !== undefined) {
      if (!obj(r.lagDays)) bad(`${at}.lagDays`, "expected { from, to }");
      else {
        sideRef(`${at}.lagDays.from`, r.lagDays.from);
        sideRef(`${at}.lagDays.to`, r.lagDays.to);
      }
    }
    ref(`${at}.reasonCode`, r.reasonCode);
    ref(`${at}.expected`, r.expected);
    ref(`${at}.found`, r.found);
    if (r.correction !== undefined && typeof r.correction !== "string") bad(`${at}.correction`, "expected the id of a correction builder");
    if (r.keysFrom !== undefined) {
      const k = r.keysFrom as unknown;
      if (!obj(k) || (k.left !== undefined && !isIdent(k.left)) || (k.right !== undefined && !isIdent(k.right)))
        bad(`${at}.keysFrom`, "expected { left?, right? } column names");
    }
  });
  list("expected", t.expected).forEach((raw, i) => {
    const at = `expected[${i}]`;
    if (!obj(raw)) {
      bad(at, "expected an expected-item rule");
      return;
    }
    if (!text(raw.reason)) bad(`${at}.reason`, "expected a reason code");
    if (raw.on !== "unmatched-left" && raw.on !== "unmatched-right") bad(`${at}.on`, 'expected "unmatched-left" or "unmatched-right"');
    checkConditions(`${at}.when`, raw.when);
  });
  if (!text(t.unmatchedLeftReason)) bad("unmatchedLeftReason", "expected a reason code");
  if (!text(t.unmatchedRightReason)) bad("unmatchedRightReason", "expected a reason code");
  if (t.params !== undefined && (!obj(t.params) || !Object.values(t.params).every((v) => typeof v === "string")))
    bad("params", "expected names with text values");
  return issues;
}

/** Summary of a template for pickers and the reconciliation list. */
export interface TemplateInfo {
  id: string;
  name: string;
  description: string;
  version: number;
  /** The hash a run with these rules records: a last run with another hash ran under other rules. */
  ruleHash: string;
  /** The rules shipped with Tieout, or an edit a reviewer saved. */
  rulesOrigin: "built-in" | "edited";
  leftLabel: string;
  rightLabel: string;
  passes: { id: string; label: string; cardinality: Cardinality; mode: "auto" | "suggest" }[];
  exceptionReasons: string[];
  expectedReasons: string[];
}

// Exact, in whole cents: "$0.05", "-$1.50".
const dollars = (cents: number) => `${cents < 0 ? "-" : ""}$${centsToDecimal(Math.abs(cents))}`;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const modeWords = (mode: PassSpec["mode"]) => (mode === "auto" ? "auto-confirmed" : "suggested");

function describeAmount(a: AmountTolerance | undefined): string {
  if (!a) return "not compared";
  const parts = [dollars(a.absCents)];
  if (a.pct !== undefined) parts.push(`or ${a.pct}%`);
  if (a.direction && a.direction !== "any") parts.push(a.direction === "rightLess" ? "(right side less only)" : "(right side more only)");
  return parts.join(" ");
}

function describeWindow(d: DateWindow | undefined): string {
  return d ? `${d.left} to ${d.right}, ${d.minDays} to ${d.maxDays} days` : "none";
}

/** What one rule list (exception or expected rules) gained, lost or changed, by reason. */
function describeRuleList(what: string, before: { reason: string; on?: string }[], after: { reason: string; on?: string }[]): string[] {
  if (same(before, after)) return [];
  const key = (r: { reason: string; on?: string }) => `${r.reason}\u0001${r.on ?? ""}`;
  const b = new Map(before.map((r) => [key(r), r]));
  const a = new Map(after.map((r) => [key(r), r]));
  const lines: string[] = [];
  for (const [k, r] of b) if (!a.has(k)) lines.push(`${what} "${r.reason}" removed`);
  for (const [k, r] of a) {
    const old = b.get(k);
    if (!old) lines.push(`${what} "${r.reason}" added`);
    else if (!same(old, r)) lines.push(`${what} "${r.reason}" changed`);
  }
  const order = (list: { reason: string; on?: string }[]) => list.map(key).filter((k) => a.has(k) && b.has(k));
  if (!same(order(before), order(after))) lines.push(`${what}s reordered (the first that applies wins)`);
  if (lines.length === 0) lines.push(`${what}s changed`);
  return lines;
}

/**
 * What changed between two versions of a rule set, in words an analyst and an auditor read:
 * "pass exact: amount tolerance $0.00 → $0.05". For the rule editor's preview and the audit trail.
 */
export function describeRuleChanges(before: ReconTemplate, after: ReconTemplate): string[] {
  const lines: string[] = [];
  if (before.name !== after.name) lines.push(`name "${before.name}" → "${after.name}"`);
  if (before.description !== after.description) lines.push("description changed");
  if (before.runOutDays !== after.runOutDays) lines.push(`run-out days ${before.runOutDays} → ${after.runOutDays}`);
  for (const side of ["left", "right"] as const) {
    if (before[side]?.label !== after[side]?.label) lines.push(`${side} side label "${before[side]?.label}" → "${after[side]?.label}"`);
    if (before[side]?.sql !== after[side]?.sql) lines.push(`${side} side query changed`);
    if (!same(before[side]?.recordTypes, after[side]?.recordTypes)) lines.push(`${side} side record types changed`);
  }
  const oldPasses = new Map(before.passes.map((p) => [p.id, p]));
  const newPasses = new Map(after.passes.map((p) => [p.id, p]));
  for (const p of before.passes) if (!newPasses.has(p.id)) lines.push(`pass ${p.id} removed`);
  for (const p of after.passes) {
    const o = oldPasses.get(p.id);
    if (!o) {
      lines.push(`pass ${p.id} added ("${p.label}", ${p.cardinality}, ${p.mode})`);
      continue;
    }
    const at = `pass ${p.id}`;
    if (o.label !== p.label) lines.push(`${at}: label "${o.label}" → "${p.label}"`);
    if (o.mode !== p.mode) lines.push(`${at}: ${modeWords(o.mode)} → ${modeWords(p.mode)}`);
    if (o.cardinality !== p.cardinality) lines.push(`${at}: cardinality ${o.cardinality} → ${p.cardinality}`);
    if (o.maxGroup !== p.maxGroup) lines.push(`${at}: largest group ${o.maxGroup ?? "default"} → ${p.maxGroup ?? "default"}`);
    if (!same(o.amount, p.amount)) lines.push(`${at}: amount tolerance ${describeAmount(o.amount)} → ${describeAmount(p.amount)}`);
    if (!same(o.date, p.date)) {
      const days = (d: DateWindow) => `${d.minDays} to ${d.maxDays} days`;
      // The same columns: only the days, which is what a reviewer tunes.
      if (o.date && p.date && same({ ...o.date, minDays: 0, maxDays: 0 }, { ...p.date, minDays: 0, maxDays: 0 }))
        lines.push(`${at}: date window ${days(o.date)} → ${days(p.date)}`);
      else lines.push(`${at}: date window ${describeWindow(o.date)} → ${describeWindow(p.date)}`);
    }
    if (!same(o.keys, p.keys)) {
      // Labels can stay while the columns or normalisers under them change: name those too.
      const chain = (name: string, c: NormalizerChain | undefined) => (c === undefined ? [] : [`${name}${[c].flat().join("+")}`]);
      const key = (k: KeySpec) => {
        const normalizers = [...chain("", k.normalize), ...chain("left ", k.leftNormalize), ...chain("right ", k.rightNormalize)];
        return `${k.label} (${k.left} = ${k.right}${normalizers.map((n) => `, ${n}`).join("")})`;
      };
      lines.push(`${at}: blocking keys ${o.keys.map(key).join(", ")} → ${p.keys.map(key).join(", ")}`);
    }
    if (!same(o.prefer, p.prefer)) lines.push(`${at}: tie-break keys changed`);
    const oldText = new Map((o.text ?? []).map((t) => [t.label, t]));
    const newText = new Map((p.text ?? []).map((t) => [t.label, t]));
    for (const [label, t] of newText) {
      const ot = oldText.get(label);
      if (!ot) lines.push(`${at}: text similarity on ${label} added (${t.method}, at least ${t.min})`);
      else if (ot.min !== t.min && same({ ...ot, min: 0 }, { ...t, min: 0 }))
        lines.push(`${at}: ${label} similarity at least ${ot.min} → ${t.min}`);
      else if (!same(ot, t)) lines.push(`${at}: text similarity on ${label} changed`);
    }
    for (const label of oldText.keys()) if (!newText.has(label)) lines.push(`${at}: text similarity on ${label} removed`);
  }
  const kept = (list: PassSpec[], other: Map<string, PassSpec>) => list.map((p) => p.id).filter((id) => other.has(id));
  const oldOrder = kept(before.passes, newPasses);
  const newOrder = kept(after.passes, oldPasses);
  if (!same(oldOrder, newOrder)) lines.push(`pass order ${oldOrder.join(", ")} → ${newOrder.join(", ")}`);
  lines.push(...describeRuleList("exception rule", before.exceptions, after.exceptions));
  lines.push(...describeRuleList("expected rule", before.expected, after.expected));
  if (before.unmatchedLeftReason !== after.unmatchedLeftReason)
    lines.push(`unmatched left reason "${before.unmatchedLeftReason}" → "${after.unmatchedLeftReason}"`);
  if (before.unmatchedRightReason !== after.unmatchedRightReason)
    lines.push(`unmatched right reason "${before.unmatchedRightReason}" → "${after.unmatchedRightReason}"`);
  for (const k of new Set([...Object.keys(before.params ?? {}), ...Object.keys(after.params ?? {})])) {
    const o = before.params?.[k];
    const n = after.params?.[k];
    if (o !== n) lines.push(`parameter ${k}: ${o ?? "(none)"} → ${n ?? "(none)"}`);
  }
  if (lines.length === 0 && !same({ ...before, version: 0 }, { ...after, version: 0 })) lines.push("definition changed");
  return lines;
}

/** A pass's criteria in words, one entry per criterion: for the CLI, the workpaper's Rules sheet. */
export function passCriteria(p: PassSpec): {
  results: string;
  cardinality: string;
  keys: string;
  amount: string;
  date: string;
  text: string;
  prefer: string;
} {
  return {
    results: modeWords(p.mode),
    cardinality: `${p.cardinality}${p.cardinality !== "1:1" && p.maxGroup ? `, groups up to ${p.maxGroup}` : ""}`,
    keys: p.keys.map((k) => `${k.label} (${k.left} = ${k.right})`).join(" + "),
    amount: describeAmount(p.amount),
    date: p.date ? `${p.date.minDays} to ${p.date.maxDays} days (${p.date.left} → ${p.date.right})` : "none",
    text: (p.text ?? []).map((t) => `${t.label} ${t.method} ≥ ${t.min}`).join("; ") || "none",
    prefer: (p.prefer ?? []).map((k) => k.label).join(", ") || "none",
  };
}

/** A rule condition in words: "days from left.service_date to right.posting_date > 3". */
export function describeCondition(c: Condition): string {
  if ("differs" in c) return `differs: ${c.differs.map(([l, r]) => `left.${l} ≠ right.${r}`).join(" or ")}`;
  if ("daysFrom" in c) return `days from ${c.daysFrom} to ${c.to} ${c.op} ${c.value}`;
  if (c.op === "in" || c.op === "notIn") return `${c.field} ${c.op === "in" ? "is one of" : "is none of"} ${c.values.join(", ")}`;
  if (c.op === "isNull" || c.op === "notNull") return `${c.field} ${c.op === "isNull" ? "is empty" : "is not empty"}`;
  return `${c.field} ${c.op} ${"value" in c ? c.value : ""}`;
}
