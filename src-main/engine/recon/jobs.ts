import type { ReconJobParams } from "../../../src-shared/api/recon";
import { UserError } from "../handlerRegistry";
import { JobCancelledError, type JobDefinition } from "../jobs/jobContext";
import { builtInRules, shownRules } from "./rules";
import { ReconCancelled, runReconciliation } from "./run";
import { MatchCancelled } from "../match/matcher";
import { periodWindow } from "./sides";

const RECON: JobDefinition<"recon"> = {
  // As recon/run: a run re-classifies the period and can void a standing sign-off.
  access: "preparer",
  once: true,
  validate(params) {
    const p = params as { templateId?: unknown; period?: unknown } | null;
    if (typeof p?.templateId !== "string" || typeof p.period !== "string") {
      throw new UserError("BAD_REQUEST", "a reconciliation run needs a templateId and a period (YYYY-MM)");
    }
    builtInRules(p.templateId);
    periodWindow(p.period, 0);
    return { templateId: p.templateId, period: p.period };
  },
  // The name in the rules in use: a reviewer may have renamed the template.
  label: ({ templateId, period }, store) => `Reconcile ${shownRules(store, templateId).template.name}, ${period}`,
  run(context, params) {
    try {
      const summary = runReconciliation(context.store, params.templateId, params.period, {
        actor: context.actor,
        isCancelled: context.isCancelled,
        progress: (phase, done, total) => context.progress(phase, done, total),
      });
      return { ...summary } as unknown as Record<string, unknown>;
    } catch (error) {
      if (error instanceof ReconCancelled || error instanceof MatchCancelled) throw new JobCancelledError();
      throw error;
    }
  },
};

/** The recon capability's long jobs, run in worker threads. */
export const RECON_JOBS: { [K in keyof ReconJobParams]: JobDefinition<K> } = { recon: RECON };
