import type { SignoffRole } from "../../../src-shared/api/audit";
import type { EngineEventBus } from "../events";
import { requireUser, UserError, type EngineContext } from "../handlerRegistry";
import { exportExceptionsWorkbook, importExceptionsWorkbook } from "../workpapers/exceptionsRoundtrip";
import { listExports } from "../workpapers/exportWorkpaper";
import { reconSourceFor } from "../workpapers/reconSource";
import { listAudit, verifyAuditChain } from "./auditLog";
import { checkReconPeriod, enforceSignoffs, signOff, signoffStatus, withdrawSignoff, withFigures, type SignoffChange } from "./signoff";

function checkRole(role: unknown): SignoffRole {
  if (role !== "preparer" && role !== "reviewer")
    throw new UserError("BAD_REQUEST", `a sign-off is as preparer or reviewer, not "${String(role)}"`);
  return role;
}

function announce(events: EngineEventBus, changes: SignoffChange[]): void {
  for (const change of changes) events.emit("signoff/changed", change);
  if (changes.length > 0) events.emit("store/changed", { tables: ["signoff", "audit_log"] });
}

/**
 * For other capabilities' handlers: call after anything that can change a signed figure of a
 * reconciliation and period (a run, match, unmatch, explain, an adjustment posted). Voids
 * sign-offs whose figures changed, with the audit entry, and tells open screens.
 */
export function afterReconChange(context: Pick<EngineContext, "store" | "events">, reconId: string, period: string, actor: string): void {
  announce(context.events, enforceSignoffs(context.store, reconSourceFor(context.store), reconId, period, actor));
}

/** Registers the audit capability's methods (declared in src-shared/api/audit.ts). */
export function registerAuditHandlers({ store, events, reads, registry }: EngineContext): void {
  const source = () => reconSourceFor(store);

  registry.register("audit/list", (args) => {
    const { offset, limit, ...filter } = args ?? {};
    return listAudit(store, filter, offset ?? 0, limit ?? 100);
  });
  registry.register("audit/verify", () => verifyAuditChain(store));

  registry.register("signoff/status", async (args, call) => {
    const { reconId, period } = checkReconPeriod(args?.reconId, args?.period);
    // The figures are the slow part (a pass over every stored row); on a large reconciliation
    // they are worked out in the reader thread, and only the sign-off rows are read here.
    const figures = await reads.read("signoff/figures", { reconId, period });
    const { status, changes } = signoffStatus(store, withFigures(source(), reconId, period, figures), reconId, period, call.actor);
    announce(events, changes);
    return status;
  });
  registry.register("signoff/sign", (args, call) => {
    const { reconId, period } = checkReconPeriod(args?.reconId, args?.period);
    const { status, changes } = signOff(store, source(), requireUser(call), {
      reconId,
      period,
      role: checkRole(args.role),
      comment: typeof args.comment === "string" && args.comment.trim() ? args.comment.trim() : undefined,
      expectedFingerprint: typeof args.expectedFingerprint === "string" ? args.expectedFingerprint : undefined,
    });
    announce(events, changes);
    return status;
  });
  registry.register("signoff/void", (args, call) => {
    const { reconId, period } = checkReconPeriod(args?.reconId, args?.period);
    const { status, changes } = withdrawSignoff(store, source(), requireUser(call), {
      reconId,
      period,
      role: checkRole(args.role),
      reason: String(args.reason ?? ""),
    });
    announce(events, changes);
    return status;
  });

  registry.register("workpaper/list", (args) => listExports(store, args ?? {}));
  registry.register(
    "exceptions/exportWorkbook",
    async (args, call) => {
      const record = await exportExceptionsWorkbook(store, source(), args, call.actor);
      events.emit("store/changed", { tables: ["workpaper_export", "audit_log"] });
      return record;
    },
    "preparer",
  );
  registry.register(
    "exceptions/importWorkbook",
    (args, call) => {
      if (typeof args?.path !== "string" || args.path === "")
        throw new UserError("BAD_REQUEST", "exceptions/importWorkbook needs the workbook's path");
      const result = importExceptionsWorkbook(store, source(), args.path, args.apply === true, call.actor);
      if (args.apply === true) events.emit("store/changed", { tables: ["*"] });
      return result;
    },
    "preparer",
  );
}
