import { parentPort } from "node:worker_threads";
import { openStore } from "../store/store";
import { jobDefinition } from "./jobs";
import { JobCancelledError, type FromWorker, type JobContext, type ToWorker } from "./jobContext";

/**
 * Runs one job in a worker thread with its own SQLite connection (WAL lets the
 * engine keep reading while the job writes). Never imports electron.
 */
const port = parentPort;
if (!port) throw new Error("jobWorker must run in a worker thread");

const send = (message: FromWorker) => port.postMessage(message);

port.once("message", (message: ToWorker) => void run(message));

async function run(message: ToWorker): Promise<void> {
  const cancelFlag = new Int32Array(message.cancelFlag);
  const cancelled = () => Atomics.load(cancelFlag, 0) === 1;
  let lastSent = 0;
  const store = await openStore(message.dbPath, message.nativeBinding ? { nativeBinding: message.nativeBinding } : {});
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
  try {
    const job = jobDefinition(message.kind);
    if (!job) throw new Error(`unknown job kind "${message.kind}"`);
    const result = await job.run(context, message.params as never);
    send({ type: "done", result });
  } catch (error) {
    if (error instanceof JobCancelledError || cancelled()) send({ type: "cancelled" });
    else send({ type: "failed", error: (error as Error).message ?? String(error) });
  } finally {
    await store.close();
  }
}
