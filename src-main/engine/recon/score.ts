import type { ScoreLine } from "../../../src-shared/api/recon";
import type { Store } from "../store/store";
import { streamJsonValues, type JsonPath } from "./truthStream";

/** The parts of the generator's truth.json (fixtures/generator/truth.ts) the scorer reads. */
interface TruthFile {
  period: string;
  encounters: number;
  templates: Record<
    string,
    {
      matches: { left: string[]; right: string[] }[];
      exceptions: { reason: string; left: string[]; right: string[] }[];
    }
  >;
}

export interface ScoreReport {
  period: string;
  encounters: number;
  lines: ScoreLine[];
  /** Templates in the truth that have no run for its period. */
  notRun: string[];
}

function ratio(tp: number, other: number): number {
  return tp + other === 0 ? 1 : tp / (tp + other);
}

/**
 * Compares two sets of items. `twinOf` maps an item to what it is with every record replaced
 * by its twin signature (null when a record has none); a false positive and a false
 * negative with the same twin form are a swap between indistinguishable records.
 */
function compare(
  templateId: string,
  kind: ScoreLine["kind"],
  truth: Set<string>,
  ours: Set<string>,
  twinOf: (item: string) => string | null,
): ScoreLine {
  let tp = 0;
  for (const x of ours) if (truth.has(x)) tp++;
  const fp = ours.size - tp;
  const fn = truth.size - tp;
  const missed = new Map<string, number>();
  for (const x of truth) {
    if (ours.has(x)) continue;
    const twin = twinOf(x);
    if (twin !== null) missed.set(twin, (missed.get(twin) ?? 0) + 1);
  }
  let twinSwaps = 0;
  for (const x of ours) {
    if (truth.has(x)) continue;
    const twin = twinOf(x);
    const n = twin === null ? 0 : (missed.get(twin) ?? 0);
    if (n === 0) continue;
    missed.set(twin!, n - 1);
    twinSwaps++;
  }
  return {
    templateId,
    kind,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: ratio(tp, fp),
    recall: ratio(tp, fn),
    twinSwaps,
    precisionTwins: ratio(tp + twinSwaps, fp - twinSwaps),
    recallTwins: ratio(tp + twinSwaps, fn - twinSwaps),
  };
}

/**
 * A record's fields without what identifies it (its key, its source row id, and any field
 * whose value is part of its key, such as the transaction id in "ehr:C123"), so that two
 * records alike in everything else share a signature. Null for a record the run did not
 * keep as a row of its own (a member of a summarised row).
 */
function twinSignatures(store: Store, reconId: number, keys: { left: Set<string>; right: Set<string> }) {
  const out = { left: new Map<string, string>(), right: new Map<string, string>() };
  const get = store.sqlite.prepare("SELECT fields_json FROM recon_item WHERE reconciliation_id = ? AND side = ? AND row_key = ?");
  for (const side of ["left", "right"] as const) {
    for (const key of keys[side]) {
      const row = get.get(reconId, side, key) as { fields_json: string } | undefined;
      if (!row) continue;
      const fields = JSON.parse(row.fields_json) as Record<string, unknown>;
      const kept = Object.entries(fields).filter(
        ([name, value]) =>
          name !== "row_key" && name !== "source_id" && !(typeof value === "string" && value.length >= 4 && key.includes(value)),
      );
      out[side].set(key, JSON.stringify(kept));
    }
  }
  return out;
}

type TruthTemplate = TruthFile["templates"][string];

function keyList(value: unknown, path: string, at: JsonPath, side: string): string[] {
  if (Array.isArray(value) && value.every((k) => typeof k === "string")) return value as string[];
  throw new Error(`${path}: ${at.join(".")}.${side} is not a list of record keys`);
}

/**
 * Reads the generator's truth.json, keeping only what the scorer compares. Streamed, since
 * the 1M-encounter truth (~700 MB) is longer than V8's longest string (~512 MB) and cannot
 * go through one JSON.parse; each match and exception is parsed on its own.
 */
export function readTruth(path: string): TruthFile {
  let period: unknown;
  let encounters: unknown;
  let templates: Record<string, TruthTemplate> | undefined;
  const isList = (key: string | number | undefined) => key === "matches" || key === "exceptions";
  streamJsonValues(
    path,
    (at, value) => {
      if (at.length === 1) {
        if (at[0] === "period") period = value;
        else encounters = value;
        return;
      }
      const template = templates![at[1] as string]!;
      const item = (value ?? {}) as { reason?: unknown; left?: unknown; right?: unknown };
      const left = keyList(item.left, path, at, "left");
      const right = keyList(item.right, path, at, "right");
      if (at[2] === "matches") template.matches.push({ left, right });
      else if (typeof item.reason === "string") template.exceptions.push({ reason: item.reason, left, right });
      else throw new Error(`${path}: ${at.join(".")}.reason is not a string`);
    },
    {
      emitAt: (at) => (at.length === 1 && (at[0] === "period" || at[0] === "encounters")) || (at.length === 4 && at[0] === "templates"),
      enter: (at) => {
        if (at.length === 0) return true;
        if (at[0] !== "templates") return false;
        // A later duplicate key replaces an earlier one, as with JSON.parse.
        if (at.length === 1) templates = {};
        else if (at.length === 2) templates![at[1] as string] = { matches: [], exceptions: [] };
        return at.length <= 2 || (at.length === 3 && isList(at[2]));
      },
    },
  );
  if (typeof period !== "string" || typeof encounters !== "number" || !templates) {
    throw new Error(`${path}: not a generator truth file (needs "period", "encounters" and "templates")`);
  }
  return { period, encounters, templates };
}

/**
 * Precision and recall of a store's reconciliations against the generator's ground truth.
 * Matches are compared as left–right record pairs inside confirmed groups (auto or manual;
 * suggestions do not count). Exceptions are compared as (reason, side, record) triples, so
 * one exception over 24 GL lines and 24 single-line exceptions over the same lines score
 * alike. Rows that stand for several records (`member_keys`) expand to those records.
 */
export function scoreAgainstTruth(store: Store, truth: TruthFile, templateIds?: string[]): ScoreReport {
  const lines: ScoreLine[] = [];
  const notRun: string[] = [];
  for (const [templateId, t] of Object.entries(truth.templates)) {
    if (templateIds && !templateIds.includes(templateId)) continue;
    const recon = store.sqlite
      .prepare("SELECT id FROM reconciliation WHERE template_id = ? AND period = ? AND last_run_id IS NOT NULL")
      .get(templateId, truth.period) as { id: number } | undefined;
    if (!recon) {
      notRun.push(templateId);
      continue;
    }
    const truthPairs = new Set<string>();
    for (const m of t.matches) for (const l of m.left) for (const r of m.right) truthPairs.add(`${l}\u0001${r}`);
    const truthExceptions = new Set<string>();
    for (const e of t.exceptions) {
      for (const l of e.left) truthExceptions.add(`${e.reason}\u0001L\u0001${l}`);
      for (const r of e.right) truthExceptions.add(`${e.reason}\u0001R\u0001${r}`);
    }

    const members = { left: new Map<string, string[]>(), right: new Map<string, string[]>() };
    const expand = (side: "left" | "right", key: string) => members[side].get(key) ?? [key];
    for (const row of store.sqlite
      .prepare("SELECT side, row_key, member_keys FROM recon_item WHERE reconciliation_id = ? AND member_keys IS NOT NULL")
      .iterate(recon.id) as IterableIterator<{ side: "left" | "right"; row_key: string; member_keys: string }>) {
      members[row.side].set(row.row_key, row.member_keys.split(" ").filter(Boolean));
    }
    const ourPairs = new Set<string>();
    const groupMembers = new Map<number, { left: string[]; right: string[] }>();
    for (const row of store.sqlite
      .prepare(
        `SELECT g.id, i.side, i.row_key FROM match_group g JOIN recon_item i ON i.group_id = g.id
         WHERE g.reconciliation_id = ? AND g.kind IN ('auto', 'manual')`,
      )
      .iterate(recon.id) as IterableIterator<{ id: number; side: "left" | "right"; row_key: string }>) {
      let g = groupMembers.get(row.id);
      if (!g) groupMembers.set(row.id, (g = { left: [], right: [] }));
      g[row.side].push(...expand(row.side, row.row_key));
    }
    for (const g of groupMembers.values()) for (const l of g.left) for (const r of g.right) ourPairs.add(`${l}\u0001${r}`);
    const ourExceptions = new Set<string>();
    for (const e of store.sqlite
      .prepare("SELECT reason, left_keys_json, right_keys_json FROM recon_exception WHERE reconciliation_id = ? AND status <> 'cleared'")
      .iterate(recon.id) as IterableIterator<{ reason: string; left_keys_json: string; right_keys_json: string }>) {
      // Exception keys are stored as record keys already (composite rows expanded by the run).
      for (const k of JSON.parse(e.left_keys_json) as string[]) ourExceptions.add(`${e.reason}\u0001L\u0001${k}`);
      for (const k of JSON.parse(e.right_keys_json) as string[]) ourExceptions.add(`${e.reason}\u0001R\u0001${k}`);
    }
    // Only the records in a miss need a signature.
    const inMiss = { left: new Set<string>(), right: new Set<string>() };
    for (const [a, b] of [
      [truthPairs, ourPairs],
      [ourPairs, truthPairs],
    ] as const) {
      for (const x of a) {
        if (b.has(x)) continue;
        const [l, r] = x.split("\u0001") as [string, string];
        inMiss.left.add(l);
        inMiss.right.add(r);
      }
    }
    for (const [a, b] of [
      [truthExceptions, ourExceptions],
      [ourExceptions, truthExceptions],
    ] as const) {
      for (const x of a) {
        if (b.has(x)) continue;
        const [, side, key] = x.split("\u0001") as [string, string, string];
        inMiss[side === "L" ? "left" : "right"].add(key);
      }
    }
    const signatures = twinSignatures(store, recon.id, inMiss);
    const pairTwin = (x: string) => {
      const [l, r] = x.split("\u0001") as [string, string];
      const sl = signatures.left.get(l);
      const sr = signatures.right.get(r);
      return sl === undefined || sr === undefined ? null : `${sl}\u0001${sr}`;
    };
    const exceptionTwin = (x: string) => {
      const [reason, side, key] = x.split("\u0001") as [string, string, string];
      const sig = signatures[side === "L" ? "left" : "right"].get(key);
      return sig === undefined ? null : `${reason}\u0001${side}\u0001${sig}`;
    };
    lines.push(compare(templateId, "matches", truthPairs, ourPairs, pairTwin));
    lines.push(compare(templateId, "exceptions", truthExceptions, ourExceptions, exceptionTwin));
  }
  return { period: truth.period, encounters: truth.encounters, lines, notRun };
}
