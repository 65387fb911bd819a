import type { ArgsOf, EngineEvents, EventName, Method, ResultOf } from "../../src-shared/api";
import { METHODS, mayCancelJob } from "../../src-shared/api";
import { registerAuditHandlers } from "./audit/handlers";
import { createUser, listUsers, login, logout, sessionUser } from "./auth/users";
import { maskPatientIdentifiers } from "./browse/phi";
import { EngineEventBus } from "./events";
import { HandlerRegistry, UserError, assertAccess, requireUser, type CallContext, type EngineContext } from "./handlerRegistry";
import { importFields, previewImport, saveUpload } from "./ingest/preview";
import { loadProfiles, saveProfile } from "./ingest/profiles";
import { replayQuarantined } from "./ingest/replay";
import { listConnectors, listQuarantine, listSourceFiles } from "./ingest/sources";
import { HeavyReads } from "./jobs/heavyReads";
import { JobRunner } from "./jobs/jobRunner";
import { jobDefinition } from "./jobs/jobs";
import { registerOutboundHandlers } from "./outbound/handlers";
import { registerReconHandlers } from "./recon/handlers";
import { isStoreBusy, openStore, StoreError, type Store } from "./store/store";

export { UserError } from "./handlerRegistry";

export interface EngineOptions {
  dbPath: string;
  mode: "electron" | "web" | "cli";
  version?: string;
  workerEntry?: URL | string;
  nativeBinding?: string;
  /** From how many rows a read over a whole table or reconciliation leaves the engine thread (see HeavyReads). */
  offThreadFromRows?: number;
}

export interface Engine {
  store: Store;
  events: EngineEventBus;
  jobs: JobRunner;
  /** Calls a method by name for a session (from `auth/login`); unknown names are refused. */
  invoke<M extends Method>(method: M, args: ArgsOf<M>, sessionId?: string | null): Promise<ResultOf<M>>;
  /** Calls a method as a given caller: for the CLI and tests, which have no session. */
  invokeAs<M extends Method>(context: CallContext, method: M, args: ArgsOf<M>): Promise<ResultOf<M>>;
  isMethod(name: string): name is Method;
  subscribe<E extends EventName>(event: E, listener: (payload: EngineEvents[E]) => void): () => void;
  close(): Promise<void>;
}

function registerCoreHandlers({ store, events, jobs, reads, registry }: EngineContext, options: EngineOptions): void {
  // Handlers are thin: validate, call one domain function, return.
  registry.register(
    "app/info",
    () => ({ version: options.version ?? "0.0.0", dbPath: store.path, schemaVersion: store.schemaVersion, mode: options.mode }),
    "public",
  );
  registry.register("auth/users", () => listUsers(store), "public");
  registry.register("auth/login", (args) => login(store, String(args?.userId ?? ""), String(args?.password ?? "")), "public");
  registry.register(
    "auth/logout",
    (_args, context) => {
      logout(store, context.sessionId);
      return { ok: true as const };
    },
    "public",
  );
  registry.register("auth/me", (_args, context) => context.user, "public");
  // The first user of a new database may be created by anyone; after that, by an administrator.
  registry.register(
    "auth/createUser",
    (args, context) => {
      const firstUser = listUsers(store).length === 0;
      if (!firstUser && !context.user?.roles.includes("admin")) throw new UserError("FORBIDDEN", "Only an administrator can add users.");
      return createUser(store, firstUser ? "setup" : context.actor, {
        ...args,
        roles: firstUser ? [...new Set([...args.roles, "admin" as const])] : args.roles,
      });
    },
    "public",
  );

  registry.register("store/summary", () => reads.read("store/summary", {}));
  registry.register("dashboard/summary", () => reads.read("dashboard/summary", {}));
  registry.register("rows/page", async (args, call) => {
    if (typeof args?.table !== "string") throw new UserError("BAD_REQUEST", "rows/page needs a table name");
    const page = await reads.read("rows/page", args);
    return call.user?.roles.includes("phi") ? page : maskPatientIdentifiers(page);
  });
  registry.register("jobs/start", (args, call) => {
    const kind = String((args as { kind?: unknown })?.kind);
    const definition = jobDefinition(kind);
    if (!definition) throw new UserError("BAD_REQUEST", `unknown job kind "${kind}"`);
    // A job does what its direct method does, so it needs the same role.
    assertAccess(requireUser(call), definition.access, `a ${kind} job`);
    const params = definition.validate(args.params);
    return { jobId: jobs.start(args.kind, params as never, call.actor) };
  });
  registry.register("jobs/list", (args) => jobs.list(args?.limit ?? 50));
  registry.register("jobs/cancel", (args, call) => {
    const job = jobs.get(String(args?.jobId));
    if (!job) throw new UserError("NOT_FOUND", `There is no job ${String(args?.jobId)}.`);
    if (!mayCancelJob(requireUser(call), job)) {
      throw new UserError("FORBIDDEN", `Only ${job.requestedBy} (who started it) or an administrator can cancel "${job.label}".`);
    }
    return { cancelled: jobs.cancel(job.id) };
  });
  registry.register("sources/files", (args) => listSourceFiles(store, args?.limit ?? 200));
  registry.register("sources/quarantine", (args) => listQuarantine(store, args?.limit ?? 100, args?.offset ?? 0));
  registry.register("sources/connectors", () => listConnectors(store));
  registry.register(
    "sources/replay",
    (args, call) => {
      if (!Number.isInteger(args?.rawRecordId)) throw new UserError("BAD_REQUEST", "sources/replay needs the raw record's id");
      const result = replayQuarantined(store, args.rawRecordId, typeof args.text === "string" ? args.text : undefined, call.actor);
      events.emit("store/changed", { tables: ["*"] });
      return result;
    },
    "preparer",
  );
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
  registry.register("import/saveProfile", (args, call) => {
    const profile = args?.profile;
    if (!profile || typeof profile.id !== "string" || !Array.isArray(profile.headers) || typeof profile.fields !== "object") {
      throw new UserError("BAD_REQUEST", "a mapping profile needs an id, the header row and the field mappings");
    }
    saveProfile(store, profile, call.actor);
    return { id: profile.id };
  });
  registry.register("import/profiles", () => loadProfiles(store));
}

/** Opens the store and wires the handlers. The same engine serves every front door. */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  const store = await openStore(options.dbPath, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  const events = new EngineEventBus();
  // Jobs and the reader thread run the same worker script.
  const worker = {
    ...(options.workerEntry ? { workerEntry: options.workerEntry } : {}),
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  };
  const jobs = new JobRunner({ store, events, ...worker });
  const reads = new HeavyReads({
    store,
    ...worker,
    ...(options.offThreadFromRows !== undefined ? { offThreadFromRows: options.offThreadFromRows } : {}),
  });
  const registry = new HandlerRegistry();
  const context: EngineContext = { store, events, jobs, reads, registry };
  registerCoreHandlers(context, options);
  registerReconHandlers(context);
  registerOutboundHandlers(context);
  registerAuditHandlers(context);
  registry.assertComplete(METHODS);
  const methods = new Set<string>(METHODS);

  const invokeAs = async <M extends Method>(call: CallContext, method: M, args: ArgsOf<M>): Promise<ResultOf<M>> => {
    const entry = registry.get(method);
    if (!entry) throw new UserError("UNKNOWN_METHOD", `Tieout has no method "${method}".`);
    if (entry.access !== "public") assertAccess(requireUser(call), entry.access, method);
    return (await entry.handler(args, call)) as ResultOf<M>;
  };

  return {
    store,
    events,
    jobs,
    isMethod: (name: string): name is Method => methods.has(name),
    invoke(method, args, sessionId) {
      const user = sessionUser(store, sessionId);
      return invokeAs({ user, sessionId: sessionId ?? null, actor: user?.userId ?? "anonymous" }, method, args);
    },
    invokeAs,
    subscribe: (event, listener) => events.on(event, listener),
    async close() {
      await reads.close();
      await jobs.close();
      await store.close();
    },
  };
}

/** Maps any thrown error to the ApiError a front door returns. */
export function toApiError(error: unknown): { code: string; message: string; details?: unknown } {
  if (error instanceof UserError) return { code: error.code, message: error.message, details: error.details };
  if (error instanceof StoreError) return { code: error.code, message: error.message };
  // The write lock stayed taken past busy_timeout: a job (a million-row run saving, an import)
  // holds it. Nothing was changed; say so rather than pass SQLite's words on.
  if (isStoreBusy(error))
    return {
      code: "STORE_BUSY",
      message:
        "Another task is writing to the store (a reconciliation being saved or an import, running as a job), so this change was not made. Try again when it has finished.",
    };
  return { code: "INTERNAL", message: error instanceof Error ? error.message : String(error) };
}
