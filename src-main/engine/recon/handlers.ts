import { afterReconChange } from "../audit/handlers";
import type { EngineContext } from "../handlerRegistry";
import { UserError } from "../handlerRegistry";
import {
  assignExceptions,
  commentException,
  confirmGroups,
  deleteView,
  explainItems,
  lockReconciliation,
  matchManual,
  reopenExceptions,
  resolveExceptions,
  saveView,
  setCorrectionStatus,
  unmatchGroups,
} from "./decisions";
import { getException, getGroup, listCorrections, listExceptions, listRuns, listTemplates, listViews } from "./queries";
import { activeRules, ruleSets, saveRules, useRules } from "./rules";
import { runReconciliation } from "./run";

function ref(args: { templateId?: unknown; period?: unknown } | null | undefined): { templateId: string; period: string } {
  if (typeof args?.templateId !== "string" || typeof args.period !== "string") {
    throw new UserError("BAD_REQUEST", "give the templateId and the period (YYYY-MM)");
  }
  return { templateId: args.templateId, period: args.period };
}

/** Registers the recon capability's methods (declared in src-shared/api/recon.ts). Thin: validate, call the domain, return. */
export function registerReconHandlers({ store, events, reads, registry }: EngineContext): void {
  // Grids refresh, and a sign-off whose figures this changed is voided at once (strict tie-out).
  // The change is committed before this runs: a failed re-check is logged, never reported as the
  // change failing, and the next status read re-checks.
  const changed = async (templateId: string, period: string, actor: string, runId: number | null = null) => {
    events.emit("recon/changed", { templateId, period, runId });
    await afterReconChange({ store, events, reads }, templateId, period, actor).catch((error: unknown) =>
      console.error(`Tieout: re-checking the sign-offs of ${templateId} ${period}: ${(error as Error).message}`),
    );
  };
  // A run started as a job (the Reconcile page, the CLI) ends in a worker: the same follow-up here.
  events.on("job/finished", (job) => {
    if (job.kind !== "recon" || job.status !== "succeeded" || !job.result) return;
    const { templateId, period, runId } = job.result as { templateId: string; period: string; runId: number };
    const by = store.sqlite.prepare("SELECT requested_by FROM job WHERE id = ?").get(job.id) as { requested_by: string } | undefined;
    void changed(templateId, period, by?.requested_by ?? "system", runId);
  });
  registry.register("recon/templates", () => listTemplates(store));
  registry.register("recon/template", (args) => activeRules(store, String(args?.templateId)).template);
  registry.register("recon/rules", (args) => ruleSets(store, String(args?.templateId)));
  registry.register(
    "recon/saveRules",
    (args, call) => {
      const saved = saveRules(store, call.actor, String(args?.templateId), args?.definition, args?.note, args?.basedOn);
      events.emit("recon/rulesChanged", { templateId: saved.templateId, version: saved.version });
      return saved;
    },
    "reviewer",
  );
  registry.register(
    "recon/useRules",
    (args, call) => {
      const used = useRules(store, call.actor, String(args?.templateId), args?.hash, args?.note);
      events.emit("recon/rulesChanged", { templateId: used.templateId, version: used.version });
      return used;
    },
    "reviewer",
  );
  registry.register("recon/list", (args) => reads.read("recon/list", { period: args?.period }));
  registry.register(
    "recon/run",
    async (args, call) => {
      const { templateId, period } = ref(args);
      const summary = runReconciliation(store, templateId, period, { actor: call.actor });
      await changed(templateId, period, call.actor, summary.runId);
      return summary;
    },
    "preparer",
  );
  registry.register("recon/runs", (args) => {
    const { templateId, period } = ref(args);
    return listRuns(store, templateId, period, args.limit ?? 50);
  });
  registry.register("recon/balance", (args) => {
    return reads.read("recon/balance", ref(args));
  });
  registry.register("recon/rows", (args) => {
    ref(args);
    return reads.read("recon/rows", args);
  });
  registry.register("recon/group", (args) => {
    if (!Number.isInteger(args?.groupId)) throw new UserError("BAD_REQUEST", "give the groupId");
    return getGroup(store, args.groupId);
  });
  registry.register(
    "recon/matchManual",
    async (args, call) => {
      const { templateId, period } = ref(args);
      const group = matchManual(store, call.actor, { ...args, templateId, period });
      await changed(templateId, period, call.actor);
      return group;
    },
    "preparer",
  );
  // Actions addressed by group or exception ids: find their reconciliations first, so grids
  // refresh and sign-offs are re-checked there too.
  const reconsOf = (table: "match_group" | "recon_exception", ids: unknown): { templateId: string; period: string }[] => {
    const list = Array.isArray(ids) ? ids.filter((id): id is number => Number.isInteger(id)) : [];
    if (list.length === 0) return [];
    return store.sqlite
      .prepare(
        `SELECT DISTINCT c.template_id AS templateId, c.period FROM ${table} x JOIN reconciliation c ON c.id = x.reconciliation_id
         WHERE x.id IN (${list.map(() => "?").join(", ")})`,
      )
      .all(...list) as { templateId: string; period: string }[];
  };
  const withChanged = async <T>(table: "match_group" | "recon_exception", ids: unknown, actor: string, action: () => T): Promise<T> => {
    const recons = reconsOf(table, ids);
    const result = action();
    for (const r of recons) await changed(r.templateId, r.period, actor);
    return result;
  };
  registry.register(
    "recon/confirm",
    (args, call) => withChanged("match_group", args?.groupIds, call.actor, () => confirmGroups(store, call.actor, args?.groupIds)),
    "preparer",
  );
  registry.register(
    "recon/unmatch",
    (args, call) =>
      withChanged("match_group", args?.groupIds, call.actor, () => unmatchGroups(store, call.actor, args?.groupIds, args?.reason)),
    "preparer",
  );
  registry.register(
    "recon/explain",
    async (args, call) => {
      const { templateId, period } = ref(args);
      const result = explainItems(store, call.actor, { ...args, templateId, period });
      await changed(templateId, period, call.actor);
      return result;
    },
    "preparer",
  );
  registry.register(
    "recon/lock",
    async (args, call) => {
      const { templateId, period } = ref(args);
      const result = lockReconciliation(store, call.actor, { templateId, period, locked: args.locked !== false });
      await changed(templateId, period, call.actor);
      return result;
    },
    "reviewer",
  );
  registry.register("exceptions/list", (args) => listExceptions(store, args ?? { offset: 0, limit: 100 }));
  registry.register("exceptions/get", (args) => {
    if (!Number.isInteger(args?.exceptionId)) throw new UserError("BAD_REQUEST", "give the exceptionId");
    return getException(store, args.exceptionId);
  });
  registry.register(
    "exceptions/assign",
    (args, call) =>
      withChanged("recon_exception", args?.exceptionIds, call.actor, () =>
        assignExceptions(store, call.actor, args?.exceptionIds, args?.owner ?? null),
      ),
    "preparer",
  );
  registry.register(
    "exceptions/comment",
    (args, call) =>
      withChanged("recon_exception", [args?.exceptionId], call.actor, () =>
        commentException(store, call.actor, args?.exceptionId, args?.text),
      ),
    "signed-in",
  );
  registry.register(
    "exceptions/resolve",
    (args, call) =>
      withChanged("recon_exception", args?.exceptionIds, call.actor, () =>
        resolveExceptions(store, call.actor, args?.exceptionIds, args?.resolution),
      ),
    "preparer",
  );
  registry.register(
    "exceptions/reopen",
    (args, call) =>
      withChanged("recon_exception", args?.exceptionIds, call.actor, () => reopenExceptions(store, call.actor, args?.exceptionIds)),
    "preparer",
  );
  registry.register("recon/corrections", (args) => listCorrections(store, args ?? {}));
  registry.register(
    "recon/correctionStatus",
    (args, call) => setCorrectionStatus(store, call.actor, args?.correctionIds, args?.status),
    "preparer",
  );
  registry.register("recon/views", (args, call) => listViews(store, call.actor, args?.templateId));
  registry.register("recon/saveView", (args, call) => saveView(store, call.actor, args));
  registry.register("recon/deleteView", (args, call) => deleteView(store, call.actor, args?.viewId));
}
