import type { JobKind } from "../../../src-shared/api";
import { AUDIT_JOBS } from "../audit/jobs";
import { UserError } from "../handlerRegistry";
import { IngestCancelled } from "../ingest/ingestFile";
import { ingestPaths } from "../ingest/ingestPaths";
import { OUTBOUND_JOBS } from "../outbound/jobs";
import { RECON_JOBS } from "../recon/jobs";
import { JobCancelledError, type JobDefinition } from "./jobContext";

const INGEST: JobDefinition<"ingest"> = {
  access: "preparer",
  validate(params) {
    const paths = (params as { paths?: unknown } | null)?.paths;
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === "string")) {
      throw new UserError("BAD_REQUEST", "an import needs at least one file or folder path");
    }
    return { paths };
  },
  label: ({ paths }) => (paths.length === 1 ? `Import ${paths[0]}` : `Import ${paths.length} paths`),
  run(context, params) {
    try {
      const result = ingestPaths(context.store, params.paths, {
        actor: context.actor,
        isCancelled: context.isCancelled,
        onProgress: (p) => context.progress(`Importing ${p.file} (${p.fileIndex + 1} of ${p.files})`, p.done, p.total),
      });
      return {
        files: result.files.length,
        records: result.records,
        loaded: result.loaded,
        quarantined: result.quarantined,
        duplicates: result.duplicates,
        perFile: result.files.map((f) => ({
          file: f.file,
          format: f.format,
          records: f.records,
          loaded: f.loaded,
          quarantined: f.quarantined,
          duplicates: f.duplicates,
          duplicateFile: f.duplicateFile,
        })),
      };
    } catch (error) {
      if (error instanceof IngestCancelled) throw new JobCancelledError();
      throw error;
    }
  },
};

/** Every long job the engine can run, by kind. Each runs inside a worker thread. */
export const JOBS: { [K in JobKind]: JobDefinition<K> } = {
  ingest: INGEST,
  ...RECON_JOBS,
  ...OUTBOUND_JOBS,
  ...AUDIT_JOBS,
};

export function jobDefinition(kind: string): JobDefinition<JobKind> | undefined {
  return Object.hasOwn(JOBS, kind) ? (JOBS[kind as JobKind] as unknown as JobDefinition<JobKind>) : undefined;
}
