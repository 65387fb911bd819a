import type { EngineContext } from "../handlerRegistry";

/** Registers the recon capability's methods (declared in src-shared/api/recon.ts). */
export function registerReconHandlers(context: EngineContext): void {
  void context;
}
