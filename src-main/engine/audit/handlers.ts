import type { SignoffRole } from "../../../src-shared/api/audit";
import type { EngineEventBus } from "../events";
import { requireUser, UserError, type EngineContext } from "../handlerRegistry";
import { exportExceptionsWorkbook, importExceptionsWorkbook } from "../workpapers/exceptionsRoundtrip";
import { listExports } from "../workpapers/exportWorkpaper";
import { reconSourceFor, type ReconSource } from "../workpapers/reconSource";
import { runRead, type ReadResult } from "../jobs/reads";
import { commitMark, ifUnchangedSince, type Store } from "../store/store";
import { listAudit, verifyAuditChain } from "./auditLog";
import {
  checkReconPeriod,
  checkSigner,
  checkWithdrawal,
  enforceSignoffs,
  hasStandingSignoff,
  readSignoffStatus,
  signOff,
  signoffStatus,
  withdrawSignoff,
  withFigures,
  type SignoffChange,
} from "./signoff";

function checkRole(role: unknown): SignoffRole {
  if (role !== "preparer" && role !== "reviewer")
    throw new UserError("BAD_REQUEST", `a sign-off is as preparer or reviewer, not "${String(role)}"`);
  return role;
}

function announce(events: EngineEventBus, changes: SignoffChange[]): void {
  for (const change of changes) events.emit("signoff/changed", change);
  if (changes.length > 0) events.emit("store/changed", { tables: ["signoff", "audit_log"] });
}

type FiguresContext = Pick<EngineContext, "store" | "reads">;
type Figures = ReadResult<"signoff/figures">;

/**
 * The figures last worked out per reconciliation and period, with the commit mark at which they
 * hold, per connection: opening the Sign-off panel, signing, and the reload after it need one
 * working-out between them, not three, while nothing else is committed.
 */
const lastFigures = new WeakMap<Store["sqlite"], Map<string, { mark: string; figures: Figures }>>();

/**
 * Runs `act` in one transaction over this reconciliation's figures, worked out just before it: in
 * the reader thread when the reconciliation is large (half a minute at a million encounters), so
 * the engine keeps answering meanwhile. `act` runs only if nothing was committed to the store
 * since the figures were read (`commitMark`), so what is signed, voided or shown is what the store
 * holds as the transaction commits; otherwise the figures are worked out again. The check is
 * store-wide, so an import committing batch after batch can keep them stale: after three tries
 * `whenBusy` gets the latest figures, to answer without writing (a status that voids nothing
 * until the next read), or without it the user is asked to try again (`STORE_BUSY`). The figures
 * are never worked out on the engine thread for that: it would stall every request.
 *
 * `writes` says whether `act` may write: only then does the transaction wait for the write lock.
 * `act` may write sign-offs and audit entries only: the figures do not read those, so they still
 * hold after it and are kept for the next call (`lastFigures`).
 */
export async function actOnFreshFigures<T>(
  { store, reads }: FiguresContext,
  reconId: string,
  period: string,
  act: (source: ReconSource) => T,
  options: { writes?: () => boolean; whenBusy?: (source: ReconSource) => T } = {},
): Promise<T> {
  const args = { reconId, period };
  const key = `${reconId}\u0001${period}`;
  let kept = lastFigures.get(store.sqlite);
  if (!kept) lastFigures.set(store.sqlite, (kept = new Map()));
  const source = (figures: Figures) => withFigures(reconSourceFor(store), reconId, period, figures);
  let latest: Figures | null = null;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const known = kept.get(key);
    const now = commitMark(store);
    const { value: figures, mark } = known && known.mark === now ? { value: known.figures, mark: now } : await readFigures(now);
    latest = figures;
    const done = ifUnchangedSince(store, mark, () => act(source(figures)), options.writes?.() ?? true);
    if (done) {
      kept.delete(key);
      if (kept.size >= 64) kept.delete(kept.keys().next().value!);
      kept.set(key, { mark: done.mark, figures });
      return done.result;
    }
  }
  if (options.whenBusy && latest) return options.whenBusy(source(latest));
  throw new UserError(
    "STORE_BUSY",
    `The figures of ${reconId} ${period} kept changing while they were worked out: another task (an import or a run) is writing to the store. Try again when it has finished.`,
  );

  /** In the reader thread when large; here if the reader thread itself failed (a user error still stops it). */
  async function readFigures(now: string): Promise<{ value: Figures; mark: string }> {
    try {
      return await reads.readMarked("signoff/figures", args);
    } catch (error) {
      if (error instanceof UserError) throw error;
      console.error(`Tieout: the reader thread failed (${(error as Error).message}); working the figures out here`);
      return { mark: now, value: runRead(store, "signoff/figures", args) as Figures };
    }
  }
}

/**
 * For other capabilities' handlers: call after anything that can change a signed figure of a
 * reconciliation and period (a run, match, unmatch, explain, an adjustment posted). Voids
 * sign-offs whose figures changed, with the audit entry, and tells open screens.
 */
export async function afterReconChange(
  context: FiguresContext & Pick<EngineContext, "events">,
  reconId: string,
  period: string,
  actor: string,
): Promise<void> {
  // Nothing signed, nothing to re-check, and no figures to work out.
  if (!hasStandingSignoff(context.store, reconId, period)) return;
  // While the store keeps changing the re-check waits for the next status read rather than void on stale figures.
  const changes = await actOnFreshFigures(
    context,
    reconId,
    period,
    (source) => enforceSignoffs(context.store, source, reconId, period, actor),
    { whenBusy: () => [] },
  );
  announce(context.events, changes);
}

/** Registers the audit capability's methods (declared in src-shared/api/audit.ts). */
export function registerAuditHandlers({ store, events, reads, registry }: EngineContext): void {
  const source = () => reconSourceFor(store);

  registry.register("audit/list", (args) => {
    const { offset, limit, ...filter } = args ?? {};
    return listAudit(store, filter, offset ?? 0, limit ?? 100);
  });
  registry.register("audit/verify", () => verifyAuditChain(store));

  // The figures are the slow part of each (a pass over every stored row); see actOnFreshFigures.
  registry.register("signoff/status", async (args, call) => {
    const { reconId, period } = checkReconPeriod(args?.reconId, args?.period);
    // Reading the status voids a sign-off whose figures changed, so it writes only when one stands.
    const { status, changes } = await actOnFreshFigures(
      { store, reads },
      reconId,
      period,
      (figures) => signoffStatus(store, figures, reconId, period, call.actor),
      {
        writes: () => hasStandingSignoff(store, reconId, period),
        // The store kept changing: show the latest figures and void nothing until the next read.
        whenBusy: (figures) => ({ status: readSignoffStatus(store, figures, reconId, period), changes: [] }),
      },
    );
    announce(events, changes);
    return status;
  });
  registry.register("signoff/sign", async (args, call) => {
    const { reconId, period } = checkReconPeriod(args?.reconId, args?.period);
    const user = requireUser(call);
    const role = checkRole(args.role);
    checkSigner(user, role);
    const input = {
      reconId,
      period,
      role,
      comment: typeof args.comment === "string" && args.comment.trim() ? args.comment.trim() : undefined,
      expectedFingerprint: typeof args.expectedFingerprint === "string" ? args.expectedFingerprint : undefined,
    };
    const { status, changes } = await actOnFreshFigures({ store, reads }, reconId, period, (figures) =>
      signOff(store, figures, user, input),
    );
    announce(events, changes);
    return status;
  });
  registry.register("signoff/void", async (args, call) => {
    const { reconId, period } = checkReconPeriod(args?.reconId, args?.period);
    const user = requireUser(call);
    const input = { reconId, period, role: checkRole(args.role), reason: String(args.reason ?? "") };
    checkWithdrawal(store, user, input);
    // Withdrawing never waits on the figures: when the store keeps changing, the re-check of the
    // other sign-off is left to the next status read.
    const { status, changes } = await actOnFreshFigures(
      { store, reads },
      reconId,
      period,
      (figures) => withdrawSignoff(store, figures, user, input),
      {
        whenBusy: (figures) => withdrawSignoff(store, figures, user, input, { recheck: false }),
      },
    );
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
