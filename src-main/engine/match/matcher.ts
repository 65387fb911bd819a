import type { AmountTolerance, PassSpec, TextRule } from "../../../src-shared/reconRules";
import { dayNumber, formatCents, jaroWinkler, normalizeKey, normalizeWords, tokenSimilarity } from "./normalize";

/**
 * Bumped whenever the matcher's semantics change (scoring, tie-breaks), so a run's rule hash
 * changes with it: the same rules, engine and inputs reproduce the same result.
 */
export const MATCHER_VERSION = 2;

/** One record of a side as the matcher sees it. Rows are compared by index into their side's array. */
export interface SideRow {
  /** Natural key, unique on its side. */
  key: string;
  amount: number | null;
  values: Record<string, unknown>;
}

export interface MatchedGroup {
  passId: string;
  mode: "auto" | "suggest";
  left: number[];
  right: number[];
  /** 1 for an exact match; lower for tolerances used, dates apart, weaker text similarity. */
  score: number;
  /**
   * What the pair checks found (dates apart, similarities, tie-breakers), for `explainGroup`. The
   * words are written only for a group that is saved: a re-run finds most groups again under the
   * ids they have, and a million explanations held at once were a gigabyte of a run's heap.
   */
  checks: PairCheck[];
}

export interface MatchOptions {
  isCancelled?: () => boolean;
  onPass?: (passId: string, index: number, groups: number) => void;
  /** Largest candidate list searched for a bounded sum; beyond it only "all candidates" is tried. */
  maxSubsetCandidates?: number;
}

export class MatchCancelled extends Error {
  constructor() {
    super("matching cancelled");
  }
}

const SEP = "\u0001";

/** Key strings of a row for a pass (several when a key is multi-valued, e.g. traces in addenda). */
function rowKeys(row: SideRow, pass: PassSpec, side: "left" | "right"): string[] {
  let out: string[] = [""];
  for (let i = 0; i < pass.keys.length; i++) {
    const k = pass.keys[i]!;
    const chain = (side === "left" ? k.leftNormalize : k.rightNormalize) ?? k.normalize ?? "none";
    const values = normalizeKey(row.values[side === "left" ? k.left : k.right], chain);
    if (values.length === 0) return [];
    if (values.length === 1 && out.length === 1) {
      out[0] = i === 0 ? values[0]! : out[0] + SEP + values[0]!;
    } else {
      const next: string[] = [];
      for (const prefix of out) for (const v of values) next.push(i === 0 ? v : prefix + SEP + v);
      out = next;
    }
  }
  return out.length > 1 ? [...new Set(out)] : out;
}

/** A percent tolerance in millionths (0.57% → 5,700), so the cents it allows are worked out in integers. */
const PCT_SCALE = 1_000_000;

/** How many candidate pairs a row of a 1:1 pass keeps, best first. */
const MAX_PAIRS_PER_ROW = 64;

function toleranceCents(tol: AmountTolerance, base: number): number {
  if (!tol.pct) return tol.absCents;
  // 0.57% of $100.00 is 57 cents; in floating point 10000 × 0.57 / 100 is 56.99… and would floor to 56.
  const product = Math.abs(base) * Math.round((tol.pct * PCT_SCALE) / 100);
  const cents = Number.isSafeInteger(product)
    ? (product - (product % PCT_SCALE)) / PCT_SCALE
    : Number((BigInt(Math.abs(base)) * BigInt(Math.round((tol.pct * PCT_SCALE) / 100))) / BigInt(PCT_SCALE));
  return Math.max(tol.absCents, cents);
}

/** Difference right − left within the tolerance (and direction) of a pass. */
function amountOk(tol: AmountTolerance, leftSum: number, rightSum: number): boolean {
  const diff = rightSum - leftSum;
  if (tol.direction === "rightLess" && diff > 0) return false;
  if (tol.direction === "rightMore" && diff < 0) return false;
  return Math.abs(diff) <= toleranceCents(tol, leftSum);
}

function similarity(rule: TextRule, a: unknown, b: unknown): number {
  const x = a === null || a === undefined ? "" : String(a);
  const y = b === null || b === undefined ? "" : String(b);
  return rule.method === "token" ? tokenSimilarity(x, y) : jaroWinkler(normalizeWords(x), normalizeWords(y));
}

export interface PairCheck {
  ok: boolean;
  days: number | null;
  sims: number[];
  /** Soft keys that agree. */
  preferred: number;
}

/** Date window and text rules between one left and one right row. */
function pairCheck(pass: PassSpec, l: SideRow, r: SideRow): PairCheck {
  // A row without an amount (one that did not parse) never passes an amount check as $0.00.
  if (pass.amount && (l.amount === null || r.amount === null)) return { ok: false, days: null, sims: [], preferred: 0 };
  let days: number | null = null;
  if (pass.date) {
    const a = dayNumber(l.values[pass.date.left]);
    const b = dayNumber(r.values[pass.date.right]);
    if (a === null || b === null) return { ok: false, days: null, sims: [], preferred: 0 };
    days = b - a;
    if (days < pass.date.minDays || days > pass.date.maxDays) return { ok: false, days, sims: [], preferred: 0 };
  }
  const sims: number[] = [];
  for (const rule of pass.text ?? []) {
    const s = similarity(rule, l.values[rule.left], r.values[rule.right]);
    if (s < rule.min) return { ok: false, days, sims, preferred: 0 };
    sims.push(s);
  }
  // A soft key agrees when both sides carry the same value or both carry none: an issue
  // without a lot number belongs with the usage without one, not with the lot-tracked twin.
  let preferred = 0;
  for (const p of pass.prefer ?? []) {
    const a = l.values[p.left];
    const b = r.values[p.right];
    const blankA = a === null || a === undefined || a === "";
    const blankB = b === null || b === undefined || b === "";
    if (blankA ? blankB : !blankB && String(a) === String(b)) preferred++;
  }
  return { ok: true, days, sims, preferred };
}

function describeKeys(pass: PassSpec, l: SideRow, r: SideRow | null): string {
  return pass.keys
    .map((k) => {
      const lv = l.values[k.left];
      const rv = r ? r.values[k.right] : lv;
      const chain = [k.normalize, k.leftNormalize, k.rightNormalize].flat().filter((n) => n && n !== "none");
      if (r && chain.length > 0 && String(lv) !== String(rv)) {
        if (chain.includes("trnTraces")) {
          const found = normalizeKey(rv, k.rightNormalize ?? k.normalize ?? "none");
          const shown = chain.includes("stripLeadingZeros") ? ` (as ${found.join(", ")}, leading zeros dropped)` : "";
          return `${k.label} ${String(lv)} in the deposit addenda${shown}`;
        }
        return `${k.label} ${String(lv)} ≈ ${String(rv)} (${chain.join(", ")})`;
      }
      return `${k.label} ${String(lv)} equal`;
    })
    .join(", ");
}

function describeAmount(tol: AmountTolerance | undefined, leftSum: number, rightSum: number, counts: [number, number]): string {
  if (!tol) return "";
  const diff = rightSum - leftSum;
  const many = counts[0] > 1 || counts[1] > 1;
  const what = many
    ? `${counts[0]} left totalling ${formatCents(leftSum)} against ${counts[1]} right totalling ${formatCents(rightSum)}`
    : "";
  if (diff === 0) return many ? `, ${what}, amounts equal` : `, amounts equal (${formatCents(leftSum)})`;
  return `${many ? `, ${what}` : ""}, amount differs by ${formatCents(Math.abs(diff))} within ${formatCents(toleranceCents(tol, leftSum))}`;
}

/** The largest gap in days, by a loop: an N:M group has one per pair, too many to spread as arguments. */
function widestGap(days: number[]): number {
  let max = 0;
  for (const d of days) if (Math.abs(d) > max) max = Math.abs(d);
  return max;
}

function describeDays(days: number[]): string {
  if (days.length === 0) return "";
  const max = widestGap(days);
  if (max === 0) return ", same date";
  return days.length === 1 ? `, dates ${max} day${max === 1 ? "" : "s"} apart` : `, dates up to ${max} day${max === 1 ? "" : "s"} apart`;
}

function describeText(pass: PassSpec, sims: number[]): string {
  return (pass.text ?? []).map((rule, i) => `, ${rule.label} ${(sims[i] ?? 0).toFixed(2)} similar (${rule.method} ≥ ${rule.min})`).join("");
}

function describePrefer(pass: PassSpec, preferred: number): string {
  if (!pass.prefer?.length || preferred === 0) return "";
  return `, ${preferred} of ${pass.prefer.length} tie-breakers agree (${pass.prefer.map((p) => p.label).join(", ")})`;
}

function scoreOf(tol: AmountTolerance | undefined, leftSum: number, rightSum: number, days: number[], sims: number[]): number {
  let score = 1;
  if (tol) {
    const t = Math.max(1, toleranceCents(tol, leftSum));
    score -= 0.2 * Math.min(1, Math.abs(rightSum - leftSum) / t);
  }
  if (days.length > 0) score -= Math.min(0.3, 0.03 * widestGap(days));
  for (const s of sims) score -= 0.5 * (1 - s);
  return Math.max(0, Math.round(score * 1000) / 1000);
}

/**
 * Finds a subset of `candidates` (indexes into `amounts`) of at most `maxSize` whose sum
 * passes the tolerance. All candidates are tried first (the common bundled case), then each
 * one alone (all of them: a single exact partner is never missed for coming late), then
 * sizes 2..maxSize among the first `maxCandidates`, with a work bound so one huge block
 * cannot stall a run.
 */
function boundedSubset(
  candidates: number[],
  amountOf: (i: number) => number,
  accept: (sum: number) => boolean,
  maxSize: number,
  maxCandidates: number,
): number[] | null {
  if (candidates.length <= maxSize) {
    const sum = candidates.reduce((s, i) => s + amountOf(i), 0);
    if (accept(sum)) return candidates;
  }
  for (const i of candidates) if (accept(amountOf(i))) return [i];
  const pool = candidates.slice(0, maxCandidates);
  let work = 0;
  const chosen: number[] = [];
  const search = (start: number, size: number, sum: number): number[] | null => {
    if (chosen.length === size) return accept(sum) ? [...chosen] : null;
    for (let i = start; i < pool.length; i++) {
      if (++work > 200_000) return null;
      chosen.push(pool[i]!);
      const found = search(i + 1, size, sum + amountOf(pool[i]!));
      chosen.pop();
      if (found) return found;
    }
    return null;
  };
  for (let size = 2; size <= Math.min(maxSize, pool.length); size++) {
    if (size === candidates.length && candidates.length <= maxSize) continue; // tried above
    const found = search(0, size, 0);
    if (found) return found;
  }
  return null;
}

/**
 * Runs the passes in order over the rows not yet taken. Blocking on the pass keys keeps the
 * work near-linear: a row is only compared with rows that share its key. Rows are visited
 * in their side's order (the side query sorts by natural key), so results are deterministic.
 * `takenLeft`/`takenRight` are updated in place.
 */
export function runPasses(
  left: SideRow[],
  right: SideRow[],
  passes: PassSpec[],
  takenLeft: Uint8Array,
  takenRight: Uint8Array,
  options: MatchOptions = {},
): MatchedGroup[] {
  const groups: MatchedGroup[] = [];
  passes.forEach((pass, passIndex) => {
    const before = groups.length;
    if (pass.cardinality === "N:M") matchBlocks(left, right, pass, takenLeft, takenRight, groups);
    else matchOneToMany(left, right, pass, takenLeft, takenRight, groups, options);
    if (options.isCancelled?.()) throw new MatchCancelled();
    options.onPass?.(pass.id, passIndex, groups.length - before);
  });
  return groups;
}

function matchOneToMany(
  left: SideRow[],
  right: SideRow[],
  pass: PassSpec,
  takenLeft: Uint8Array,
  takenRight: Uint8Array,
  groups: MatchedGroup[],
  options: MatchOptions,
): void {
  // The "one" side drives; the other side is indexed by key. N:1 drives from the right.
  const drivesFromRight = pass.cardinality === "N:1";
  const oneRows = drivesFromRight ? right : left;
  const manyRows = drivesFromRight ? left : right;
  const oneTaken = drivesFromRight ? takenRight : takenLeft;
  const manyTaken = drivesFromRight ? takenLeft : takenRight;
  const oneSide = drivesFromRight ? "right" : "left";
  const manySide = drivesFromRight ? "left" : "right";
  const maxGroup = pass.cardinality === "1:1" ? 1 : (pass.maxGroup ?? 50);

  const index = new Map<string, number[]>();
  for (let i = 0; i < manyRows.length; i++) {
    if (manyTaken[i]) continue;
    for (const k of rowKeys(manyRows[i]!, pass, manySide)) {
      const list = index.get(k);
      if (list) list.push(i);
      else index.set(k, [i]);
    }
  }

  // 1:1 collects every acceptable pair first and assigns the best pairs first (ties in side
  // order), so a candidate goes to the row it fits best, not to whichever row came first.
  const pairs: { a: number; b: number; score: number; check: PairCheck }[] = [];
  const dateScored = pass.date?.scored !== false;
  for (let a = 0; a < oneRows.length; a++) {
    if (oneTaken[a]) continue;
    if ((a & 0x3fff) === 0 && options.isCancelled?.()) throw new MatchCancelled();
    const keys = rowKeys(oneRows[a]!, pass, oneSide);
    if (keys.length === 0) continue;
    let candidates: number[] = [];
    for (const k of keys) {
      const list = index.get(k);
      if (list) for (const b of list) if (!manyTaken[b]) candidates.push(b);
    }
    if (candidates.length === 0) continue;
    if (keys.length > 1) candidates = [...new Set(candidates)].sort((x, y) => x - y);
    const one = oneRows[a]!;
    const checks = new Map<number, PairCheck>();
    candidates = candidates.filter((b) => {
      const l = drivesFromRight ? manyRows[b]! : one;
      const r = drivesFromRight ? one : manyRows[b]!;
      const check = pairCheck(pass, l, r);
      if (check.ok) checks.set(b, check);
      return check.ok;
    });
    if (candidates.length === 0) continue;

    if (maxGroup === 1) {
      const la = one.amount ?? 0;
      const scored: { a: number; b: number; score: number; check: PairCheck }[] = [];
      for (const b of candidates) {
        const rb = manyRows[b]!.amount ?? 0;
        if (pass.amount && !(drivesFromRight ? amountOk(pass.amount, rb, la) : amountOk(pass.amount, la, rb))) continue;
        const c = checks.get(b)!;
        const days = c.days === null || !dateScored ? [] : [c.days];
        const score = scoreOf(pass.amount, drivesFromRight ? rb : la, drivesFromRight ? la : rb, days, c.sims) + 0.001 * c.preferred;
        scored.push({ a, b, score, check: c });
      }
      // A row keeps its best 64 candidates (in side order on ties): a degenerate block stays
      // near-linear in the pairs it sorts, and the best fit is never cut for coming late.
      if (scored.length > MAX_PAIRS_PER_ROW) scored.sort((x, y) => y.score - x.score || x.b - y.b).length = MAX_PAIRS_PER_ROW;
      for (const p of scored) pairs.push(p);
      continue;
    }
    let chosen: number[] | null;
    if (!pass.amount) {
      chosen = candidates.slice(0, maxGroup);
    } else {
      const tol = pass.amount;
      const oneAmount = one.amount ?? 0;
      chosen = boundedSubset(
        candidates,
        (b) => manyRows[b]!.amount ?? 0,
        (sum) => (drivesFromRight ? amountOk(tol, sum, oneAmount) : amountOk(tol, oneAmount, sum)),
        maxGroup,
        options.maxSubsetCandidates ?? 24,
      );
    }
    if (!chosen) continue;
    oneTaken[a] = 1;
    for (const b of chosen) manyTaken[b] = 1;
    const leftIdx = drivesFromRight ? chosen : [a];
    const rightIdx = drivesFromRight ? [a] : chosen;
    groups.push(
      describeGroup(
        pass,
        left,
        right,
        leftIdx,
        rightIdx,
        chosen.map((b) => checks.get(b)!),
      ),
    );
  }
  if (maxGroup !== 1) return;
  pairs.sort((x, y) => y.score - x.score || x.a - y.a || x.b - y.b);
  const made: { a: number; b: number; check: PairCheck }[] = [];
  for (const p of pairs) {
    if (oneTaken[p.a] || manyTaken[p.b]) continue;
    oneTaken[p.a] = 1;
    manyTaken[p.b] = 1;
    made.push(p);
  }
  // Groups in side order, so results read (and store) deterministically.
  made.sort((x, y) => x.a - y.a);
  for (const p of made) {
    const leftIdx = drivesFromRight ? [p.b] : [p.a];
    const rightIdx = drivesFromRight ? [p.a] : [p.b];
    groups.push(describeGroup(pass, left, right, leftIdx, rightIdx, [p.check]));
  }
}

const daysOf = (checks: PairCheck[]) => checks.flatMap((c) => (c.days === null ? [] : [c.days]));

function describeGroup(
  pass: PassSpec,
  left: SideRow[],
  right: SideRow[],
  leftIdx: number[],
  rightIdx: number[],
  checks: PairCheck[],
): MatchedGroup {
  const leftSum = leftIdx.reduce((s, i) => s + (left[i]!.amount ?? 0), 0);
  const rightSum = rightIdx.reduce((s, i) => s + (right[i]!.amount ?? 0), 0);
  return {
    passId: pass.id,
    mode: pass.mode,
    left: leftIdx,
    right: rightIdx,
    score: scoreOf(pass.amount, leftSum, rightSum, daysOf(checks), checks[0]?.sims ?? []),
    checks,
  };
}

/** A group's explanation, which reads on its own: "trace 1234 equal, amount differs by $0.03 within $0.05, dates 2 days apart". */
export function explainGroup(pass: PassSpec, left: SideRow[], right: SideRow[], g: MatchedGroup): string {
  const leftSum = g.left.reduce((s, i) => s + (left[i]!.amount ?? 0), 0);
  const rightSum = g.right.reduce((s, i) => s + (right[i]!.amount ?? 0), 0);
  return (
    `${pass.label}: ` +
    describeKeys(pass, left[g.left[0]!]!, right[g.right[0]!] ?? null) +
    describeAmount(pass.amount, leftSum, rightSum, [g.left.length, g.right.length]) +
    describeDays(daysOf(g.checks)) +
    describeText(pass, g.checks[0]?.sims ?? []) +
    describePrefer(pass, g.checks[0]?.preferred ?? 0) +
    (pass.mode === "suggest" ? " (suggested, needs confirmation)" : "")
  );
}

/** N:M: every free row of a block on each side forms one group when the sums agree. */
function matchBlocks(
  left: SideRow[],
  right: SideRow[],
  pass: PassSpec,
  takenLeft: Uint8Array,
  takenRight: Uint8Array,
  groups: MatchedGroup[],
): void {
  const blocks = new Map<string, { l: number[]; r: number[] }>();
  const add = (rows: SideRow[], taken: Uint8Array, side: "left" | "right") => {
    for (let i = 0; i < rows.length; i++) {
      if (taken[i]) continue;
      const k = rowKeys(rows[i]!, pass, side)[0];
      if (k === undefined) continue;
      let b = blocks.get(k);
      if (!b) blocks.set(k, (b = { l: [], r: [] }));
      (side === "left" ? b.l : b.r).push(i);
    }
  };
  add(left, takenLeft, "left");
  add(right, takenRight, "right");
  const maxGroup = pass.maxGroup ?? 50;
  for (const b of blocks.values()) {
    if (b.l.length === 0 || b.r.length === 0 || b.l.length > maxGroup || b.r.length > maxGroup) continue;
    const checks: PairCheck[] = [];
    let ok = true;
    for (const i of b.l) {
      for (const j of b.r) {
        const c = pairCheck(pass, left[i]!, right[j]!);
        if (!c.ok) ok = false;
        checks.push(c);
      }
    }
    if (!ok) continue;
    const ls = b.l.reduce((s, i) => s + (left[i]!.amount ?? 0), 0);
    const rs = b.r.reduce((s, j) => s + (right[j]!.amount ?? 0), 0);
    if (pass.amount && !amountOk(pass.amount, ls, rs)) continue;
    for (const i of b.l) takenLeft[i] = 1;
    for (const j of b.r) takenRight[j] = 1;
    groups.push(describeGroup(pass, left, right, b.l, b.r, checks));
  }
}
