/**
 * The outbound capability's part of the API contract. Its methods join `Handlers` in
 * src-shared/api.ts; the engine registers their handlers in src-main/engine/outbound/handlers.ts.
 */

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in as the capability lands
export interface OutboundHandlers {}

export const OUTBOUND_METHODS = [] as const satisfies readonly (keyof OutboundHandlers)[];

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in as the capability lands
export interface OutboundEvents {}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in as the capability lands
export interface OutboundJobParams {}
