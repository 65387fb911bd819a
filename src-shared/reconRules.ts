/**
 * Reconciliation rules as data (DESIGN.md "Rules are data"). A template declares its two
 * sides, an ordered list of matching passes, and the rules that turn a match or an
 * unmatched record into an exception or an expected (legitimate) unmatched item. Rule
 * sets carry a version; every run records the version and a hash of the definition.
 *
 * Pure TypeScript: no Node, no DOM. The engine validates a template with
 * {@link validateTemplate} when it loads it and refuses one that does not validate.
 */

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
const NORMALIZERS: Normalizer[] = ["none", "trim", "upper", "digits", "stripLeadingZeros", "trnTraces", "words"];

function isIdent(s: unknown): s is string {
  return typeof s === "string" && /^[a-z_][a-z0-9_]*$/.test(s);
}

function isFieldRef(s: unknown): boolean {
  return typeof s === "string" && /^(left|right|group)\.[A-Za-z_][A-Za-z0-9_]*$/.test(s);
}

/**
 * Structural checks of a template. Column names are checked again by the engine against
 * the side queries' actual result columns when it prepares them.
 */
export function validateTemplate(t: ReconTemplate): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const bad = (path: string, message: string) => issues.push({ path, message });
  if (!/^[a-z][a-z0-9-]*$/.test(t.id ?? "")) bad("id", "expected a lower-case id with dashes");
  if (!Number.isInteger(t.version) || t.version < 1) bad("version", "expected a positive whole number");
  if (!Number.isInteger(t.runOutDays) || t.runOutDays < 0) bad("runOutDays", "expected a whole number of days ≥ 0");
  for (const side of ["left", "right"] as const) {
    const s = t[side];
    if (!s || typeof s.sql !== "string" || !/^\s*(WITH|SELECT)\b/i.test(s.sql)) bad(`${side}.sql`, "expected a SELECT statement");
  }
  if (!Array.isArray(t.passes) || t.passes.length === 0) bad("passes", "expected at least one pass");
  const ids = new Set<string>();
  (t.passes ?? []).forEach((p, i) => {
    const at = `passes[${i}]`;
    if (!p.id || ids.has(p.id)) bad(`${at}.id`, `expected a unique pass id, found "${p.id}"`);
    ids.add(p.id);
    if (!CARDINALITIES.includes(p.cardinality)) bad(`${at}.cardinality`, `expected one of ${CARDINALITIES.join(", ")}`);
    if (!Array.isArray(p.keys) || p.keys.length === 0) bad(`${at}.keys`, "a pass needs at least one blocking key");
    p.keys?.forEach((k, j) => {
      if (!isIdent(k.left) || !isIdent(k.right)) bad(`${at}.keys[${j}]`, "expected column names");
      for (const chain of [k.normalize, k.leftNormalize, k.rightNormalize]) {
        for (const n of chain === undefined ? [] : Array.isArray(chain) ? chain : [chain]) {
          if (!NORMALIZERS.includes(n)) bad(`${at}.keys[${j}]`, `unknown normaliser "${String(n)}"`);
        }
      }
    });
    if (p.amount && (!Number.isInteger(p.amount.absCents) || p.amount.absCents < 0))
      bad(`${at}.amount.absCents`, "expected whole cents ≥ 0");
    if (p.date && !(p.date.minDays <= p.date.maxDays)) bad(`${at}.date`, "minDays must not exceed maxDays");
    p.text?.forEach((r, j) => {
      if (!(r.min >= 0 && r.min <= 1)) bad(`${at}.text[${j}].min`, "expected a similarity between 0 and 1");
    });
    if (p.cardinality !== "1:1" && p.maxGroup !== undefined && (!Number.isInteger(p.maxGroup) || p.maxGroup < 1)) {
      bad(`${at}.maxGroup`, "expected a whole number ≥ 1");
    }
    if (p.mode !== "auto" && p.mode !== "suggest") bad(`${at}.mode`, 'expected "auto" or "suggest"');
  });
  const checkConditions = (path: string, conditions: Condition[]) => {
    conditions.forEach((c, j) => {
      if ("differs" in c) {
        if (!c.differs.every(([l, r]) => isIdent(l) && isIdent(r))) bad(`${path}[${j}]`, "differs needs column pairs");
      } else if ("daysFrom" in c) {
        if (!isFieldRef(c.daysFrom) || !isFieldRef(c.to)) bad(`${path}[${j}]`, "daysFrom and to must be left./right. columns");
      } else if (!isFieldRef(c.field)) {
        bad(`${path}[${j}].field`, `expected left.col, right.col or group.x, found "${String(c.field)}"`);
      }
    });
  };
  (t.exceptions ?? []).forEach((r, i) => {
    if (!r.reason) bad(`exceptions[${i}].reason`, "expected a reason code");
    checkConditions(`exceptions[${i}].when`, r.when ?? []);
  });
  (t.expected ?? []).forEach((r, i) => {
    if (!r.reason) bad(`expected[${i}].reason`, "expected a reason code");
    checkConditions(`expected[${i}].when`, r.when ?? []);
  });
  return issues;
}

/** Summary of a template for pickers and the reconciliation list. */
export interface TemplateInfo {
  id: string;
  name: string;
  description: string;
  version: number;
  leftLabel: string;
  rightLabel: string;
  passes: { id: string; label: string; cardinality: Cardinality; mode: "auto" | "suggest" }[];
  exceptionReasons: string[];
  expectedReasons: string[];
}
