import type { ExceptionComment, MatchGroupInfo, ReconSide, SavedView } from "../../../src-shared/api/recon";
import { whyNotOwner } from "../auth/users";
import { appendAudit } from "../audit/auditLog";
import { UserError } from "../handlerRegistry";
import { formatCents } from "../match/normalize";
import { nextIds, type Store } from "../store/store";
import { getGroup, listViews, reconciliationId } from "./queries";

/**
 * What a person decides: manual matches, unmatches, confirmations, explanations, locks and
 * exception work. Each change and its audit entry commit in one transaction, so a change
 * without its audit entry cannot exist. A re-run keeps all of these (see run.ts).
 */

interface ItemRef {
  id: number;
  side: ReconSide;
  row_key: string;
  group_id: number | null;
  status: string;
  amount_cents: number | null;
  locked: number;
}

const now = () => new Date().toISOString();

/** Opens a resolved break again, forgetting how it was resolved (a person's reopen, an undone decision, a run). */
export const REOPEN_EXCEPTION_SQL =
  "UPDATE recon_exception SET status = 'open', resolved_at = NULL, resolved_by = NULL, resolution = NULL, settled_by_decision = 0 WHERE id = ?";

/** Withdraws a break's waiting proposals, saying why (`withdrawn_reason`); returns their ids. */
export const WITHDRAW_PROPOSALS_SQL =
  "UPDATE proposed_correction SET status = 'withdrawn', withdrawn_reason = ? WHERE exception_id = ? AND status = 'proposed' RETURNING id";

function requireIds(ids: unknown, what: string): number[] {
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((x) => Number.isInteger(x))) {
    throw new UserError("BAD_REQUEST", `give at least one ${what} id`);
  }
  return ids as number[];
}

function itemsByKeys(store: Store, reconId: number, side: ReconSide, keys: string[]): ItemRef[] {
  const stmt = store.sqlite.prepare(
    "SELECT id, side, row_key, group_id, status, amount_cents, locked FROM recon_item WHERE reconciliation_id = ? AND side = ? AND row_key = ?",
  );
  // A key given twice is one row: counted twice, a manual match would store totals its rows never have.
  return [...new Set(keys)].map((k) => {
    const item = stmt.get(reconId, side, k) as ItemRef | undefined;
    if (!item) throw new UserError("NOT_FOUND", `There is no ${side} row "${k}" in this reconciliation.`);
    if (item.locked === 1) throw new UserError("LOCKED", `Row ${k} is locked (signed off); unlock the reconciliation first.`);
    return item;
  });
}

/** The keys of the rows in these groups. */
function memberKeys(store: Store, groupIds: number[]): string[] {
  const stmt = store.sqlite.prepare("SELECT row_key FROM recon_item WHERE group_id = ?").pluck();
  return groupIds.flatMap((g) => stmt.all(g) as string[]);
}

/** Breaks a group apart: its rows go back to unmatched (the next run classifies them). */
function dissolve(store: Store, groupId: number, hold: boolean): number {
  const db = store.sqlite;
  const r = db
    .prepare("UPDATE recon_item SET group_id = NULL, status = 'unmatched', reason = NULL, hold = ? WHERE group_id = ?")
    .run(hold ? 1 : 0, groupId);
  db.prepare("UPDATE recon_exception SET group_id = NULL WHERE group_id = ?").run(groupId);
  db.prepare("DELETE FROM match_group WHERE id = ?").run(groupId);
  return r.changes;
}

function assertGroupsUnlocked(store: Store, groupIds: number[]): void {
  for (const id of groupIds) {
    const g = store.sqlite.prepare("SELECT locked FROM match_group WHERE id = ?").get(id) as { locked: number } | undefined;
    if (!g) throw new UserError("NOT_FOUND", `There is no match group ${id}.`);
    if (g.locked === 1) throw new UserError("LOCKED", `Match group ${id} is locked (signed off); unlock the reconciliation first.`);
  }
}

export function matchManual(
  store: Store,
  actor: string,
  args: { templateId: string; period: string; leftKeys: string[]; rightKeys: string[]; note?: string },
): MatchGroupInfo {
  if (
    !Array.isArray(args.leftKeys) ||
    !Array.isArray(args.rightKeys) ||
    args.leftKeys.length + args.rightKeys.length < 2 ||
    args.leftKeys.length === 0 ||
    args.rightKeys.length === 0
  ) {
    throw new UserError("BAD_REQUEST", "a manual match needs at least one row on each side");
  }
  const reconId = reconciliationId(store, args.templateId, args.period);
  const db = store.sqlite;
  const groupId = db
    .transaction(() => {
      const left = itemsByKeys(store, reconId, "left", args.leftKeys);
      const right = itemsByKeys(store, reconId, "right", args.rightKeys);
      const before = [...left, ...right].map((i) => ({ side: i.side, key: i.row_key, status: i.status, groupId: i.group_id }));
      const oldGroups = [...new Set([...left, ...right].map((i) => i.group_id).filter((g): g is number => g !== null))];
      assertGroupsUnlocked(store, oldGroups);
      // Rows of the groups broken up here that the new match leaves out: what their old match settled is open again.
      const matched = new Set([...args.leftKeys, ...args.rightKeys]);
      const leftOut = memberKeys(store, oldGroups).filter((k) => !matched.has(k));
      for (const g of oldGroups) dissolve(store, g, false);
      const reopened = reopenSettled(store, reconId, leftOut);
      const ls = left.reduce((s, i) => s + (i.amount_cents ?? 0), 0);
      const rs = right.reduce((s, i) => s + (i.amount_cents ?? 0), 0);
      const explanation =
        `Matched by hand by ${actor}: ${left.length} left (${formatCents(ls)}) with ${right.length} right (${formatCents(rs)})` +
        (ls === rs ? ", amounts equal" : `, difference ${formatCents(ls - rs)}`) +
        (args.note ? ` — ${args.note}` : "");
      const id = nextIds(store, "match_group", 1);
      db.prepare(
        `INSERT INTO match_group (id, reconciliation_id, run_id, pass_id, kind, score, explanation, left_cents, right_cents, locked, created_by, created_at, note)
         VALUES (?, ?, NULL, NULL, 'manual', NULL, ?, ?, ?, 0, ?, ?, ?)`,
      ).run(id, reconId, explanation, ls, rs, actor, now(), args.note ?? null);
      const set = db.prepare(
        "UPDATE recon_item SET group_id = ?, status = 'matched', reason = NULL, hold = 0, explained_by = NULL, explained_note = NULL WHERE id = ?",
      );
      for (const i of [...left, ...right]) set.run(id, i.id);
      // The breaks these rows raised are settled by the match; a later run re-raises what still applies.
      const settled = resolveByKeys(store, reconId, [...args.leftKeys, ...args.rightKeys], actor, `matched by hand (group ${id})`);
      appendAudit(store, {
        actor,
        action: "match",
        entityType: "match-group",
        entityId: String(id),
        before,
        after: {
          templateId: args.templateId,
          period: args.period,
          leftKeys: args.leftKeys,
          rightKeys: args.rightKeys,
          leftCents: ls,
          rightCents: rs,
          ...(reopened.length > 0 ? { reopenedExceptions: reopened } : {}),
          ...settled,
        },
        reason: args.note ?? null,
      });
      return id;
    })
    .immediate();
  return getGroup(store, groupId);
}

/** The unlocked exceptions of a reconciliation in a state (and, when asked, settled by a decision) that name any of these rows. */
function exceptionsNaming(store: Store, reconId: number, keys: string[], where: string): number[] {
  const keySet = new Set(keys);
  const found = store.sqlite
    .prepare(`SELECT id, left_keys_json, right_keys_json FROM recon_exception WHERE reconciliation_id = ? AND locked = 0 AND ${where}`)
    .all(reconId) as { id: number; left_keys_json: string; right_keys_json: string }[];
  return found
    .filter((e) =>
      [...(JSON.parse(e.left_keys_json) as string[]), ...(JSON.parse(e.right_keys_json) as string[])].some((k) => keySet.has(k)),
    )
    .map((e) => e.id);
}

/**
 * A break that is resolved needs no correction: a proposal still waiting is withdrawn, so the
 * journal cannot be posted as well as the match or explanation that settled the break.
 */
function withdrawProposals(store: Store, exceptionId: number, why: "break-settled" | "break-resolved"): number[] {
  return store.sqlite.prepare(WITHDRAW_PROPOSALS_SQL).pluck().all(why, exceptionId) as number[];
}

/**
 * A manual match or an explanation settles the open breaks of its rows (undoing it reopens them);
 * returns what it settled and the proposals it withdrew, for the decision's audit entry.
 */
function resolveByKeys(
  store: Store,
  reconId: number,
  keys: string[],
  actor: string,
  resolution: string,
): { settledExceptions?: number[]; withdrawnCorrections?: number[] } {
  const resolve = store.sqlite.prepare(
    "UPDATE recon_exception SET status = 'resolved', resolved_at = ?, resolved_by = ?, resolution = ?, settled_by_decision = 1 WHERE id = ?",
  );
  const settled = exceptionsNaming(store, reconId, keys, "status = 'open'");
  const withdrawn: number[] = [];
  for (const id of settled) {
    resolve.run(now(), actor, resolution, id);
    withdrawn.push(...withdrawProposals(store, id, "break-settled"));
  }
  return {
    ...(settled.length > 0 ? { settledExceptions: settled } : {}),
    ...(withdrawn.length > 0 ? { withdrawnCorrections: withdrawn } : {}),
  };
}

/**
 * Undoing a manual match or an explanation reopens the breaks it settled for those rows; the
 * next run raises again what still applies (its correction too) and clears the rest.
 */
function reopenSettled(store: Store, reconId: number, keys: string[]): number[] {
  const ids = exceptionsNaming(store, reconId, keys, "status = 'resolved' AND settled_by_decision = 1");
  const reopen = store.sqlite.prepare(REOPEN_EXCEPTION_SQL);
  for (const id of ids) reopen.run(id);
  return ids;
}

export function confirmGroups(store: Store, actor: string, groupIds: number[]): { confirmed: number } {
  const ids = requireIds(groupIds, "group");
  return store.sqlite
    .transaction(() => {
      let confirmed = 0;
      for (const id of ids) {
        const g = store.sqlite.prepare("SELECT kind, explanation FROM match_group WHERE id = ?").get(id) as
          { kind: string; explanation: string } | undefined;
        if (!g) throw new UserError("NOT_FOUND", `There is no match group ${id}.`);
        if (g.kind !== "suggested") continue;
        store.sqlite
          .prepare("UPDATE match_group SET kind = 'manual', explanation = ?, created_by = ? WHERE id = ?")
          .run(`${g.explanation}; confirmed by ${actor}`, actor, id);
        store.sqlite.prepare("UPDATE recon_item SET status = 'matched', reason = NULL, hold = 0 WHERE group_id = ?").run(id);
        appendAudit(store, {
          actor,
          action: "confirm-match",
          entityType: "match-group",
          entityId: String(id),
          before: { kind: "suggested" },
          after: { kind: "manual" },
        });
        confirmed++;
      }
      return { confirmed };
    })
    .immediate();
}

export function unmatchGroups(store: Store, actor: string, groupIds: number[], reason?: string): { unmatched: number } {
  const ids = requireIds(groupIds, "group");
  return store.sqlite
    .transaction(() => {
      assertGroupsUnlocked(store, ids);
      let unmatched = 0;
      for (const id of ids) {
        const members = store.sqlite.prepare("SELECT side, row_key FROM recon_item WHERE group_id = ?").all(id) as {
          side: string;
          row_key: string;
        }[];
        const g = store.sqlite.prepare("SELECT reconciliation_id, kind, pass_id, explanation FROM match_group WHERE id = ?").get(id) as {
          reconciliation_id: number;
          kind: string;
          pass_id: string | null;
          explanation: string;
        };
        // Held: automatic passes leave these rows alone until a person matches them again.
        dissolve(store, id, true);
        const reopened = reopenSettled(
          store,
          g.reconciliation_id,
          members.map((m) => m.row_key),
        );
        appendAudit(store, {
          actor,
          action: "unmatch",
          entityType: "match-group",
          entityId: String(id),
          before: { group: { kind: g.kind, pass_id: g.pass_id, explanation: g.explanation }, members },
          after: reopened.length > 0 ? { reopenedExceptions: reopened } : null,
          reason: reason ?? null,
        });
        unmatched++;
      }
      return { unmatched };
    })
    .immediate();
}

export function explainItems(
  store: Store,
  actor: string,
  args: { templateId: string; period: string; side: ReconSide; keys: string[]; note: string; explained?: boolean },
): { explained: number } {
  if (!Array.isArray(args.keys) || args.keys.length === 0) throw new UserError("BAD_REQUEST", "give the keys of the rows to explain");
  const explained = args.explained !== false;
  if (explained && (typeof args.note !== "string" || args.note.trim() === ""))
    throw new UserError("BAD_REQUEST", "an explanation needs a note saying why");
  const reconId = reconciliationId(store, args.templateId, args.period);
  return store.sqlite
    .transaction(() => {
      const items = itemsByKeys(store, reconId, args.side, args.keys);
      const groups = [...new Set(items.map((i) => i.group_id).filter((g): g is number => g !== null))];
      assertGroupsUnlocked(store, groups);
      const explaining = new Set(args.keys);
      const leftOut = memberKeys(store, groups).filter((k) => !explaining.has(k));
      for (const g of groups) dissolve(store, g, false);
      const set = explained
        ? store.sqlite.prepare(
            "UPDATE recon_item SET status = 'explained', reason = 'explained', explained_by = ?, explained_note = ?, group_id = NULL WHERE id = ?",
          )
        : store.sqlite.prepare(
            "UPDATE recon_item SET status = 'unmatched', reason = NULL, explained_by = ?, explained_note = ? WHERE id = ? AND status = 'explained'",
          );
      let n = 0;
      for (const i of items) n += set.run(explained ? actor : null, explained ? args.note : null, i.id).changes;
      // The partners of rows taken out of their groups, and rows unexplained, lose what settled their breaks.
      const reopened = reopenSettled(store, reconId, explained ? leftOut : [...leftOut, ...args.keys]);
      const settled = explained ? resolveByKeys(store, reconId, args.keys, actor, `explained: ${args.note}`) : {};
      appendAudit(store, {
        actor,
        action: explained ? "explain" : "unexplain",
        entityType: "recon-items",
        entityId: `${args.templateId}/${args.period}/${args.side}`,
        before: items.map((i) => ({ key: i.row_key, status: i.status })),
        after: { keys: args.keys, explained, ...(reopened.length > 0 ? { reopenedExceptions: reopened } : {}), ...settled },
        reason: args.note ?? null,
      });
      return { explained: n };
    })
    .immediate();
}

export function lockReconciliation(store: Store, actor: string, args: { templateId: string; period: string; locked: boolean }) {
  const reconId = reconciliationId(store, args.templateId, args.period);
  const v = args.locked ? 1 : 0;
  return store.sqlite
    .transaction(() => {
      const groups = store.sqlite.prepare("UPDATE match_group SET locked = ? WHERE reconciliation_id = ?").run(v, reconId).changes;
      const items = store.sqlite.prepare("UPDATE recon_item SET locked = ? WHERE reconciliation_id = ?").run(v, reconId).changes;
      const exceptions = store.sqlite.prepare("UPDATE recon_exception SET locked = ? WHERE reconciliation_id = ?").run(v, reconId).changes;
      appendAudit(store, {
        actor,
        action: args.locked ? "lock" : "unlock",
        entityType: "reconciliation",
        entityId: `${args.templateId}/${args.period}`,
        after: { groups, items, exceptions },
      });
      return { groups, items, exceptions };
    })
    .immediate();
}

function exceptionState(store: Store, id: number) {
  const e = store.sqlite.prepare("SELECT id, status, owner, resolution, locked FROM recon_exception WHERE id = ?").get(id) as
    { id: number; status: string; owner: string | null; resolution: string | null; locked: number } | undefined;
  if (!e) throw new UserError("NOT_FOUND", `There is no exception ${id}.`);
  return e;
}

export function assignExceptions(store: Store, actor: string, exceptionIds: number[], owner: string | null): { assigned: number } {
  const ids = requireIds(exceptionIds, "exception");
  if (owner !== null && (typeof owner !== "string" || owner === ""))
    throw new UserError("BAD_REQUEST", "owner is a user id, or null to unassign");
  const notOwner = owner === null ? null : whyNotOwner(store, owner);
  if (notOwner) throw new UserError("BAD_OWNER", `Cannot assign to ${owner}: ${notOwner}.`);
  return store.sqlite
    .transaction(() => {
      let assigned = 0;
      for (const id of ids) {
        const before = exceptionState(store, id);
        assigned += store.sqlite.prepare("UPDATE recon_exception SET owner = ? WHERE id = ?").run(owner, id).changes;
        appendAudit(store, {
          actor,
          action: "assign",
          entityType: "exception",
          entityId: String(id),
          before: { owner: before.owner },
          after: { owner },
        });
      }
      return { assigned };
    })
    .immediate();
}

export function commentException(store: Store, actor: string, exceptionId: number, text: string): ExceptionComment {
  if (typeof text !== "string" || text.trim() === "") throw new UserError("BAD_REQUEST", "a comment needs text");
  return store.sqlite
    .transaction(() => {
      exceptionState(store, exceptionId);
      const at = now();
      const id = Number(
        store.sqlite
          .prepare("INSERT INTO recon_exception_comment (exception_id, author, at, text) VALUES (?, ?, ?, ?)")
          .run(exceptionId, actor, at, text).lastInsertRowid,
      );
      appendAudit(store, {
        actor,
        action: "comment",
        entityType: "exception",
        entityId: String(exceptionId),
        after: { commentId: id, text },
      });
      return { commentId: id, author: actor, at, text };
    })
    .immediate();
}

export function resolveExceptions(store: Store, actor: string, exceptionIds: number[], resolution: string): { resolved: number } {
  const ids = requireIds(exceptionIds, "exception");
  if (typeof resolution !== "string" || resolution.trim() === "") throw new UserError("BAD_REQUEST", "say how the exception was resolved");
  return store.sqlite
    .transaction(() => {
      let resolved = 0;
      for (const id of ids) {
        const before = exceptionState(store, id);
        if (before.locked === 1) throw new UserError("LOCKED", `Exception ${id} is locked (signed off).`);
        // A cleared break is one the last run no longer raised: nothing to resolve, and resolving it
        // would let a reopen bring back a break the rules do not raise.
        if (before.status === "resolved" || before.status === "cleared") continue;
        resolved += store.sqlite
          .prepare(
            "UPDATE recon_exception SET status = 'resolved', resolved_at = ?, resolved_by = ?, resolution = ?, settled_by_decision = 0 WHERE id = ?",
          )
          .run(now(), actor, resolution, id).changes;
        const withdrawn = withdrawProposals(store, id, "break-resolved");
        appendAudit(store, {
          actor,
          action: "resolve",
          entityType: "exception",
          entityId: String(id),
          before: { status: before.status },
          after: { status: "resolved", ...(withdrawn.length > 0 ? { withdrawnCorrections: withdrawn } : {}) },
          reason: resolution,
        });
      }
      return { resolved };
    })
    .immediate();
}

export function reopenExceptions(store: Store, actor: string, exceptionIds: number[]): { reopened: number } {
  const ids = requireIds(exceptionIds, "exception");
  return store.sqlite
    .transaction(() => {
      let reopened = 0;
      for (const id of ids) {
        const before = exceptionState(store, id);
        if (before.locked === 1) throw new UserError("LOCKED", `Exception ${id} is locked (signed off).`);
        if (before.status !== "resolved") continue;
        reopened += store.sqlite.prepare(REOPEN_EXCEPTION_SQL).run(id).changes;
        appendAudit(store, {
          actor,
          action: "reopen",
          entityType: "exception",
          entityId: String(id),
          before: { status: "resolved", resolution: before.resolution },
          after: { status: "open" },
        });
      }
      return { reopened };
    })
    .immediate();
}

export function setCorrectionStatus(
  store: Store,
  actor: string,
  correctionIds: number[],
  status: "accepted" | "withdrawn",
): { updated: number } {
  const ids = requireIds(correctionIds, "correction");
  if (status !== "accepted" && status !== "withdrawn") throw new UserError("BAD_REQUEST", 'status is "accepted" or "withdrawn"');
  return store.sqlite
    .transaction(() => {
      let updated = 0;
      for (const id of ids) {
        const before = store.sqlite.prepare("SELECT status FROM proposed_correction WHERE id = ?").get(id) as
          { status: string } | undefined;
        if (!before) throw new UserError("NOT_FOUND", `There is no proposed correction ${id}.`);
        // withdrawn_reason NULL: a person withdrew it (or it was accepted), and no run proposes it again.
        updated += store.sqlite
          .prepare("UPDATE proposed_correction SET status = ?, withdrawn_reason = NULL WHERE id = ?")
          .run(status, id).changes;
        appendAudit(store, {
          actor,
          action: `correction-${status}`,
          entityType: "proposed-correction",
          entityId: String(id),
          before,
          after: { status },
        });
      }
      return { updated };
    })
    .immediate();
}

export function saveView(
  store: Store,
  owner: string,
  args: { name: string; templateId?: string | null; definition: Record<string, unknown> },
): SavedView {
  if (typeof args.name !== "string" || args.name.trim() === "") throw new UserError("BAD_REQUEST", "a saved view needs a name");
  store.sqlite
    .prepare(
      `INSERT INTO recon_saved_view (owner, name, template_id, definition_json, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (owner, name) DO UPDATE SET template_id = excluded.template_id, definition_json = excluded.definition_json`,
    )
    .run(owner, args.name, args.templateId ?? null, JSON.stringify(args.definition ?? {}), now());
  return listViews(store, owner).find((v) => v.name === args.name)!;
}

export function deleteView(store: Store, owner: string, viewId: number): { deleted: boolean } {
  return { deleted: store.sqlite.prepare("DELETE FROM recon_saved_view WHERE id = ? AND owner = ?").run(viewId, owner).changes > 0 };
}
