import { parentPort } from "node:worker_threads";
import { UserError } from "../handlerRegistry";
import { openStore, type Store } from "../store/store";
import { jobDefinition } from "./jobs";
import {
  JobCancelledError,
  jobErrorText,
  type FromWorker,
  type JobContext,
  type ReadReply,
  type ReadRequest,
  type ToWorker,
} from "./jobContext";
import { runRead } from "./reads";

/**
 * Runs one job in a worker thread with its own SQLite connection (WAL lets the
 * engine keep reading while the job writes). Never imports electron.
 */
const port = parentPort;
if (!port) throw new Error("jobWorker must run in a worker thread");

const send = (message: FromWorker) => port.postMessage(message);
const answer = (message: ReadReply) => port.postMessage(message);

// A worker runs one job, or serves reads for as long as the engine keeps it (see HeavyReads).
let readStore: Promise<Store> | null = null;
let readsDone: Promise<void> = Promise.resolve();
port.on("message", (message: ToWorker | ReadRequest) => {
  if (message.type === "start") void run(message);
  else serveRead(message);
});

/** Answers one read. Reads run one after another, in the order they were asked. */
function serveRead(request: ReadRequest): void {
  // Read-only: the reader never writes, and opening writable would commit (the schema check),
  // which makes figures read meanwhile look stale to the engine's commit check.
  readStore ??= openStore(request.dbPath, { readonly: true, ...(request.nativeBinding ? { nativeBinding: request.nativeBinding } : {}) });
  const store = readStore;
  readsDone = readsDone.then(async () => {
    let reply: ReadReply;
    try {
      reply = { type: "read-done", id: request.id, result: runRead(await store, request.kind, request.args) };
    } catch (error) {
      const e = error as Error & { code?: unknown; details?: unknown };
      reply = {
        type: "read-failed",
        id: request.id,
        error: {
          message: e?.message ?? String(error),
          user: error instanceof UserError,
          ...(typeof e?.code === "string" ? { code: e.code } : {}),
          ...(error instanceof UserError && e.details !== undefined ? { details: e.details } : {}),
        },
      };
    }
    answer(reply);
  });
}

async function run(message: ToWorker): Promise<void> {
  const cancelFlag = new Int32Array(message.cancelFlag);
  const cancelled = () => Atomics.load(cancelFlag, 0) === 1;
  let lastSent = 0;
  let store: Store | null = null;
  try {
    // Inside the try: opening checks the schema, which needs the write lock another process may hold.
    store = await openStore(message.dbPath, message.nativeBinding ? { nativeBinding: message.nativeBinding } : {});
    await runWith(store);
  } catch (error) {
    if (error instanceof JobCancelledError || cancelled()) send({ type: "cancelled" });
    else send({ type: "failed", error: jobErrorText(error) });
  } finally {
    await store?.close();
  }

  async function runWith(store: Store): Promise<void> {
    const context: JobContext = {
      store,
      jobId: message.jobId,
      actor: message.actor,
      isCancelled: cancelled,
      progress(phase, done, total, text = null) {
        const now = Date.now();
        // At most ~10 updates a second reach the UI; the last one of a phase always does.
        if (now - lastSent < 100 && total !== null && done < total) return;
        lastSent = now;
        send({ type: "progress", phase, done, total, message: text });
      },
    };
    const job = jobDefinition(message.kind);
    if (!job) throw new Error(`unknown job kind "${message.kind}"`);
    const result = await job.run(context, message.params as never);
    send({ type: "done", result });
  }
}
