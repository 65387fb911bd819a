import { Worker } from "node:worker_threads";
import { UserError } from "../handlerRegistry";
import { commitMark, type Store } from "../store/store";
import type { ReadReply, ReadRequest } from "./jobContext";
import { defaultWorkerEntry, readerHeapLimitMb } from "./jobRunner";
import { readRows, runRead, type ReadArgs, type ReadKind, type ReadResult } from "./reads";

export interface HeavyReadsOptions {
  store: Store;
  workerEntry?: URL | string;
  nativeBinding?: string;
  /** From how many rows a read passes over it goes to the reader thread (0: every read). */
  offThreadFromRows?: number;
}

/** Rows a read passes over from which it leaves the engine thread. */
export const OFF_THREAD_FROM_ROWS = 200_000;

/**
 * Runs the reads that pass over a whole table or reconciliation (`READS`) so they never stall
 * the engine thread on a large store. At a million encounters the dashboard takes about 24 s, a
 * charge reconciliation's balance about 10 s and its sign-off figures about 30 s, and meanwhile
 * every other request, event and job message would wait. Large reads go to one long-lived
 * reader thread with its own connection (WAL: it reads while a job writes); small ones run here,
 * without a thread's start-up. Either way the caller gets the same answer or the same error.
 */
export class HeavyReads {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private closed = false;
  /** Reads sent to the reader thread since the engine opened (for tests and diagnostics). */
  offThread = 0;

  constructor(private readonly options: HeavyReadsOptions) {}

  /** Runs a read, off this thread when it will pass over at least the threshold's rows. */
  async read<K extends ReadKind>(kind: K, args: ReadArgs<K>): Promise<ReadResult<K>> {
    const { store, offThreadFromRows = OFF_THREAD_FROM_ROWS } = this.options;
    if (this.closed || readRows(store, kind, args) < offThreadFromRows) return runRead(store, kind, args) as ReadResult<K>;
    this.offThread++;
    return (await this.send(kind, args)) as ReadResult<K>;
  }

  /**
   * `read`, with the store's `commitMark` from just before it. A write transaction that finds
   * the same mark knows nothing was committed since, so the answer is still the store's.
   */
  async readMarked<K extends ReadKind>(kind: K, args: ReadArgs<K>): Promise<{ value: ReadResult<K>; mark: string }> {
    const mark = commitMark(this.options.store);
    return { value: await this.read(kind, args), mark };
  }

  private send(kind: string, args: unknown): Promise<unknown> {
    const id = this.nextId++;
    const worker = this.reader();
    // Referenced only while a read is out, so an idle reader never keeps a CLI or test process alive.
    worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({
        type: "read",
        id,
        kind,
        args,
        dbPath: this.options.store.path,
        ...(this.options.nativeBinding ? { nativeBinding: this.options.nativeBinding } : {}),
      } satisfies ReadRequest);
    });
  }

  private reader(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.options.workerEntry ?? defaultWorkerEntry(), {
      resourceLimits: { maxOldGenerationSizeMb: readerHeapLimitMb() },
    });
    worker.on("message", (reply: ReadReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.type === "read-done") waiting.resolve(reply.result);
      else waiting.reject(readError(reply.error));
    });
    const lost = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const [, waiting] of this.pending) waiting.reject(new Error(`the reader thread stopped (${why}); try again`));
      this.pending.clear();
    };
    worker.on("error", (error) => lost(error.message));
    worker.on("exit", (code) => lost(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (worker) await worker.terminate();
  }
}

function readError(error: Extract<ReadReply, { type: "read-failed" }>["error"]): Error {
  if (error.user) return new UserError(error.code ?? "INTERNAL", error.message, error.details);
  return Object.assign(new Error(error.message), error.code ? { code: error.code } : {});
}
