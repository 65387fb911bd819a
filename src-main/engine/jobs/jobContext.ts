import type { JobKind, JobParamsByKind } from "../../../src-shared/api";
import type { Access } from "../handlerRegistry";
import { BUSY_TIMEOUT_MS, isStoreBusy, type Store } from "../store/store";

export interface JobContext {
  store: Store;
  jobId: string;
  /** Who started the job, for the audit trail. */
  actor: string;
  /** Report progress; cheap to call often (the runner throttles what it forwards). */
  progress(phase: string, done: number, total: number | null, message?: string | null): void;
  /** True once the user asked to cancel: stop at the next safe point. */
  isCancelled(): boolean;
}

export type JobFunction<K extends JobKind> = (
  context: JobContext,
  params: JobParamsByKind[K],
) => Promise<Record<string, unknown>> | Record<string, unknown>;

/** A kind of long job: how to check its parameters, name it, and run it in a worker. */
export interface JobDefinition<K extends JobKind> {
  /** Who may start it: the role its direct method needs (a run changes what `recon/run` does). */
  access: Exclude<Access, "public">;
  /**
   * One at a time per params: starting it again while the same one waits or runs answers with that
   * job (two people pressing Run on the same reconciliation get one run, not two in a row).
   */
  once?: boolean;
  /** Throws a readable error when the parameters are wrong; runs before the job is queued. */
  validate(params: unknown): JobParamsByKind[K];
  /** What the job list calls it; `store` is the engine's (read it, never write). */
  label(params: JobParamsByKind[K], store: Store): string;
  run: JobFunction<K>;
}

export class JobCancelledError extends Error {
  constructor() {
    super("cancelled by the user");
    this.name = "JobCancelledError";
  }
}

/** Messages between the runner (main side) and the worker. */
export interface ToWorker {
  type: "start";
  jobId: string;
  kind: JobKind;
  params: unknown;
  dbPath: string;
  actor: string;
  nativeBinding?: string;
  /**
   * Int32 flag set to 1 to cancel. Shared memory, because a job's loop is synchronous
   * SQLite work and the worker would not see a posted message until it finished.
   */
  cancelFlag: SharedArrayBuffer;
}

/** A read for the reader thread (see `HeavyReads`): the first one opens its connection. */
export interface ReadRequest {
  type: "read";
  id: number;
  kind: string;
  args: unknown;
  dbPath: string;
  nativeBinding?: string;
}

export type ReadReply =
  | { type: "read-done"; id: number; result: unknown }
  | { type: "read-failed"; id: number; error: { message: string; code?: string; user: boolean; details?: unknown } };

export type FromWorker =
  | { type: "progress"; phase: string; done: number; total: number | null; message: string | null }
  | { type: "done"; result: Record<string, unknown> }
  | { type: "cancelled" }
  | { type: "failed"; error: string }
  | { type: "store-changed"; tables: string[] };

/** A job's failure in words: the store kept locked by another program gets a sentence of its own. */
export function jobErrorText(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (isStoreBusy(error))
    return `the store stayed locked by another task or program (an import or a reconciliation being saved) for over ${BUSY_TIMEOUT_MS / 1000} seconds; what this job had committed is kept; start it again when that has finished`;
  if (typeof e?.message === "string" && e.message !== "") return e.message;
  return typeof e?.code === "string" ? `the job failed (${e.code})` : String(error);
}
