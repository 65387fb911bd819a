// Appends audit entries from a second thread with its own connection (as a job's worker does).
import { register } from "tsx/esm/api";
import { parentPort, workerData } from "node:worker_threads";

register();
const { openStore } = await import("../store/store.ts");
const { appendAudit } = await import("./auditLog.ts");
const store = await openStore(workerData.dbPath);
let failed = null;
for (let k = 0; k < workerData.count; k++) {
  try {
    appendAudit(store, { actor: "worker", action: "x", entityType: "t", entityId: String(k) });
  } catch (error) {
    failed = String(error);
    break;
  }
}
await store.close();
parentPort.postMessage({ failed });
