import { createHash } from "node:crypto";
import type { PassCount, ReconBalance, ReconcilingLine, ReconRunSummary } from "../../../src-shared/api/recon";
import { appendAudit } from "../audit/auditLog";
import { explainGroup, runPasses, type MatchedGroup } from "../match/matcher";
import { formatCents } from "../match/normalize";
import { nextIds, type Store } from "../store/store";
import { classifyGroup, classifyUnmatched, splitAtBreak, type RaisedException } from "./classify";
import { buildCorrection } from "./corrections";
import { REOPEN_EXCEPTION_SQL, WITHDRAW_PROPOSALS_SQL } from "./decisions";
import { MATCHED_IN_PRIOR_PERIOD, priorPeriodMatches, readPrevious, type PreviousSide } from "./previous";
import { fieldsJson, loadSide, periodWindow, type LoadedRow } from "./sides";
import { recordRunInputs } from "./inputs";
import { activeRules, recordRulesUsed } from "./rules";

export interface RunOptions {
  actor: string;
  progress?: (phase: string, done: number, total: number | null) => void;
  isCancelled?: () => boolean;
}

export class ReconCancelled extends Error {
  constructor() {
    super("reconciliation cancelled");
  }
}

type GroupKind = "auto" | "suggested" | "manual";

interface ExistingGroup {
  id: number;
  kind: GroupKind;
  locked: number;
  pass_id: string | null;
  /** left − right when the group was decided (matched, confirmed or matched by hand): `match_group` keeps those totals. */
  decided: number;
}

/** A group as this run sees it: kept from before (with its id) or new. */
interface WorkGroup {
  existingId: number | null;
  /** The kept group's kind as stored (a re-run writes it only when it changes). */
  storedKind: GroupKind | null;
  kind: GroupKind;
  passId: string | null;
  score: number | null;
  /** What this run's matching found, for a new group's explanation (written when it is saved). */
  found: MatchedGroup | null;
  left: number[];
  right: number[];
  raised: RaisedException | null;
  /** A kept group's left − right when it was decided; null for a group this run makes. */
  decided: number | null;
}

/** The break a kept group raises when its rows changed under a decision and it no longer balances. */
const CHANGED_AFTER_MATCH = "changed-after-match";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export function ensureReconciliation(store: Store, templateId: string, period: string): number {
  const get = store.sqlite.prepare("SELECT id FROM reconciliation WHERE template_id = ? AND period = ?");
  const found = get.get(templateId, period) as { id: number } | undefined;
  if (found) return found.id;
  store.sqlite
    .prepare("INSERT OR IGNORE INTO reconciliation (template_id, period, created_at) VALUES (?, ?, ?)")
    .run(templateId, period, new Date().toISOString());
  return (get.get(templateId, period) as { id: number }).id;
}

/**
 * A reconciliation with a reviewer sign-off in force (issue 7's `signoff` table, not
 * voided) is locked: a re-run keeps every existing decision and only places new rows.
 */
export function isSignedOff(store: Store, templateId: string, period: string): boolean {
  const table = store.sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'signoff'").get();
  if (!table) return false;
  try {
    return !!store.sqlite
      .prepare("SELECT 1 FROM signoff WHERE recon_id = ? AND period = ? AND role = 'reviewer' AND voided_at IS NULL LIMIT 1")
      .get(templateId, period);
  } catch {
    return false; // a sign-off schema we do not know: no lock rather than a failed run
  }
}

function changedAfterMatch(g: WorkGroup, ctx: { left: LoadedRow[]; right: LoadedRow[] }, ls: number, rs: number): RaisedException {
  const how = g.kind === "manual" ? "matched by hand" : "kept by a sign-off or a lock";
  return {
    reason: CHANGED_AFTER_MATCH,
    rule: null,
    leftKeys: [],
    rightKeys: [],
    amountCents: ls - rs,
    lagDays: null,
    reasonCode: null,
    expected: formatCents(g.decided ?? 0),
    found: formatCents(ls - rs),
    message:
      `Group ${g.existingId} was ${how} with left − right ${formatCents(g.decided ?? 0)}; a row changed or left its side since, ` +
      `and it is now ${formatCents(ls - rs)} (left ${formatCents(ls)}, right ${formatCents(rs)})`,
    keepMatch: true,
    differingColumn: null,
    leftRows: ctx.left,
    rightRows: ctx.right,
  };
}

/** A reusable group's size, pass (its index) and kind, in one number: a million-group map of objects is hundreds of MB. */
const packReusable = (size: number, pass: number, suggested: boolean) => size * 512 + pass * 2 + (suggested ? 1 : 0);
const unpackReusable = (packed: number): { size: number; pass: number; kind: GroupKind } => ({
  size: Math.floor(packed / 512),
  pass: Math.floor((packed % 512) / 2),
  kind: packed % 2 === 1 ? "suggested" : "auto",
});

/**
 * The earlier automatic group a found group is, when it is the same group: every row of it was in
 * that group, nothing else was, and the same pass found it. Taken from `reusable` when it is.
 */
function sameGroupAsBefore(
  g: MatchedGroup,
  prev: { left: PreviousSide; right: PreviousSide },
  reusable: Map<number, number>,
  pass: number,
): { id: number; kind: GroupKind } | null {
  const id = g.left.length > 0 ? prev.left.group[g.left[0]!]! : prev.right.group[g.right[0]!]!;
  const packed = id === 0 ? undefined : reusable.get(id);
  if (packed === undefined) return null;
  const was = unpackReusable(packed);
  if (was.size !== g.left.length + g.right.length || was.pass !== pass) return null;
  for (const i of g.left) if (prev.left.group[i] !== id) return null;
  for (const i of g.right) if (prev.right.group[i] !== id) return null;
  reusable.delete(id);
  return { id, kind: was.kind };
}

export function fingerprintOf(reason: string, leftKeys: string[], rightKeys: string[]): string {
  return createHash("sha1")
    .update(`${reason}\u0001${[...leftKeys].sort().join("\u0002")}\u0001${[...rightKeys].sort().join("\u0002")}`)
    .digest("hex");
}

/**
 * Runs one reconciliation: reads both sides, keeps what must not move (manual groups,
 * locked groups, explained rows, and automatic groups whose rows did not change under the
 * same rules), matches the rest pass by pass, classifies every group and leftover row into
 * exceptions and expected items, proposes corrections, and records the run with its rule
 * version and input hash. All writes, with their audit entry, commit in one transaction.
 */
export function runReconciliation(store: Store, templateId: string, period: string, options: RunOptions): ReconRunSummary {
  const t0 = Date.now();
  const startedAt = new Date().toISOString();
  const rules = activeRules(store, templateId);
  const template = rules.template;
  const window = periodWindow(period, template.runOutDays);
  const progress = options.progress ?? (() => {});
  const cancelled = () => {
    if (options.isCancelled?.()) throw new ReconCancelled();
  };
  const ruleHash = rules.hash;

  const count = (n: number) => n.toLocaleString("en-US");
  const reading = (label: string, step: number) => (rows: number) => {
    cancelled();
    progress(`Reading ${label}: ${count(rows)} rows`, step, 4);
  };
  progress(`Reading ${template.left.label}`, 0, 4);
  const left = loadSide(store, templateId, "left", template.left, window, reading(template.left.label, 0));
  cancelled();
  progress(`Reading ${template.right.label}`, 1, 4);
  const right = loadSide(store, templateId, "right", template.right, window, reading(template.right.label, 1));
  cancelled();
  // Templates with a run-out read into the next period; what the previous period matched there is
  // not matched, nor raised, again (run-out 0, as master data: each period stands alone).
  const prior = template.runOutDays > 0 ? priorPeriodMatches(store, templateId, period, window.from, { left, right }) : null;
  const inputHash = sha256(`${left.hash}:${right.hash}${prior && prior.count > 0 ? `:${prior.hash}` : ""}`);
  const sides = { left: left.rows, right: right.rows };

  const db = store.sqlite;
  const reconId = db.transaction(() => ensureReconciliation(store, templateId, period)).immediate();
  const lastRun = db
    .prepare("SELECT r.rule_hash, r.input_hash, r.free_hash FROM reconciliation c JOIN recon_run r ON r.id = c.last_run_id WHERE c.id = ?")
    .get(reconId) as { rule_hash: string; input_hash: string; free_hash: string | null } | undefined;
  const sameRules = lastRun?.rule_hash === ruleHash;
  const signedOff = isSignedOff(store, templateId, period);

  // ---------------------------------------------------------------- what was there before
  const previous = readPrevious(store, reconId, { left, right });
  const prev = { left: previous.left, right: previous.right };
  const { members, vanished } = previous;
  // A kept group's explanation and score stay in the table: only what deciding needs is read.
  // Read as they are decided on, not all at once: a million-encounter re-run has 3.1M of them.
  const existingGroups = db
    .prepare("SELECT id, kind, locked, pass_id, left_cents - right_cents AS decided FROM match_group WHERE reconciliation_id = ?")
    .iterate(reconId) as IterableIterator<ExistingGroup>;
  let changedRows = 0;
  for (const side of ["left", "right"] as const) {
    const same = prev[side].same;
    for (let i = 0; i < same.length; i++) if (same[i] === 0) changedRows++;
  }

  const takenLeft = new Uint8Array(left.rows.length);
  const takenRight = new Uint8Array(right.rows.length);
  const groups: WorkGroup[] = [];
  const droppedGroups: number[] = [];
  // Automatic groups are matched again every run, so a run's result never depends on the runs
  // before it (a changed row can change its neighbours' best partners, as a fresh run would find).
  // One found again whole, under the same rules and pass, over rows that did not change, keeps its
  // id and stored explanation: only what changed moves. By group id: its size, pass and kind.
  const reusable = new Map<number, number>();
  const keptMembers = new Map<number, { left: number[]; right: number[] }>();
  const passIndex = new Map(template.passes.map((p, i) => [p.id, i] as const));
  for (const g of existingGroups) {
    const groupId = g.id;
    const m = members.get(groupId) ?? { left: [], right: [], changed: true };
    const decided = g.kind === "manual" || g.locked === 1 || signedOff;
    const size = m.left.length + m.right.length;
    if (!decided && sameRules && !m.changed && size > 0 && passIndex.has(g.pass_id ?? "")) {
      reusable.set(groupId, packReusable(size, passIndex.get(g.pass_id!)!, g.kind === "suggested"));
      keptMembers.set(groupId, m);
      continue;
    }
    if (!decided || size === 0) {
      droppedGroups.push(groupId);
      continue;
    }
    for (const i of m.left) takenLeft[i] = 1;
    for (const i of m.right) takenRight[i] = 1;
    groups.push({
      existingId: groupId,
      storedKind: g.kind,
      kind: g.kind,
      passId: g.pass_id,
      score: null,
      found: null,
      left: m.left,
      right: m.right,
      raised: null,
      decided: g.decided,
    });
  }
  /** Manual, locked and signed-off groups: the decisions a run keeps as they are. */
  const decidedGroups = groups.length;
  // The kept groups hold their rows' indexes; the map by group id is no longer needed (at a
  // million encounters it and its entries are a few hundred MB of a re-run's heap).
  members.clear();
  // Rows a person marked explained stay explained (and out of matching) until they undo it or the
  // row changes (an explanation was given for what the row said then); rows a person unmatched
  // (hold) stay out of automatic matching; locked rows keep their state.
  const explained = { left: new Set<number>(), right: new Set<number>() };
  /** Keys of rows whose explanation this run took back because the row changed. */
  const unexplainedKeys = new Set<string>();
  const frozen = { left: new Set<number>(), right: new Set<number>() };
  const held = { left: new Set<number>(), right: new Set<number>() };
  for (const side of ["left", "right"] as const) {
    const taken = side === "left" ? takenLeft : takenRight;
    const p = prev[side];
    for (let i = 0; i < p.id.length; i++) {
      if (p.id[i] === 0 || taken[i]) continue;
      if (p.status[i] === "explained" && (p.same[i] === 1 || p.locked[i] === 1 || signedOff)) {
        explained[side].add(i);
        taken[i] = 1;
      } else if (p.status[i] === "explained") {
        unexplainedKeys.add(sides[side][i]!.key);
      } else if (p.locked[i] === 1 || signedOff) {
        frozen[side].add(i);
        taken[i] = 1;
      } else if (p.hold[i] === 1) {
        held[side].add(i);
        taken[i] = 1;
      }
    }
    // Matched by the previous period: out of matching here (a decision on the row in this period wins).
    const before = prior?.[side];
    if (before) for (let i = 0; i < before.length; i++) if (before[i] === 1 && !taken[i]) taken[i] = 2;
  }

  // ---------------------------------------------------------------- match what is free
  const tRead = Date.now();
  // The same rules, the same rows and the same rows free as the last run: matching them again
  // would find the last run's groups (it matched every free row, deterministically). Keep them.
  const freeHash = createHash("sha256")
    .update(takenLeft)
    .update(takenRight)
    .update(signedOff ? "1" : "0")
    .digest("hex");
  const unchanged = sameRules && lastRun?.input_hash === inputHash && lastRun.free_hash === freeHash && vanished.length === 0;
  progress(unchanged ? "Matching: nothing changed since the last run" : "Matching", 2, 4);
  let reused = 0;
  if (unchanged) {
    for (const [id, packed] of reusable) {
      const m = keptMembers.get(id)!;
      const { kind, pass } = unpackReusable(packed);
      const passId = template.passes[pass]!.id;
      groups.push({
        existingId: id,
        storedKind: kind,
        kind,
        passId,
        score: null,
        found: null,
        left: m.left,
        right: m.right,
        raised: null,
        decided: null,
      });
      reused++;
    }
    reusable.clear();
  }
  // The member lists were kept only for that: a full match must not carry them (a few hundred MB at scale).
  keptMembers.clear();
  const found: MatchedGroup[] = unchanged
    ? []
    : runPasses(left.rows, right.rows, template.passes, takenLeft, takenRight, {
        isCancelled: options.isCancelled,
        onPass: (passId, i) => progress(`Matching: pass ${i + 1} of ${template.passes.length} (${passId})`, 2, 4),
      });
  for (const g of found) {
    const old = sameGroupAsBefore(g, prev, reusable, passIndex.get(g.passId)!);
    if (old !== null) reused++;
    groups.push({
      existingId: old?.id ?? null,
      storedKind: old?.kind ?? null,
      kind: g.mode === "auto" ? "auto" : "suggested",
      passId: g.passId,
      score: g.score,
      // A group found again keeps its stored explanation: nothing to write, nothing to hold.
      found: old === null ? g : null,
      left: g.left,
      right: g.right,
      raised: null,
      decided: null,
    });
  }
  // Groups found again are done with: only new ones are kept, to be explained as they are saved.
  found.length = 0;
  for (const id of reusable.keys()) droppedGroups.push(id);
  reusable.clear();
  const keptGroups = decidedGroups + reused;
  cancelled();

  // ---------------------------------------------------------------- classify
  const tMatch = Date.now();
  progress("Classifying", 3, 4);
  const status = { left: new Array<string>(left.rows.length), right: new Array<string>(right.rows.length) };
  const reason = {
    left: new Array<string | null>(left.rows.length).fill(null),
    right: new Array<string | null>(right.rows.length).fill(null),
  };
  const groupOf = { left: new Int32Array(left.rows.length).fill(-1), right: new Int32Array(right.rows.length).fill(-1) };
  const raisedList: { e: RaisedException; group: number | null }[] = [];
  const lines = new Map<string, ReconcilingLine>();
  const addLine = (r: string, kind: ReconcilingLine["kind"], amount: number, items = 1) => {
    const k = `${kind}\u0001${r}`;
    const line = lines.get(k) ?? { reason: r, kind, items: 0, amountCents: 0 };
    line.items += items;
    line.amountCents += amount;
    lines.set(k, line);
  };
  const unmatched = (side: "left" | "right", i: number) => {
    const row = sides[side][i]!;
    const c = classifyUnmatched(template, side, row);
    const signed = (row.amount ?? 0) * (side === "left" ? 1 : -1);
    if (c.kind === "expected") {
      status[side][i] = "expected";
      reason[side][i] = c.reason;
      addLine(c.reason, "expected", signed);
    } else {
      status[side][i] = "exception";
      reason[side][i] = c.exception.reason;
      raisedList.push({ e: c.exception, group: groupOf[side][i]! >= 0 ? groupOf[side][i]! : null });
      addLine(c.exception.reason, "exception", signed);
    }
  };
  let matchedLeftCents = 0;
  let matchedRightCents = 0;
  let matchedLeftRows = 0;
  let matchedRightRows = 0;
  groups.forEach((g, gi) => {
    for (const i of g.left) groupOf.left[i] = gi;
    for (const i of g.right) groupOf.right[i] = gi;
    const ctx = { left: g.left.map((i) => left.rows[i]!), right: g.right.map((i) => right.rows[i]!), passId: g.passId };
    g.raised = classifyGroup(template, ctx);
    if (g.raised && !g.raised.keepMatch && g.kind === "auto") g.kind = "suggested";
    const ls = ctx.left.reduce((s, r) => s + (r.amount ?? 0), 0);
    const rs = ctx.right.reduce((s, r) => s + (r.amount ?? 0), 0);
    // A decision kept over changed rows (a manual match, a locked or signed-off group) stands, but
    // a difference other than the one accepted when it was decided is a break for a person to look
    // at, not a variance of the match; raised on every run until the rows or the decision change.
    if (!g.raised && g.decided !== null && ls - rs !== g.decided) g.raised = changedAfterMatch(g, ctx, ls, rs);
    if (g.kind !== "suggested") {
      matchedLeftCents += ls;
      matchedRightCents += rs;
      matchedLeftRows += g.left.length;
      matchedRightRows += g.right.length;
      for (const i of g.left) [status.left[i], reason.left[i]] = ["matched", g.raised?.reason ?? null];
      for (const i of g.right) [status.right[i], reason.right[i]] = ["matched", g.raised?.reason ?? null];
      if (g.raised) raisedList.push({ e: g.raised, group: gi });
      // Named as the stored balance names it (queries.ts): a confirmed suggestion is a manual match.
      const variance = `matched: ${g.kind === "manual" ? "manual" : (g.passId ?? "manual")}`;
      if (ls !== rs && !g.raised) addLine(variance, "variance", ls - rs);
      else if (ls !== rs && g.raised) {
        const split = splitAtBreak(ls - rs, g.raised.amountCents);
        addLine(g.raised.reason, "exception", split.atBreak);
        if (split.variance !== 0) addLine(variance, "variance", split.variance);
      }
    } else if (g.raised) {
      for (const i of g.left) [status.left[i], reason.left[i]] = ["exception", g.raised.reason];
      for (const i of g.right) [status.right[i], reason.right[i]] = ["exception", g.raised.reason];
      raisedList.push({ e: g.raised, group: gi });
      // Its rows are exceptions one by one (the stored balance counts rows, not the group).
      addLine(g.raised.reason, "exception", ls - rs, g.left.length + g.right.length);
    } else {
      // A suggestion nobody confirmed yet: its rows are still breaks, with the suggestion attached.
      for (const i of g.left) unmatched("left", i);
      for (const i of g.right) unmatched("right", i);
    }
  });
  for (const side of ["left", "right"] as const) {
    const taken = side === "left" ? takenLeft : takenRight;
    for (let i = 0; i < sides[side].length; i++) {
      if (status[side][i] !== undefined) continue;
      const signed = (sides[side][i]!.amount ?? 0) * (side === "left" ? 1 : -1);
      const fs = frozen[side].has(i) ? prev[side].status[i]! : null;
      if (taken[i] === 2) {
        status[side][i] = "expected";
        reason[side][i] = MATCHED_IN_PRIOR_PERIOD;
        addLine(MATCHED_IN_PRIOR_PERIOD, "expected", signed);
      } else if (explained[side].has(i)) {
        status[side][i] = "explained";
        reason[side][i] = "explained";
        addLine("explained", "explained", signed);
      } else if (fs !== null && fs !== "unmatched" && fs !== "matched" && fs !== "suggested") {
        const fr = prev[side].reason[i]!;
        status[side][i] = fs;
        reason[side][i] = fr;
        addLine(fr ?? fs, fs === "expected" ? "expected" : "exception", signed);
      } else if (!taken[i] || groupOf[side][i] === -1) unmatched(side, i);
    }
  }
  cancelled();

  const leftTotalCents = left.rows.reduce((s, r) => s + (r.amount ?? 0), 0);
  const rightTotalCents = right.rows.reduce((s, r) => s + (r.amount ?? 0), 0);
  const reconciling = [...lines.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.reason.localeCompare(b.reason));
  const balance: ReconBalance = {
    leftTotalCents,
    rightTotalCents,
    differenceCents: leftTotalCents - rightTotalCents,
    leftRows: left.rows.length,
    rightRows: right.rows.length,
    matchedLeftCents,
    matchedRightCents,
    matchedLeftRows,
    matchedRightRows,
    reconciling,
    unexplainedCents: leftTotalCents - rightTotalCents - reconciling.reduce((s, l) => s + l.amountCents, 0),
  };

  // ---------------------------------------------------------------- write
  const tClassify = Date.now();
  progress("Saving", 3, 4);
  const now = new Date().toISOString();
  const summary = db
    .transaction((): ReconRunSummary => {
      const runId = Number(
        db
          .prepare(
            `INSERT INTO recon_run (reconciliation_id, rule_version, rule_hash, input_hash, free_hash, left_rows, right_rows, changed_rows, actor, started_at, finished_at, summary_json)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}')`,
          )
          .run(
            reconId,
            template.version,
            ruleHash,
            inputHash,
            freeHash,
            left.rows.length,
            right.rows.length,
            changedRows,
            options.actor,
            startedAt,
            now,
          ).lastInsertRowid,
      );
      recordRulesUsed(store, rules, now);
      // Set-based: a rule change can drop every group of a million-row reconciliation.
      db.exec("CREATE TEMP TABLE IF NOT EXISTS recon_dropped (id INTEGER PRIMARY KEY); DELETE FROM recon_dropped;");
      const addDropped = db.prepare("INSERT INTO recon_dropped (id) VALUES (?)");
      for (const id of droppedGroups) addDropped.run(id);
      db.exec(`UPDATE recon_item SET group_id = NULL WHERE group_id IN (SELECT id FROM recon_dropped);
        UPDATE recon_exception SET group_id = NULL WHERE group_id IN (SELECT id FROM recon_dropped);
        DELETE FROM match_group WHERE id IN (SELECT id FROM recon_dropped);
        DELETE FROM recon_dropped;`);
      const deleteItem = db.prepare("DELETE FROM recon_item WHERE id = ?");
      for (const id of vanished) deleteItem.run(id);

      const insertGroup = db.prepare(
        `INSERT INTO match_group (id, reconciliation_id, run_id, pass_id, kind, score, explanation, left_cents, right_cents, locked, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
      );
      // Ids no group ever had (a dropped group's id must not come back: audit entries name it).
      let nextGroupId = nextIds(store, "match_group", groups.length - keptGroups);
      const setGroupKind = db.prepare("UPDATE match_group SET kind = ? WHERE id = ?");
      const groupIds = groups.map((g) => {
        if (g.existingId !== null) {
          if (g.kind !== g.storedKind) setGroupKind.run(g.kind, g.existingId);
          return g.existingId;
        }
        const ls = g.left.reduce((s, i) => s + (left.rows[i]!.amount ?? 0), 0);
        const rs = g.right.reduce((s, i) => s + (right.rows[i]!.amount ?? 0), 0);
        const id = nextGroupId++;
        const explanation = g.found ? explainGroup(template.passes[passIndex.get(g.found.passId)!]!, left.rows, right.rows, g.found) : "";
        insertGroup.run(id, reconId, runId, g.passId, g.kind, g.score, explanation, ls, rs, options.actor, now);
        return id;
      });

      const insertItem = db.prepare(
        `INSERT INTO recon_item (reconciliation_id, side, row_key, member_keys, source_table, source_id, amount_cents, row_date, fields_json, row_hash, group_id, status, reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const updateItem = db.prepare(
        `UPDATE recon_item SET member_keys = ?, source_table = ?, source_id = ?, amount_cents = ?, row_date = ?, fields_json = ?, row_hash = ?,
           group_id = ?, status = ?, reason = ? WHERE id = ?`,
      );
      const updateState = db.prepare("UPDATE recon_item SET group_id = ?, status = ?, reason = ? WHERE id = ?");
      const clearExplanation = db.prepare("UPDATE recon_item SET explained_by = NULL, explained_note = NULL WHERE id = ?");
      // The longest step of a big first run: it reports how far it is, and a cancel here
      // rolls the whole run back (this is one transaction), leaving the last result as it was.
      const toSave = left.rows.length + right.rows.length;
      let saved = 0;
      for (const side of ["left", "right"] as const) {
        const rows: LoadedRow[] = sides[side];
        for (let i = 0; i < rows.length; i++, saved++) {
          if ((saved & 0x3fff) === 0x3fff) {
            cancelled();
            progress(`Saving rows: ${count(saved)} of ${count(toSave)}`, 3 + saved / toSave, 4);
          }
          const row = rows[i]!;
          const g = groupOf[side][i]!;
          const gid = g >= 0 ? groupIds[g]! : null;
          const st = status[side][i] ?? "unmatched";
          const rs = reason[side][i] ?? null;
          const p = prev[side];
          const id = p.id[i]!;
          if (id === 0 || p.same[i] === 0) {
            // What a new or changed row stores, in the column order both statements share.
            const stored = [row.memberKeys, row.sourceTable, row.sourceId, row.amount, row.rowDate, fieldsJson(row), row.hash, gid, st, rs];
            if (id === 0) insertItem.run(reconId, side, row.key, ...stored);
            else updateItem.run(...stored, id);
          } else if (p.group[i] !== (gid ?? 0) || p.status[i] !== st || p.reason[i] !== rs) {
            updateState.run(gid, st, rs, id);
          }
          if (id !== 0 && p.status[i] === "explained" && st !== "explained") clearExplanation.run(id);
        }
      }

      // Exceptions keep their owner, comments and age across runs: they are found again by fingerprint.
      const existingExceptions = new Map(
        (
          db
            .prepare("SELECT id, fingerprint, status, locked, settled_by_decision FROM recon_exception WHERE reconciliation_id = ?")
            .all(reconId) as {
            id: number;
            fingerprint: string;
            status: string;
            locked: number;
            settled_by_decision: number;
          }[]
        ).map((e) => [e.fingerprint, e] as const),
      );
      const insertException = db.prepare(
        `INSERT INTO recon_exception (reconciliation_id, fingerprint, reason, status, amount_cents, lag_days, reason_code, expected, found, message,
           left_keys_json, right_keys_json, group_id, opened_at, last_seen_run_id, item_date)
         VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const reopenException = db.prepare(REOPEN_EXCEPTION_SQL);
      const refreshException = db.prepare(
        `UPDATE recon_exception SET amount_cents = ?, lag_days = ?, reason_code = ?, expected = ?, found = ?, message = ?, group_id = ?, last_seen_run_id = ?,
           item_date = ?, status = CASE WHEN status = 'cleared' THEN 'open' ELSE status END WHERE id = ? AND locked = 0`,
      );
      // A break's proposal follows the break: proposed again when a break Tieout had withdrawn it
      // for comes back, restated when the break's amount or lines change; never touched once
      // accepted (the outbound side carries it) or withdrawn by a person.
      const existingCorrections = new Map(
        (
          db
            .prepare(
              "SELECT id, exception_id, kind, status, withdrawn_reason, summary, amount_cents, payload_json FROM proposed_correction WHERE reconciliation_id = ?",
            )
            .all(reconId) as {
            id: number;
            exception_id: number;
            kind: string;
            status: string;
            withdrawn_reason: string | null;
            summary: string;
            amount_cents: number | null;
            payload_json: string;
          }[]
        ).map((c) => [`${c.exception_id}:${c.kind}`, c] as const),
      );
      const insertCorrection = db.prepare(
        `INSERT INTO proposed_correction (reconciliation_id, exception_id, kind, status, summary, amount_cents, payload_json, created_at, run_id)
         VALUES (?, ?, ?, 'proposed', ?, ?, ?, ?, ?)`,
      );
      const restateCorrection = db.prepare(
        `UPDATE proposed_correction SET status = 'proposed', withdrawn_reason = NULL, summary = ?, amount_cents = ?, payload_json = ?, run_id = ? WHERE id = ?`,
      );
      const seen = new Set<string>();
      const exceptionsByReason: ReconRunSummary["exceptionsByReason"] = {};
      let corrections = 0;
      // What this run changed of earlier decisions and proposals, for its audit entry.
      const reopenedExceptions: number[] = [];
      let restated = 0;
      let withdrawnCorrections = 0;
      // Exceptions name records, not side rows: a composite row (a department with its crosswalk
      // and cost center) expands to its member records, or to the rule's own key column.
      const recordKeys = (rows: LoadedRow[], column: string | undefined) =>
        rows.flatMap((r) => {
          const from = column ? r.values[column] : r.memberKeys;
          return typeof from === "string" && from !== "" ? from.split(" ").filter(Boolean) : [r.key];
        });
      for (const { e, group } of raisedList) {
        e.leftKeys = recordKeys(e.leftRows as LoadedRow[], e.rule?.keysFrom?.left);
        e.rightKeys = recordKeys(e.rightRows as LoadedRow[], e.rule?.keysFrom?.right);
        const fp = fingerprintOf(e.reason, e.leftKeys, e.rightKeys);
        if (seen.has(fp)) continue;
        seen.add(fp);
        const byReason = (exceptionsByReason[e.reason] ??= { count: 0, amountCents: 0 });
        byReason.count++;
        byReason.amountCents += e.amountCents ?? 0;
        const gid = group === null ? null : groupIds[group]!;
        const old = existingExceptions.get(fp);
        let exceptionId: number;
        // An explanation this run took back (its row changed) no longer settles the row's breaks.
        const settledByTakenBack =
          old?.status === "resolved" &&
          old.settled_by_decision === 1 &&
          old.locked === 0 &&
          [...e.leftKeys, ...e.rightKeys].some((k) => unexplainedKeys.has(k));
        if (settledByTakenBack) {
          reopenException.run(old.id);
          reopenedExceptions.push(old.id);
        }
        // Resolved by a person (or settled by a decision that still stands): no correction is proposed for it.
        const open = !old || old.status !== "resolved" || settledByTakenBack;
        // The break is as old as its oldest record: what an ageing schedule counts from.
        let itemDate: string | null = null;
        for (const r of [...e.leftRows, ...e.rightRows] as LoadedRow[])
          if (r.rowDate && (itemDate === null || r.rowDate.slice(0, 10) < itemDate)) itemDate = r.rowDate.slice(0, 10);
        if (old) {
          exceptionId = old.id;
          refreshException.run(e.amountCents, e.lagDays, e.reasonCode, e.expected, e.found, e.message, gid, runId, itemDate, old.id);
        } else {
          exceptionId = Number(
            insertException.run(
              reconId,
              fp,
              e.reason,
              e.amountCents,
              e.lagDays,
              e.reasonCode,
              e.expected,
              e.found,
              e.message,
              JSON.stringify(e.leftKeys),
              JSON.stringify(e.rightKeys),
              gid,
              now,
              runId,
              itemDate,
            ).lastInsertRowid,
          );
        }
        const draft = open ? buildCorrection(e, template, period) : null;
        if (draft) {
          const payload = JSON.stringify(draft.payload);
          const had = existingCorrections.get(`${exceptionId}:${draft.kind}`);
          if (!had) {
            insertCorrection.run(reconId, exceptionId, draft.kind, draft.summary, draft.amountCents, payload, now, runId);
            corrections++;
          } else if (had.status === "withdrawn" && had.withdrawn_reason !== null) {
            restateCorrection.run(draft.summary, draft.amountCents, payload, runId, had.id);
            corrections++;
          } else if (
            had.status === "proposed" &&
            (had.summary !== draft.summary || had.amount_cents !== draft.amountCents || had.payload_json !== payload)
          ) {
            restateCorrection.run(draft.summary, draft.amountCents, payload, runId, had.id);
            restated++;
          }
        }
      }
      // A break no longer found is cleared (kept, with its history), and its proposals withdrawn.
      const clear = db.prepare("UPDATE recon_exception SET status = 'cleared', last_seen_run_id = ? WHERE id = ?");
      const withdraw = db.prepare(WITHDRAW_PROPOSALS_SQL).pluck();
      for (const [fp, e] of existingExceptions) {
        if (seen.has(fp) || e.locked === 1 || signedOff || e.status !== "open") continue;
        clear.run(runId, e.id);
        withdrawnCorrections += withdraw.all("break-cleared", e.id).length;
      }

      const passes: PassCount[] = template.passes.map((p) => ({
        passId: p.id,
        label: p.label,
        groups: 0,
        suggested: 0,
        leftRows: 0,
        rightRows: 0,
      }));
      let manualGroups = 0;
      for (const g of groups) {
        if (g.kind === "manual") {
          manualGroups++;
          continue;
        }
        const pc = passes.find((p) => p.passId === g.passId);
        if (!pc) continue;
        if (g.kind === "suggested") pc.suggested++;
        else {
          pc.groups++;
          pc.leftRows += g.left.length;
          pc.rightRows += g.right.length;
        }
      }
      const expectedByReason: Record<string, number> = {};
      for (const l of reconciling) if (l.kind === "expected") expectedByReason[l.reason] = l.items;
      const result: ReconRunSummary = {
        runId,
        reconciliationId: reconId,
        templateId,
        period,
        window: { from: window.from, to: window.to },
        ruleVersion: template.version,
        ruleHash,
        inputHash,
        leftRows: left.rows.length,
        rightRows: right.rows.length,
        changedRows,
        keptGroups,
        manualGroups,
        passes,
        exceptionsByReason,
        expectedByReason,
        corrections,
        balance,
        durationMs: Date.now() - t0,
        phasesMs: { read: tRead - t0, match: tMatch - tRead, classify: tClassify - tMatch, save: 0 },
      };
      db.prepare("UPDATE recon_run SET summary_json = ?, finished_at = ? WHERE id = ?").run(
        JSON.stringify(result),
        new Date().toISOString(),
        runId,
      );
      db.prepare("UPDATE reconciliation SET last_run_id = ? WHERE id = ?").run(runId, reconId);
      appendAudit(store, {
        actor: options.actor,
        action: "recon-run",
        entityType: "reconciliation",
        entityId: `${templateId}/${period}`,
        after: {
          runId,
          ruleVersion: template.version,
          ruleHash,
          inputHash,
          leftRows: result.leftRows,
          rightRows: result.rightRows,
          changedRows,
          exceptions: Object.fromEntries(Object.entries(exceptionsByReason).map(([k, v]) => [k, v.count])),
          unexplainedCents: balance.unexplainedCents,
          ...(corrections + restated + withdrawnCorrections > 0
            ? { corrections: { proposed: corrections, restated, withdrawn: withdrawnCorrections } }
            : {}),
          // Decisions a run takes back are named: explanations of rows that changed, and the breaks they had settled.
          ...(unexplainedKeys.size > 0
            ? { explanationsTakenBack: { count: unexplainedKeys.size, keys: [...unexplainedKeys].slice(0, 100) } }
            : {}),
          ...(reopenedExceptions.length > 0 ? { reopenedExceptions: reopenedExceptions.slice(0, 100) } : {}),
        },
      });
      return result;
    })
    .immediate();
  summary.phasesMs!.save = Date.now() - tClassify;
  // After the commit, so the lineage reads (seconds at a million encounters) do not hold the write
  // lock; a run whose inputs could not be recorded is worked out from lineage when asked.
  const tSaved = Date.now();
  progress("Recording the files this run read", 4, 4);
  const sourceTables = new Set<string>();
  for (const side of [left.rows, right.rows]) for (const row of side) if (row.sourceTable) sourceTables.add(row.sourceTable);
  try {
    recordRunInputs(
      store,
      summary.runId,
      reconId,
      [...sourceTables],
      [...(template.left.lineage ?? []), ...(template.right.lineage ?? [])],
      window,
    );
  } catch (error) {
    console.error(`Tieout: the input files of run ${summary.runId} were not recorded: ${(error as Error).message}`);
  }
  summary.phasesMs!.inputs = Date.now() - tSaved;
  summary.durationMs = Date.now() - t0;
  // The timings are only known once the save committed: the stored summary gets them after.
  db.prepare("UPDATE recon_run SET summary_json = ? WHERE id = ?").run(JSON.stringify(summary), summary.runId);
  progress("Done", 4, 4);
  return summary;
}
