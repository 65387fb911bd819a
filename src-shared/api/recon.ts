/**
 * The recon capability's part of the API contract. Its methods join `Handlers` in
 * src-shared/api.ts; the engine registers their handlers in src-main/engine/recon/handlers.ts.
 */

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in as the capability lands
export interface ReconHandlers {}

export const RECON_METHODS = [] as const satisfies readonly (keyof ReconHandlers)[];

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in as the capability lands
export interface ReconEvents {}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in as the capability lands
export interface ReconJobParams {}
