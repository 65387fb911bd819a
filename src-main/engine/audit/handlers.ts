import type { EngineContext } from "../handlerRegistry";

/** Registers the audit capability's methods (declared in src-shared/api/audit.ts). */
export function registerAuditHandlers(context: EngineContext): void {
  void context;
}
