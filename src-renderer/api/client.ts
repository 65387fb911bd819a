import type { ApiResult, ArgsOf, EngineEvents, EventName, Method, ResultOf, TieoutBridge } from "../../src-shared/api";

declare global {
  interface Window {
    /** Present under Electron: the preload bridge. */
    tieout?: TieoutBridge;
  }
}

const TOKEN_KEY = "tieout.token";

/** Web mode: the launch token arrives once in the URL fragment and is kept for this tab only. */
function launchToken(): string | null {
  const match = /(?:^|[#&])token=([^&]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

class WebBridge implements TieoutBridge {
  private socket: WebSocket | null = null;
  private readonly listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  private retryMs = 500;

  constructor(private readonly token: string | null) {}

  async invoke<M extends Method>(method: M, args: ArgsOf<M>, session?: string | null): Promise<ApiResult<ResultOf<M>>> {
    if (!this.token) {
      return {
        ok: false,
        error: { code: "UNAUTHORIZED", message: "Open Tieout with the address printed by `tieout serve` (it carries the launch token)." },
      };
    }
    try {
      const response = await fetch(`/api/${method}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${this.token}`,
          ...(session ? { "x-tieout-session": session } : {}),
        },
        body: JSON.stringify(args ?? {}),
      });
      return (await response.json()) as ApiResult<ResultOf<M>>;
    } catch (error) {
      return { ok: false, error: { code: "OFFLINE", message: `The Tieout engine is not answering: ${(error as Error).message}` } };
    }
  }

  subscribe<E extends EventName>(event: E, listener: (payload: EngineEvents[E]) => void): () => void {
    this.connect();
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const wrapped = listener as (payload: unknown) => void;
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  private connect(): void {
    if (this.socket || !this.token) return;
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${window.location.host}/events?token=${encodeURIComponent(this.token)}`);
    this.socket = socket;
    socket.onopen = () => {
      this.retryMs = 500;
    };
    socket.onmessage = (message) => {
      const { event, payload } = JSON.parse(String(message.data)) as { event: EventName; payload: unknown };
      for (const listener of this.listeners.get(event) ?? []) listener(payload);
    };
    socket.onclose = () => {
      this.socket = null;
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    };
  }
}

let bridge: TieoutBridge | null = null;

export function api(): TieoutBridge {
  bridge ??= window.tieout ?? new WebBridge(launchToken());
  return bridge;
}

export class ApiCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const SESSION_KEY = "tieout.session";

/** The signed-in session, kept for this tab (or window) only. */
export function currentSession(): string | null {
  return sessionStorage.getItem(SESSION_KEY);
}

export function setSession(sessionId: string | null): void {
  if (sessionId) sessionStorage.setItem(SESSION_KEY, sessionId);
  else sessionStorage.removeItem(SESSION_KEY);
}

/** Calls a method and throws its ApiError as an exception (for React effects). */
export async function call<M extends Method>(method: M, args: ArgsOf<M>): Promise<ResultOf<M>> {
  const result = await api().invoke(method, args, currentSession());
  if (!result.ok) throw new ApiCallError(result.error.code, result.error.message);
  return result.value;
}
