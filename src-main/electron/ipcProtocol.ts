import type { ApiResult, EventName } from "../../src-shared/api";

/** Messages between the Electron main process and the engine's utility process. */
export type ToEngine = { type: "invoke"; id: number; method: string; args: unknown; session: string | null };

export type FromEngine =
  | { type: "ready"; dbPath: string }
  | { type: "fatal"; message: string }
  | { type: "result"; id: number; result: ApiResult<unknown> }
  | { type: "event"; event: EventName; payload: unknown };

export const IPC_INVOKE = "tieout:invoke";
export const IPC_EVENT = "tieout:event";
