/**
 * The audit capability's part of the API contract. Its methods join `Handlers` in
 * src-shared/api.ts; the engine registers their handlers in src-main/engine/audit/handlers.ts.
 */

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in as the capability lands
export interface AuditHandlers {}

export const AUDIT_METHODS = [] as const satisfies readonly (keyof AuditHandlers)[];

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in as the capability lands
export interface AuditEvents {}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in as the capability lands
export interface AuditJobParams {}
