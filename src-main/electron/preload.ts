import { contextBridge, ipcRenderer, type IpcRendererEvent } from "electron";
import type { ApiResult, EngineEvents, EventName, TieoutBridge } from "../../src-shared/api";

import { IPC_EVENT, IPC_INVOKE } from "./ipcProtocol";

const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
ipcRenderer.on(IPC_EVENT, (_event: IpcRendererEvent, name: EventName, payload: unknown) => {
  for (const listener of listeners.get(name) ?? []) listener(payload);
});

/** The whole surface the renderer gets: one typed invoke, one subscribe. */
const bridge = {
  invoke: (method, args, session) => ipcRenderer.invoke(IPC_INVOKE, method, args, session ?? null) as Promise<ApiResult<never>>,
  subscribe<E extends EventName>(event: E, listener: (payload: EngineEvents[E]) => void) {
    let set = listeners.get(event);
    if (!set) {
      set = new Set();
      listeners.set(event, set);
    }
    const wrapped = listener as (payload: unknown) => void;
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  },
} satisfies TieoutBridge;

contextBridge.exposeInMainWorld("tieout", bridge);
