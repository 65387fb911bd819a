import { createHash } from "node:crypto";
import { periodBefore } from "../../../src-shared/period";
import type { Store } from "../store/store";
import type { LoadedSide } from "./sides";

/**
 * What one side's rows were at the last run, by each row's index in this run's side: plain
 * arrays, not an object per stored row (a million-row reconciliation re-run holds a few
 * million of them, and objects made the re-run slower than the first run).
 */
export interface PreviousSide {
  /** The row's `recon_item` id, 0 when the row is new. */
  id: Float64Array;
  /** 1 when the stored row hash equals this run's (the row did not change). */
  same: Uint8Array;
  /** The row's match group id, 0 when it had none. */
  group: Float64Array;
  status: (string | undefined)[];
  reason: (string | null)[];
  locked: Uint8Array;
  hold: Uint8Array;
}

export interface Previous {
  left: PreviousSide;
  right: PreviousSide;
  /** The stored group's rows as indexes into this run's sides; `changed` when a row changed or vanished. */
  members: Map<number, { left: number[]; right: number[]; changed: boolean }>;
  /** `recon_item` ids of stored rows no longer on their side. */
  vanished: number[];
}

function emptySide(n: number): PreviousSide {
  return {
    id: new Float64Array(n),
    same: new Uint8Array(n),
    group: new Float64Array(n),
    status: new Array<string | undefined>(n),
    reason: new Array<string | null>(n).fill(null),
    locked: new Uint8Array(n),
    hold: new Uint8Array(n),
  };
}

/**
 * Reads a reconciliation's stored rows against this run's sides. The walk is by the
 * (reconciliation, side) index, in id order: the rows of one run sit together in the table,
 * so this reads it front to back (the planner's own choice, the amount index, jumps about a
 * multi-gigabyte table and took minutes on a cold disk).
 */
export function readPrevious(store: Store, reconId: number, sides: { left: LoadedSide; right: LoadedSide }): Previous {
  const prev = { left: emptySide(sides.left.rows.length), right: emptySide(sides.right.rows.length) };
  const members: Previous["members"] = new Map();
  const vanished: number[] = [];
  // Statuses and reasons repeat: one string each rather than one per row.
  const pool = new Map<string, string>();
  const pooled = (s: string | null) => (s === null ? null : (pool.get(s) ?? (pool.set(s, s), s)));
  const rows = store.sqlite
    .prepare(
      `SELECT id, side, row_key, row_hash, group_id, status, reason, locked, hold
       FROM recon_item INDEXED BY recon_item_side WHERE reconciliation_id = ?`,
    )
    .raw(true)
    .iterate(reconId) as IterableIterator<[number, "left" | "right", string, string, number | null, string, string | null, number, number]>;
  for (const [id, side, key, hash, groupId, status, reason, locked, hold] of rows) {
    const i = sides[side].index.get(key);
    const same = i !== undefined && sides[side].rows[i]!.hash === hash;
    if (groupId !== null) {
      let m = members.get(groupId);
      if (!m) members.set(groupId, (m = { left: [], right: [], changed: false }));
      if (!same) m.changed = true;
      // Most groups hold one row a side: a literal [i] is sized to it, where push would give it
      // room for 17 (184 bytes, not 56, a row: 1 GB of a million-encounter re-run's heap).
      if (i !== undefined) {
        if (m[side].length === 0) m[side] = [i];
        else m[side].push(i);
      }
    }
    if (i === undefined) {
      vanished.push(id);
      continue;
    }
    const p = prev[side];
    p.id[i] = id;
    p.same[i] = same ? 1 : 0;
    p.group[i] = groupId ?? 0;
    p.status[i] = pooled(status)!;
    p.reason[i] = pooled(reason);
    p.locked[i] = locked;
    p.hold[i] = hold;
  }
  return { ...prev, members, vanished };
}

/** The reason a row matched by the previous period's reconciliation has in this one: not a break here. */
export const MATCHED_IN_PRIOR_PERIOD = "matched-in-prior-period";

export interface PriorPeriodMatches {
  /** 1 for a row of this run's side that the previous period's reconciliation matched. */
  left: Uint8Array;
  right: Uint8Array;
  /** How many, and a hash of which (an input of the run, as its rows are). */
  count: number;
  hash: string;
}

/**
 * Rows this period's sides share with the previous period's reconciliation, which matched them
 * there: a charge served on 3 November read by October's run-out and matched in October, or the
 * remittance paid on 2 November for an October claim. Matching them again here would count them
 * twice; leaving them unmatched would raise breaks that are not breaks ("remittance without
 * claim" for every run-out payment October already matched). They are expected items here.
 * Only the overlap is read: rows dated from this period's first day (or undated).
 */
export function priorPeriodMatches(
  store: Store,
  templateId: string,
  period: string,
  from: string,
  sides: { left: LoadedSide; right: LoadedSide },
): PriorPeriodMatches {
  const before = periodBefore(period);
  const found = { left: new Uint8Array(sides.left.rows.length), right: new Uint8Array(sides.right.rows.length), count: 0 };
  const hash = createHash("sha256");
  const rows = store.sqlite
    .prepare(
      `SELECT i.side, i.row_key, i.row_hash, i.group_id FROM reconciliation c JOIN recon_item i ON i.reconciliation_id = c.id
       WHERE c.template_id = ? AND c.period = ? AND i.status = 'matched' AND (i.row_date IS NULL OR i.row_date >= ?)
       ORDER BY i.group_id, i.side, i.row_key`,
    )
    .raw(true)
    .iterate(templateId, before, from) as IterableIterator<["left" | "right", string, string, number | null]>;
  // A group counts only whole: every row of it dated in this period is here, as it was when matched.
  // A row changed since, or a partner gone, is this period's to match and raise, not an expected item.
  let group: { id: number | null; whole: boolean; rows: ["left" | "right", number, string][] } = { id: null, whole: true, rows: [] };
  const settle = () => {
    if (group.whole)
      for (const [side, i, key] of group.rows) {
        found[side][i] = 1;
        found.count++;
        hash.update(`${side}:${key}\n`);
      }
  };
  for (const [side, key, rowHash, groupId] of rows) {
    if (groupId !== group.id || groupId === null) {
      settle();
      group = { id: groupId, whole: true, rows: [] };
    }
    const i = sides[side].index.get(key);
    if (i === undefined || sides[side].rows[i]!.hash !== rowHash) group.whole = false;
    else group.rows.push([side, i, key]);
  }
  settle();
  return { ...found, hash: hash.digest("hex") };
}
