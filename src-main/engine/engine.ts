import type { ArgsOf, EngineEvents, EventName, Method, ResultOf } from "../../src-shared/api";
import { METHODS } from "../../src-shared/api";
import { BrowseError, rowPage } from "./browse/rowPage";
import { EngineEventBus } from "./events";
import { importFields, ImportError, previewImport, saveUpload } from "./ingest/preview";
import { loadProfiles, saveProfile } from "./ingest/profiles";
import { replayQuarantined, ReplayError } from "./ingest/replay";
import { listConnectors, listQuarantine, listSourceFiles } from "./ingest/sources";
import { JobRunner } from "./jobs/jobRunner";
import { storeSummary } from "./store/summary";
import { openStore, StoreError, type Store } from "./store/store";

export type HandlerImpl<M extends Method> = (args: ArgsOf<M>) => Promise<ResultOf<M>> | ResultOf<M>;
export type HandlerMap = { [M in Method]: HandlerImpl<M> };

/** An error a user can act on; front doors turn it into an ApiError value. */
export class UserError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "UserError";
  }
}

export interface EngineOptions {
  dbPath: string;
  mode: "electron" | "web" | "cli";
  version?: string;
  workerEntry?: URL | string;
  nativeBinding?: string;
}

export interface Engine {
  store: Store;
  events: EngineEventBus;
  jobs: JobRunner;
  /** Calls a method by name; unknown names are refused. */
  invoke<M extends Method>(method: M, args: ArgsOf<M>): Promise<ResultOf<M>>;
  isMethod(name: string): name is Method;
  subscribe<E extends EventName>(event: E, listener: (payload: EngineEvents[E]) => void): () => void;
  close(): Promise<void>;
}

/** Registers handlers one by one so a name registered twice is caught at start-up. */
class HandlerRegistry {
  private readonly handlers = new Map<string, (args: unknown) => unknown>();

  register<M extends Method>(method: M, handler: HandlerImpl<M>): void {
    if (this.handlers.has(method)) throw new Error(`handler "${method}" is registered twice`);
    this.handlers.set(method, handler as (args: unknown) => unknown);
  }

  get(method: string): ((args: unknown) => unknown) | undefined {
    return this.handlers.get(method);
  }

  assertComplete(): void {
    const missing = METHODS.filter((m) => !this.handlers.has(m));
    if (missing.length > 0) throw new Error(`no handler for: ${missing.join(", ")}`);
  }
}

/** Opens the store and wires the handlers. The same engine serves every front door. */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  const store = await openStore(options.dbPath, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  const events = new EngineEventBus();
  const jobs = new JobRunner({
    store,
    events,
    ...(options.workerEntry ? { workerEntry: options.workerEntry } : {}),
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  const registry = new HandlerRegistry();
  const methods = new Set<string>(METHODS);

  // Handlers are thin: validate, call one domain function, return.
  registry.register("app/info", () => ({
    version: options.version ?? "0.0.0",
    dbPath: store.path,
    schemaVersion: store.schemaVersion,
    mode: options.mode,
  }));
  registry.register("store/summary", () => storeSummary(store));
  registry.register("rows/page", (args) => {
    if (typeof args?.table !== "string") throw new UserError("BAD_REQUEST", "rows/page needs a table name");
    return rowPage(store, args);
  });
  registry.register("jobs/start", (args) => {
    if (args?.kind !== "ingest") throw new UserError("BAD_REQUEST", `unknown job kind "${String((args as { kind?: unknown })?.kind)}"`);
    const paths = args.params?.paths;
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === "string")) {
      throw new UserError("BAD_REQUEST", "an import needs at least one file or folder path");
    }
    return { jobId: jobs.start("ingest", { paths }) };
  });
  registry.register("jobs/list", (args) => jobs.list(args?.limit ?? 50));
  registry.register("jobs/cancel", (args) => ({ cancelled: jobs.cancel(String(args?.jobId)) }));
  registry.register("sources/files", (args) => listSourceFiles(store, args?.limit ?? 200));
  registry.register("sources/quarantine", (args) => listQuarantine(store, args?.limit ?? 100, args?.offset ?? 0));
  registry.register("sources/connectors", () => listConnectors(store));
  registry.register("sources/replay", (args) => {
    if (!Number.isInteger(args?.rawRecordId)) throw new UserError("BAD_REQUEST", "sources/replay needs the raw record's id");
    const result = replayQuarantined(store, args.rawRecordId, typeof args.text === "string" ? args.text : undefined);
    events.emit("store/changed", { tables: ["*"] });
    return result;
  });
  registry.register("import/upload", (args) => {
    if (typeof args?.fileName !== "string" || typeof args.contentBase64 !== "string") {
      throw new UserError("BAD_REQUEST", "import/upload needs fileName and contentBase64");
    }
    return { path: saveUpload(store, args.fileName, args.contentBase64) };
  });
  registry.register("import/preview", (args) => {
    if (typeof args?.path !== "string") throw new UserError("BAD_REQUEST", "import/preview needs a path");
    return previewImport(store, args.path, args.sheet);
  });
  registry.register("import/fields", (args) => importFields(args.recordType, args.headers ?? []));
  registry.register("import/saveProfile", (args) => {
    const profile = args?.profile;
    if (!profile || typeof profile.id !== "string" || !Array.isArray(profile.headers) || typeof profile.fields !== "object") {
      throw new UserError("BAD_REQUEST", "a mapping profile needs an id, the header row and the field mappings");
    }
    saveProfile(store, profile);
    return { id: profile.id };
  });
  registry.register("import/profiles", () => loadProfiles(store));
  registry.assertComplete();

  return {
    store,
    events,
    jobs,
    isMethod: (name: string): name is Method => methods.has(name),
    async invoke(method, args) {
      const handler = registry.get(method);
      if (!handler) throw new UserError("UNKNOWN_METHOD", `Tieout has no method "${method}".`);
      return (await handler(args)) as ResultOf<typeof method>;
    },
    subscribe: (event, listener) => events.on(event, listener),
    async close() {
      await jobs.close();
      await store.close();
    },
  };
}

/** Maps any thrown error to the ApiError a front door returns. */
export function toApiError(error: unknown): { code: string; message: string; details?: unknown } {
  if (error instanceof UserError) return { code: error.code, message: error.message, details: error.details };
  if (error instanceof BrowseError || error instanceof StoreError || error instanceof ReplayError || error instanceof ImportError) {
    return { code: error.code, message: error.message };
  }
  return { code: "INTERNAL", message: error instanceof Error ? error.message : String(error) };
}
