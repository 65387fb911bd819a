import type { ReconJobParams } from "../../../src-shared/api/recon";
import type { JobDefinition } from "../jobs/jobContext";

/** The recon capability's long jobs, run in worker threads. */
export const RECON_JOBS: { [K in keyof ReconJobParams]: JobDefinition<K> } = {};
