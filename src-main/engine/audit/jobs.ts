import type { AuditJobParams } from "../../../src-shared/api/audit";
import type { JobDefinition } from "../jobs/jobContext";

/** The audit capability's long jobs, run in worker threads. */
export const AUDIT_JOBS: { [K in keyof AuditJobParams]: JobDefinition<K> } = {};
