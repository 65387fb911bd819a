import { sql, type Kysely } from "kysely";

/**
 * Breaks settled by a decision, and corrections withdrawn for a reason.
 *
 * A manual match or an explanation resolves the breaks of its rows. Until now undoing the
 * decision (unmatch, unexplain) left them resolved, so a break that came back was missing from
 * the open work. `settled_by_decision` marks those resolutions, so the undo reopens them.
 *
 * A correction proposed for a break stayed `proposed` when the break was resolved (it could be
 * posted as well as the match that settled it), kept its first amount when the break's amount
 * changed, and stayed withdrawn when a cleared break came back. `withdrawn_reason` says why a
 * correction was withdrawn: `break-cleared` (a run no longer found the break), `break-settled`
 * (a manual match or an explanation), `break-resolved` (a person resolved it); NULL when a
 * person withdrew it. A run proposes again what Tieout withdrew, never what a person did.
 *
 * On an existing store: a withdrawal the audit log does not show a person making was a run's (the
 * only other path), so it is `break-cleared`; a proposal still waiting on a break already settled
 * or resolved is withdrawn now, as the decision would have done.
 */
const columns = [
  `ALTER TABLE recon_exception ADD COLUMN settled_by_decision INTEGER NOT NULL DEFAULT 0`,
  `ALTER TABLE proposed_correction ADD COLUMN withdrawn_reason TEXT`,
];

/** What the new columns say of the breaks and proposals already in the store (exported for its test). */
export const backfill = [
  `UPDATE recon_exception SET settled_by_decision = 1
     WHERE status = 'resolved' AND (resolution LIKE 'matched by hand (group %' OR resolution LIKE 'explained: %')`,
  `UPDATE proposed_correction SET withdrawn_reason = 'break-cleared'
     WHERE status = 'withdrawn' AND CAST(id AS TEXT) NOT IN (
       SELECT entity_id FROM audit_log WHERE entity_type = 'proposed-correction' AND action = 'correction-withdrawn')`,
  `UPDATE proposed_correction SET status = 'withdrawn',
       withdrawn_reason = (SELECT CASE WHEN e.settled_by_decision = 1 THEN 'break-settled' ELSE 'break-resolved' END
                           FROM recon_exception e WHERE e.id = proposed_correction.exception_id)
     WHERE status = 'proposed' AND exception_id IN (SELECT id FROM recon_exception WHERE status = 'resolved' AND locked = 0)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [...columns, ...backfill]) await sql.raw(statement).execute(db);
}
