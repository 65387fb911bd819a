import type { JobKind } from "../../../src-shared/api";
import { ingestPaths } from "../ingest/ingestPaths";
import { IngestCancelled } from "../ingest/ingestFile";
import { JobCancelledError, type JobFunction } from "./jobContext";

/** Every long job the engine can run, by kind. Each runs inside a worker thread. */
export const JOBS: { [K in JobKind]: JobFunction<K> } = {
  ingest: (context, params) => {
    try {
      const result = ingestPaths(context.store, params.paths, {
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

export function jobLabel(kind: JobKind, params: unknown): string {
  switch (kind) {
    case "ingest": {
      const paths = (params as { paths: string[] }).paths;
      return paths.length === 1 ? `Import ${paths[0]}` : `Import ${paths.length} paths`;
    }
  }
}
