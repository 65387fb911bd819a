/**
 * The engine under Electron: a utility process (plain Node, no window), so SQLite
 * work never runs on the main process. It answers the main process's relayed calls
 * and forwards engine events. Long jobs still go to worker threads inside it.
 */
import type { MessageEvent as ElectronMessageEvent } from "electron";
import { createEngine, toApiError, type Engine } from "../engine/engine";
import { storeSummary } from "../engine/store/summary";
import { buildDemo } from "../demo/buildDemo";
import type { FromEngine, ToEngine } from "./ipcProtocol";

const parentPort = process.parentPort;
const send = (message: FromEngine) => parentPort.postMessage(message);

async function start(): Promise<void> {
  const dbPath = process.argv[2];
  const version = process.argv[3] ?? "0.0.0";
  if (!dbPath) throw new Error("engineProcess needs the database path as its first argument");
  let engine: Engine;
  try {
    engine = await createEngine({ dbPath, mode: "electron", version, workerEntry: new URL("./jobWorker.js", import.meta.url) });
  } catch (error) {
    send({ type: "fatal", message: (error as Error).message });
    return;
  }
  engine.events.onAny((event, payload) => send({ type: "event", event, payload }));
  parentPort.on("message", (event: ElectronMessageEvent) => {
    const message = event.data as ToEngine;
    if (message.type !== "invoke") return;
    const respond = (result: FromEngine & { type: "result" }) => send(result);
    if (!engine.isMethod(message.method)) {
      respond({
        type: "result",
        id: message.id,
        result: { ok: false, error: { code: "UNKNOWN_METHOD", message: `Tieout has no method "${message.method}"` } },
      });
      return;
    }
    engine.invoke(message.method, message.args as never, message.session).then(
      (value) => respond({ type: "result", id: message.id, result: { ok: true, value } }),
      (error: unknown) => respond({ type: "result", id: message.id, result: { ok: false, error: toApiError(error) } }),
    );
  });
  send({ type: "ready", dbPath });
  // First launch: the built-in demo health system, so the workbench opens on real data.
  if (storeSummary(engine.store).rawRecords === 0 && process.env.TIEOUT_NO_DEMO !== "1") {
    await buildDemo(engine.store, { encounters: 1000 });
    engine.events.emit("store/changed", { tables: ["*"] });
  }
}

start().catch((error: unknown) => send({ type: "fatal", message: (error as Error).message }));
