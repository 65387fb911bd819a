import { hasRole, type ArgsOf, type Method, type ResultOf, type Role, type UserInfo } from "../../src-shared/api";
import type { EngineEventBus } from "./events";
import type { JobRunner } from "./jobs/jobRunner";
import type { HeavyReads } from "./jobs/heavyReads";
import type { Store } from "./store/store";

/** Who is calling: the signed-in user of the session, if any. */
export interface CallContext {
  user: UserInfo | null;
  sessionId: string | null;
  /** What the audit trail records as the actor: the user id, or `cli:<name>` / `system`. */
  actor: string;
}

/** Who may call a method: anyone, any signed-in user, or a user with a role. */
export type Access = "public" | "signed-in" | Role;

export type HandlerImpl<M extends Method> = (args: ArgsOf<M>, context: CallContext) => Promise<ResultOf<M>> | ResultOf<M>;

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

interface Entry {
  handler: (args: unknown, context: CallContext) => unknown;
  access: Access;
}

/** Registers handlers one by one so a name registered twice is caught at start-up. */
export class HandlerRegistry {
  private readonly handlers = new Map<string, Entry>();

  register<M extends Method>(method: M, handler: HandlerImpl<M>, access: Access = "signed-in"): void {
    if (this.handlers.has(method)) throw new Error(`handler "${method}" is registered twice`);
    this.handlers.set(method, { handler: handler as Entry["handler"], access });
  }

  get(method: string): Entry | undefined {
    return this.handlers.get(method);
  }

  assertComplete(methods: readonly string[]): void {
    const missing = methods.filter((m) => !this.handlers.has(m));
    if (missing.length > 0) throw new Error(`no handler for: ${missing.join(", ")}`);
  }
}

/** What each capability's `register…Handlers` gets to wire its methods. */
export interface EngineContext {
  store: Store;
  events: EngineEventBus;
  jobs: JobRunner;
  /** Reads over a whole table or reconciliation, run off the engine thread when it is large. */
  reads: HeavyReads;
  registry: HandlerRegistry;
}

/** Refuses a user without the access a method (or a job kind) needs; an administrator has every role. */
export function assertAccess(user: UserInfo, access: Exclude<Access, "public">, what: string): void {
  if (access !== "signed-in" && !hasRole(user, access)) {
    throw new UserError("FORBIDDEN", `${user.displayName} does not have the ${access} role needed for ${what}.`);
  }
}

export function requireUser(context: CallContext): UserInfo {
  if (!context.user) throw new UserError("NOT_SIGNED_IN", "Sign in first.");
  return context.user;
}
