import type { OutboundJobParams } from "../../../src-shared/api/outbound";
import type { JobDefinition } from "../jobs/jobContext";

/** The outbound capability's long jobs, run in worker threads. */
export const OUTBOUND_JOBS: { [K in keyof OutboundJobParams]: JobDefinition<K> } = {};
