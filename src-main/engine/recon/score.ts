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

function compare(templateId: string, kind: ScoreLine["kind"], truth: Set<string>, ours: Set<string>): ScoreLine {
  let tp = 0;
  for (const x of ours) if (truth.has(x)) tp++;
  const fp = ours.size - tp;
  const fn = truth.size - tp;
  return { templateId, kind, truePositives: tp, falsePositives: fp, falseNegatives: fn, precision: ratio(tp, fp), recall: ratio(tp, fn) };
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
    lines.push(compare(templateId, "matches", truthPairs, ourPairs));
    lines.push(compare(templateId, "exceptions", truthExceptions, ourExceptions));
  }
  return { period: truth.period, encounters: truth.encounters, lines, notRun };
}
