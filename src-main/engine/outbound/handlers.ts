import type { EngineContext } from "../handlerRegistry";

/** Registers the outbound capability's methods (declared in src-shared/api/outbound.ts). */
export function registerOutboundHandlers(context: EngineContext): void {
  void context;
}
