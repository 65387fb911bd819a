import type { Condition, ExceptionRule, ExpectedRule, FieldRef, ReconTemplate } from "../../../src-shared/reconRules";
import type { SideRow } from "../match/matcher";
import { daysBetween, formatCents } from "../match/normalize";

/** What rules see of a group, or of one unmatched row (the other side empty). */
export interface RuleContext {
  left: SideRow[];
  right: SideRow[];
  passId: string | null;
}

export interface RaisedException {
  reason: string;
  rule: ExceptionRule | null;
  leftKeys: string[];
  rightKeys: string[];
  amountCents: number | null;
  lagDays: number | null;
  reasonCode: string | null;
  expected: string | null;
  found: string | null;
  message: string;
  keepMatch: boolean;
  /** For `differs`: the first column pair that disagreed, for corrections. */
  differingColumn: string | null;
  leftRows: SideRow[];
  rightRows: SideRow[];
}

const sum = (rows: SideRow[]) => rows.reduce((s, r) => s + (r.amount ?? 0), 0);
const blank = (v: unknown) => (v === null || v === undefined ? "" : String(v));

function compare(op: string, a: unknown, b: unknown): boolean {
  if (a === null || a === undefined) return false;
  if (typeof b === "number") {
    const x = Number(a);
    if (Number.isNaN(x)) return false;
    switch (op) {
      case "=":
        return x === b;
      case "!=":
        return x !== b;
      case ">":
        return x > b;
      case ">=":
        return x >= b;
      case "<":
        return x < b;
      case "<=":
        return x <= b;
    }
    return false;
  }
  const s = String(a);
  switch (op) {
    case "=":
      return s === b;
    case "!=":
      return s !== b;
    case ">":
      return s > String(b);
    case ">=":
      return s >= String(b);
    case "<":
      return s < String(b);
    case "<=":
      return s <= String(b);
  }
  return false;
}

interface Evaluation {
  ok: boolean;
  /** Rows of each side that made a side condition true (null: no side condition). */
  leftHits: Set<SideRow> | null;
  rightHits: Set<SideRow> | null;
  differingColumn: string | null;
  differs: string | null;
  lag: number | null;
}

function groupField(ctx: RuleContext, name: string): unknown {
  const l = sum(ctx.left);
  const r = sum(ctx.right);
  switch (name) {
    case "pass":
      return ctx.passId;
    case "amountDiffCents":
      return l - r;
    case "absAmountDiffCents":
      return Math.abs(l - r);
    case "leftCents":
      return l;
    case "rightCents":
      return r;
    case "leftRows":
      return ctx.left.length;
    case "rightRows":
      return ctx.right.length;
  }
  return null;
}

function evaluate(conditions: Condition[], ctx: RuleContext): Evaluation {
  const ev: Evaluation = { ok: true, leftHits: null, rightHits: null, differingColumn: null, differs: null, lag: null };
  const narrow = (side: "left" | "right", hits: SideRow[]) => {
    const key = side === "left" ? "leftHits" : "rightHits";
    const prev = ev[key];
    ev[key] = new Set(prev ? hits.filter((h) => prev.has(h)) : hits);
  };
  for (const c of conditions) {
    if ("differs" in c) {
      let found = false;
      for (const l of ctx.left) {
        for (const r of ctx.right) {
          for (const [lc, rc] of c.differs) {
            if (blank(l.values[lc]) !== blank(r.values[rc])) {
              found = true;
              // Every column that differs is named (an analyst fixes them all); the first drives the correction.
              const said = `${lc.replace(/_/g, " ")} is ${blank(l.values[lc]) || "empty"} on the left but ${blank(r.values[rc]) || "empty"} on the right`;
              if (!ev.differingColumn) {
                ev.differingColumn = lc;
                ev.differs = said;
              } else if (!ev.differs!.includes(said)) ev.differs = `${ev.differs}; ${said}`;
            }
          }
        }
      }
      if (!found) return { ...ev, ok: false };
      continue;
    }
    if ("daysFrom" in c) {
      const [fs, fc] = c.daysFrom.split(".") as [string, string];
      const [ts, tc] = c.to.split(".") as [string, string];
      let best: number | null = null;
      const froms = fs === "left" ? ctx.left : ctx.right;
      const tos = ts === "left" ? ctx.left : ctx.right;
      for (const a of froms)
        for (const b of tos) {
          const d = daysBetween(a.values[fc], b.values[tc]);
          if (d !== null && (best === null || d > best)) best = d;
        }
      if (best === null || !compare(c.op, best, c.value)) return { ...ev, ok: false };
      ev.lag = best;
      continue;
    }
    const [scope, name] = c.field.split(".") as [string, string];
    const test = (v: unknown): boolean => {
      switch (c.op) {
        case "isNull":
          return v === null || v === undefined || v === "";
        case "notNull":
          return !(v === null || v === undefined || v === "");
        case "in":
          return c.values.some((x) => compare("=", v, x));
        case "notIn":
          return !c.values.some((x) => compare("=", v, x));
        default:
          return compare(c.op, v, c.value);
      }
    };
    if (scope === "group") {
      if (!test(groupField(ctx, name))) return { ...ev, ok: false };
      continue;
    }
    const rows = scope === "left" ? ctx.left : ctx.right;
    const hits = rows.filter((r) => test(r.values[name]));
    if (hits.length === 0) return { ...ev, ok: false };
    narrow(scope as "left" | "right", hits);
    if ((scope === "left" ? ev.leftHits : ev.rightHits)!.size === 0) return { ...ev, ok: false };
  }
  return ev;
}

function resolveField(ref: FieldRef | undefined, ctx: RuleContext, leftRows: SideRow[], rightRows: SideRow[]): string | null {
  if (!ref) return null;
  if (ref.startsWith("const:")) return ref.slice(6);
  const [scope, name] = ref.split(".") as [string, string];
  if (scope === "group") {
    const v = groupField(ctx, name);
    return v === null || v === undefined ? null : String(v);
  }
  const row = (scope === "left" ? leftRows : rightRows)[0];
  const v = row?.values[name];
  return v === null || v === undefined ? null : String(v);
}

function fill(template: string, vars: Record<string, string>, leftRows: SideRow[], rightRows: SideRow[]): string {
  return template.replace(/\{([a-zA-Z_.]+)\}/g, (whole, name: string) => {
    if (name in vars) return vars[name]!;
    const [scope, col] = name.split(".") as [string, string | undefined];
    if (!col) return whole;
    const rows = scope === "left" ? leftRows : scope === "right" ? rightRows : null;
    if (!rows) return whole;
    const v = rows[0]?.values[col];
    if (v === null || v === undefined) return "—";
    return col.endsWith("_cents") && typeof v === "number" ? formatCents(v) : String(v);
  });
}

function raise(rule: ExceptionRule, ev: Evaluation, ctx: RuleContext): RaisedException {
  const leftRows = ev.leftHits ? ctx.left.filter((r) => ev.leftHits!.has(r)) : ctx.left;
  const rightRows = ev.rightHits ? ctx.right.filter((r) => ev.rightHits!.has(r)) : ctx.right;
  let amount: number | null = null;
  const a = rule.amount;
  if (a === "left") amount = sum(leftRows);
  else if (a === "right") amount = sum(rightRows);
  else if (a === "difference") amount = sum(ctx.left) - sum(ctx.right);
  else if (a === "absDifference") amount = Math.abs(sum(ctx.left) - sum(ctx.right));
  else if (a && typeof a === "object") {
    const [scope, col] = a.column.split(".") as [string, string];
    const rows = scope === "left" ? leftRows : rightRows;
    amount = rows.reduce((s, r) => s + (Number(r.values[col]) || 0), 0);
  }
  let lag: number | null = ev.lag;
  if (rule.lagDays) {
    const [fs, fc] = rule.lagDays.from.split(".") as [string, string];
    const [ts, tc] = rule.lagDays.to.split(".") as [string, string];
    const from = (fs === "left" ? leftRows : rightRows)[0];
    const to = (ts === "left" ? leftRows : rightRows)[0];
    lag = from && to ? daysBetween(from.values[fc], to.values[tc]) : null;
  }
  const vars: Record<string, string> = {
    amount: amount === null ? "—" : formatCents(amount),
    lagDays: lag === null ? "—" : String(lag),
    differs: ev.differs ?? "",
    keys: [...leftRows, ...rightRows].map((r) => r.key).join(", "),
  };
  return {
    reason: rule.reason,
    rule,
    leftKeys: leftRows.map((r) => r.key),
    rightKeys: rightRows.map((r) => r.key),
    amountCents: amount,
    lagDays: lag,
    reasonCode: resolveField(rule.reasonCode, ctx, leftRows, rightRows),
    expected: resolveField(rule.expected, ctx, leftRows, rightRows),
    found: resolveField(rule.found, ctx, leftRows, rightRows),
    message: fill(rule.message, vars, leftRows, rightRows),
    keepMatch: rule.keepMatch ?? true,
    differingColumn: ev.differingColumn,
    leftRows,
    rightRows,
  };
}

/** The first exception rule for matched groups that applies to this group, if any. */
export function classifyGroup(template: ReconTemplate, ctx: RuleContext): RaisedException | null {
  for (const rule of template.exceptions) {
    if (rule.on !== "matched") continue;
    const ev = evaluate(rule.when, ctx);
    if (ev.ok) return raise(rule, ev, ctx);
  }
  return null;
}

export type UnmatchedClass = { kind: "exception"; exception: RaisedException } | { kind: "expected"; reason: string; rule: ExpectedRule };

/** An unmatched row is an exception (by rule or by the template's default reason) or expected. */
export function classifyUnmatched(template: ReconTemplate, side: "left" | "right", row: SideRow): UnmatchedClass {
  const ctx: RuleContext = side === "left" ? { left: [row], right: [], passId: null } : { left: [], right: [row], passId: null };
  const on = side === "left" ? "unmatched-left" : "unmatched-right";
  for (const rule of template.exceptions) {
    if (rule.on !== on) continue;
    const ev = evaluate(rule.when, ctx);
    if (ev.ok) return { kind: "exception", exception: raise(rule, ev, ctx) };
  }
  for (const rule of template.expected) {
    if (rule.on !== on) continue;
    if (evaluate(rule.when, ctx).ok) return { kind: "expected", reason: rule.reason, rule };
  }
  const reason = side === "left" ? template.unmatchedLeftReason : template.unmatchedRightReason;
  const fallback: ExceptionRule = {
    reason,
    on,
    when: [],
    amount: side,
    message: `${side === "left" ? template.left.label : template.right.label} row {keys} has no partner (${reason})`,
  };
  return { kind: "exception", exception: raise(fallback, evaluate([], ctx), ctx) };
}

/**
 * How a matched group's difference (left − right) shows in the balance when it raised a break:
 * the break's own amount under its reason, the rest as the match's variance. A claim paid
 * $60.00 on $100.00 with $30.00 contractual and $10.00 short shows $10.00 of underpayment and
 * $30.00 of variance, not $40.00 of underpayment beside an exception for $10.00. A break
 * amount of another sign, or as large as the difference, takes the whole of it.
 */
export function splitAtBreak(difference: number, breakAmount: number | null): { atBreak: number; variance: number } {
  if (
    breakAmount === null ||
    breakAmount === 0 ||
    Math.sign(breakAmount) !== Math.sign(difference) ||
    Math.abs(breakAmount) >= Math.abs(difference)
  )
    return { atBreak: difference, variance: 0 };
  return { atBreak: breakAmount, variance: difference - breakAmount };
}
