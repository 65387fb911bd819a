import type { JobKind, JobStatus } from "../../../src-shared/api";

export interface JobTable {
  id: string;
  kind: JobKind;
  status: JobStatus;
  label: string;
  params_json: string;
  /** Who started it: the audit actor recorded for what the job changes. */
  requested_by: string;
  phase: string | null;
  done: number;
  total: number | null;
  message: string | null;
  error: string | null;
  result_json: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}
