import { createHash } from "node:crypto";
import { hasRole, type UserInfo } from "../../../src-shared/api";
import { unexplainedIn, type SignedFigures, type SignoffInfo, type SignoffRole, type SignoffStatus } from "../../../src-shared/api/audit";
import { isPeriod } from "../../../src-shared/period";
import { centsToDecimal } from "../../../src-shared/money";
import { UserError } from "../handlerRegistry";
import type { Store } from "../store/store";
import type { SignoffTable } from "../store/signoff.table";
import type { ReconRunSummary, ReconSource } from "../workpapers/reconSource";
import type { AdjustmentLine } from "../workpapers/workpaperData";
import { appendAudit } from "./auditLog";

export function checkReconPeriod(reconId: unknown, period: unknown): { reconId: string; period: string } {
  if (typeof reconId !== "string" || reconId.trim() === "") throw new UserError("BAD_REQUEST", "a reconciliation id is needed");
  if (!isPeriod(period)) throw new UserError("BAD_REQUEST", `a period is YYYY-MM, e.g. 2026-10; found "${String(period)}"`);
  return { reconId, period };
}

/** The entity id sign-offs, exports and the round trip use in the audit trail. */
export const reconPeriodEntity = (reconId: string, period: string) => `${reconId}/${period}`;

/** Net amount of adjustment lines (debits − credits) by status. */
function adjustmentTotal(lines: AdjustmentLine[], statuses: AdjustmentLine["status"][]): number {
  return lines.filter((l) => statuses.includes(l.status)).reduce((sum, l) => sum + l.debitCents - l.creditCents, 0);
}

/** The figures a sign-off covers, in a fixed order so the same figures always hash the same. */
export function signedFigures(
  reconId: string,
  period: string,
  summary: ReconRunSummary | null,
  adjustments: AdjustmentLine[],
): SignedFigures {
  return {
    reconId,
    period,
    ruleSetVersion: summary?.ruleSetVersion ?? null,
    leftBalanceCents: summary?.leftBalanceCents ?? 0,
    rightBalanceCents: summary?.rightBalanceCents ?? 0,
    reconcilingItems: (summary?.reconcilingByReason ?? [])
      .map((r) => ({ reason: r.reason, count: r.count, amountCents: r.amountCents }))
      .sort((a, b) => (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0)),
    matchedCount: summary?.matchedCount ?? 0,
    proposedAdjustmentsCents: adjustmentTotal(adjustments, ["proposed", "approved"]),
    postedAdjustmentsCents: adjustmentTotal(adjustments, ["posted"]),
    inputFileHashes: (summary?.inputFiles ?? []).map((f) => f.sha256).sort(),
  };
}

export function figuresFingerprint(figures: SignedFigures): string {
  return createHash("sha256").update(JSON.stringify(figures)).digest("hex");
}

const money = (cents: number) => centsToDecimal(cents);

/** Which signed figures differ, in words, for the audit trail and the panel. */
export function describeFigureChanges(signed: SignedFigures, now: SignedFigures): string[] {
  const changes: string[] = [];
  if (signed.leftBalanceCents !== now.leftBalanceCents)
    changes.push(`left balance ${money(signed.leftBalanceCents)} → ${money(now.leftBalanceCents)}`);
  if (signed.rightBalanceCents !== now.rightBalanceCents)
    changes.push(`right balance ${money(signed.rightBalanceCents)} → ${money(now.rightBalanceCents)}`);
  const before = new Map(signed.reconcilingItems.map((r) => [r.reason, r]));
  const after = new Map(now.reconcilingItems.map((r) => [r.reason, r]));
  for (const reason of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(reason) ?? { count: 0, amountCents: 0 };
    const a = after.get(reason) ?? { count: 0, amountCents: 0 };
    if (a.count !== b.count || a.amountCents !== b.amountCents)
      changes.push(
        `reconciling items "${reason}" ${b.count} totalling ${money(b.amountCents)} → ${a.count} totalling ${money(a.amountCents)}`,
      );
  }
  if (signed.matchedCount !== now.matchedCount) changes.push(`matched items ${signed.matchedCount} → ${now.matchedCount}`);
  if (signed.proposedAdjustmentsCents !== now.proposedAdjustmentsCents)
    changes.push(`proposed adjustments ${money(signed.proposedAdjustmentsCents)} → ${money(now.proposedAdjustmentsCents)}`);
  if (signed.postedAdjustmentsCents !== now.postedAdjustmentsCents)
    changes.push(`posted adjustments ${money(signed.postedAdjustmentsCents)} → ${money(now.postedAdjustmentsCents)}`);
  if (signed.ruleSetVersion !== now.ruleSetVersion)
    changes.push(`rule-set version ${signed.ruleSetVersion ?? "none"} → ${now.ruleSetVersion ?? "none"}`);
  if (JSON.stringify(signed.inputFileHashes) !== JSON.stringify(now.inputFileHashes)) changes.push("input files changed");
  return changes;
}

const toInfo = (row: SignoffTable & { id: number }): SignoffInfo => ({
  id: row.id,
  role: row.role,
  userId: row.user_id,
  displayName: row.display_name,
  signedAt: row.signed_at,
  comment: row.comment,
  fingerprint: row.fingerprint,
  voidedAt: row.voided_at,
  voidedBy: row.voided_by,
  voidReason: row.void_reason,
});

export interface SignoffChange {
  reconId: string;
  period: string;
  role: SignoffRole;
  change: "signed" | "voided";
  reason: string | null;
}

function rows(store: Store, reconId: string, period: string): (SignoffTable & { id: number })[] {
  return store.sqlite
    .prepare("SELECT * FROM signoff WHERE recon_id = ? AND period = ? ORDER BY id DESC")
    .all(reconId, period) as (SignoffTable & {
    id: number;
  })[];
}

function voidRow(store: Store, row: SignoffTable & { id: number }, actor: string, reason: string, action: string, after?: unknown): void {
  const at = new Date().toISOString();
  store.sqlite.prepare("UPDATE signoff SET voided_at = ?, voided_by = ?, void_reason = ? WHERE id = ?").run(at, actor, reason, row.id);
  appendAudit(store, {
    actor,
    action,
    entityType: "signoff",
    entityId: reconPeriodEntity(row.recon_id, row.period),
    before: {
      role: row.role,
      signedBy: row.user_id,
      signedAt: row.signed_at,
      fingerprint: row.fingerprint,
      figures: JSON.parse(row.figures_json),
    },
    ...(after === undefined ? {} : { after }),
    reason,
  });
}

/** Whether any sign-off of this reconciliation and period stands (one indexed read). */
export function hasStandingSignoff(store: Store, reconId: string, period: string): boolean {
  return rows(store, reconId, period).some((r) => r.voided_at === null);
}

/**
 * Strict tie-out: voids every standing sign-off whose fingerprint differs from the figures
 * now, with the changed figures in the audit trail, and a reviewer sign-off whose preparer
 * sign-off no longer stands. Call after anything that can change a signed figure (a recon
 * run, match, unmatch, adjustment posting); reading the status calls it too.
 */
export function enforceSignoffs(store: Store, source: ReconSource, reconId: string, period: string, actor = "system"): SignoffChange[] {
  // Nothing signed, nothing to void: the figures (a pass over every stored row, minutes on a
  // reconciliation of a million encounters) are only worked out when a sign-off stands.
  if (!hasStandingSignoff(store, reconId, period)) return [];
  const summary = source.summary(reconId, period);
  const figures = signedFigures(reconId, period, summary, source.adjustments(reconId, period));
  const fingerprint = figuresFingerprint(figures);
  const changes: SignoffChange[] = [];
  store.sqlite
    .transaction(() => {
      const standing = rows(store, reconId, period).filter((r) => r.voided_at === null);
      for (const row of standing) {
        if (row.fingerprint === fingerprint) continue;
        const what = describeFigureChanges(JSON.parse(row.figures_json) as SignedFigures, figures);
        const reason = `signed-off figures changed after sign-off: ${what.join("; ") || "fingerprint differs"}`;
        voidRow(store, row, actor, reason, "void sign-off", { fingerprint, figures });
        changes.push({ reconId, period, role: row.role, change: "voided", reason });
      }
      const preparerStands = rows(store, reconId, period).some((r) => r.role === "preparer" && r.voided_at === null);
      for (const row of rows(store, reconId, period).filter((r) => r.role === "reviewer" && r.voided_at === null)) {
        if (preparerStands) continue;
        const reason = "the preparer sign-off this review relied on was voided";
        voidRow(store, row, actor, reason, "void sign-off");
        changes.push({ reconId, period, role: "reviewer", change: "voided", reason });
      }
    })
    .immediate();
  return changes;
}

/**
 * The source with its figures worked out at most once per reconciliation and period: one
 * request checks them and then shows them, and working them out is a pass over every stored
 * row (half a minute on a million-encounter charge reconciliation).
 */
export function figuresOnce(source: ReconSource): ReconSource {
  const memo = new Map<string, ReturnType<ReconSource["summary"]>>();
  const summary = (reconId: string, period: string) => {
    const key = `${reconId}\u0001${period}`;
    if (!memo.has(key)) memo.set(key, source.summary(reconId, period));
    return memo.get(key)!;
  };
  return Object.assign(Object.create(source) as ReconSource, { summary });
}

/**
 * The source with one reconciliation and period's figures already worked out elsewhere (by the
 * reader thread, for a large reconciliation; see HeavyReads). Other reconciliations read as usual.
 */
export function withFigures(
  source: ReconSource,
  reconId: string,
  period: string,
  figures: { summary: ReturnType<ReconSource["summary"]>; adjustments: ReturnType<ReconSource["adjustments"]> },
): ReconSource {
  const mine = (r: string, p: string) => r === reconId && p === period;
  return Object.assign(Object.create(source) as ReconSource, {
    summary: (r: string, p: string) => (mine(r, p) ? figures.summary : source.summary(r, p)),
    adjustments: (r: string, p: string) => (mine(r, p) ? figures.adjustments : source.adjustments(r, p)),
  });
}

/** The sign-off state as stored, without re-checking (see `enforceSignoffs`). */
export function readSignoffStatus(store: Store, source: ReconSource, reconId: string, period: string): SignoffStatus {
  const summary = source.summary(reconId, period);
  const figures = signedFigures(reconId, period, summary, source.adjustments(reconId, period));
  const history = rows(store, reconId, period).map(toInfo);
  return {
    reconId,
    period,
    figures,
    fingerprint: figuresFingerprint(figures),
    preparer: history.find((s) => s.role === "preparer" && s.voidedAt === null) ?? null,
    reviewer: history.find((s) => s.role === "reviewer" && s.voidedAt === null) ?? null,
    history,
    figuresAvailable: summary !== null,
  };
}

export function signoffStatus(
  store: Store,
  source: ReconSource,
  reconId: string,
  period: string,
  actor = "system",
): { status: SignoffStatus; changes: SignoffChange[] } {
  source = figuresOnce(source);
  const changes = enforceSignoffs(store, source, reconId, period, actor);
  return { status: readSignoffStatus(store, source, reconId, period), changes };
}

/** Refuses a signer without the role, before any figures are worked out. */
export function checkSigner(user: UserInfo, role: SignoffRole): void {
  if (role !== "preparer" && role !== "reviewer")
    throw new UserError("BAD_REQUEST", `a sign-off is as preparer or reviewer, not "${String(role)}"`);
  if (!hasRole(user, role))
    throw new UserError("FORBIDDEN", `${user.displayName} does not have the ${role} role needed to sign off as ${role}.`);
}

/** Signs off the figures as they are now. A reviewer signs after someone else's preparer sign-off. */
export function signOff(
  store: Store,
  source: ReconSource,
  user: UserInfo,
  input: { reconId: string; period: string; role: SignoffRole; comment?: string | undefined; expectedFingerprint?: string | undefined },
): { status: SignoffStatus; changes: SignoffChange[] } {
  const { reconId, period, role } = input;
  checkSigner(user, role);
  source = figuresOnce(source);
  const changes = enforceSignoffs(store, source, reconId, period, user.userId);
  const summary = source.summary(reconId, period);
  if (!summary) throw new UserError("NOTHING_TO_SIGN", `Reconciliation ${reconId} has no run for ${period}; run it before signing off.`);
  const figures = signedFigures(reconId, period, summary, source.adjustments(reconId, period));
  const fingerprint = figuresFingerprint(figures);
  if (input.expectedFingerprint && input.expectedFingerprint !== fingerprint)
    throw new UserError("FIGURES_CHANGED", "The figures changed since you opened them. Review them again before signing off.");
  const reconciling = figures.reconcilingItems.reduce((s, r) => s + r.amountCents, 0);
  const difference = figures.leftBalanceCents + reconciling - figures.rightBalanceCents;
  if (difference !== 0)
    throw new UserError(
      "DOES_NOT_TIE",
      `${reconId} ${period} does not tie: left ${money(figures.leftBalanceCents)} + reconciling items ${money(reconciling)} − right ${money(figures.rightBalanceCents)} = ${money(difference)}, not zero.`,
    );
  // Rows nobody has matched, explained or raised make the figures add up by construction, but
  // they are the unexplained difference the balance shows: nothing to sign for until it is zero.
  const unexplained = unexplainedIn(figures);
  if (unexplained)
    throw new UserError(
      "UNEXPLAINED_DIFFERENCE",
      `${reconId} ${period} has ${unexplained.count} row${unexplained.count === 1 ? "" : "s"} not yet classified (an unexplained difference of ${money(unexplained.differenceCents)}): match, explain or raise them before signing off.`,
    );
  store.sqlite
    .transaction(() => {
      const standing = rows(store, reconId, period).filter((r) => r.voided_at === null);
      if (standing.some((r) => r.role === role))
        throw new UserError("ALREADY_SIGNED", `${reconId} ${period} already has a standing ${role} sign-off.`);
      if (role === "reviewer") {
        const preparer = standing.find((r) => r.role === "preparer");
        if (!preparer) throw new UserError("NEEDS_PREPARER", `${reconId} ${period} needs a preparer sign-off before review.`);
        if (preparer.user_id === user.userId)
          throw new UserError("SAME_PERSON", "The reviewer must be someone other than the preparer (maker ≠ checker).");
      }
      const signedAt = new Date().toISOString();
      store.sqlite
        .prepare(
          `INSERT INTO signoff (recon_id, period, role, user_id, display_name, signed_at, fingerprint, figures_json, comment)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(reconId, period, role, user.userId, user.displayName, signedAt, fingerprint, JSON.stringify(figures), input.comment ?? null);
      appendAudit(store, {
        actor: user.userId,
        action: "sign-off",
        entityType: "signoff",
        entityId: reconPeriodEntity(reconId, period),
        after: { role, fingerprint, figures },
        reason: input.comment ?? null,
      });
    })
    .immediate();
  changes.push({ reconId, period, role, change: "signed", reason: input.comment ?? null });
  return { status: readSignoffStatus(store, source, reconId, period), changes };
}

/** The standing sign-off a withdrawal would void, and its reason; refuses one that cannot be withdrawn. */
export function checkWithdrawal(
  store: Store,
  user: UserInfo,
  input: { reconId: string; period: string; role: SignoffRole; reason: string },
): { row: SignoffTable & { id: number }; reason: string } {
  const { reconId, period, role } = input;
  const reason = typeof input.reason === "string" ? input.reason.trim() : "";
  if (reason === "") throw new UserError("BAD_REQUEST", "Say why the sign-off is withdrawn.");
  const row = rows(store, reconId, period).find((r) => r.role === role && r.voided_at === null);
  if (!row) throw new UserError("NOT_SIGNED", `${reconId} ${period} has no standing ${role} sign-off.`);
  if (row.user_id !== user.userId && !user.roles.includes("admin"))
    throw new UserError("FORBIDDEN", `Only ${row.display_name}, who signed, or an administrator can withdraw this sign-off.`);
  return { row, reason };
}

/** Withdraws a standing sign-off with a reason; withdrawing the preparer's also voids the review. */
export function withdrawSignoff(
  store: Store,
  source: ReconSource,
  user: UserInfo,
  input: { reconId: string; period: string; role: SignoffRole; reason: string },
  /** `recheck: false` leaves re-checking the other sign-off to the next status read. */
  options: { recheck?: boolean } = {},
): { status: SignoffStatus; changes: SignoffChange[] } {
  const { reconId, period, role } = input;
  const changes: SignoffChange[] = [];
  store.sqlite
    .transaction(() => {
      const { row, reason } = checkWithdrawal(store, user, input);
      voidRow(store, row, user.userId, reason, "withdraw sign-off");
      changes.push({ reconId, period, role, change: "voided", reason });
    })
    .immediate();
  source = figuresOnce(source);
  if (options.recheck !== false) changes.push(...enforceSignoffs(store, source, reconId, period, user.userId));
  return { status: readSignoffStatus(store, source, reconId, period), changes };
}
