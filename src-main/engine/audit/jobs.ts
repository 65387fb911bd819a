import type { AuditJobParams } from "../../../src-shared/api/audit";
import { JobCancelledError, type JobDefinition } from "../jobs/jobContext";
import { checkWorkpaperParams, exportWorkpaper } from "../workpapers/exportWorkpaper";
import { reconSourceFor } from "../workpapers/reconSource";
import { WorkpaperCancelled } from "../workpapers/sheetWriter";

const WORKPAPER: JobDefinition<"workpaper"> = {
  // As exceptions/exportWorkbook: an export writes a file where it is told to. Auditors receive
  // workpapers from the preparer; a read-only user reads the reconciliation in the app.
  access: "preparer",
  validate: checkWorkpaperParams,
  label: ({ reconId, period }) => `Workpaper ${reconId} ${period}`,
  async run(context, params) {
    try {
      const { record, written } = await exportWorkpaper(context.store, reconSourceFor(context.store), params, context.actor, {
        onProgress: context.progress,
        isCancelled: context.isCancelled,
      });
      return {
        exportId: record.id,
        path: record.path,
        sha256: record.sha256,
        sheets: record.sheets,
        rows: record.rows,
        totals: written.totals,
      };
    } catch (error) {
      if (error instanceof WorkpaperCancelled) throw new JobCancelledError();
      throw error;
    }
  },
};

/** The audit capability's long jobs, run in worker threads. */
export const AUDIT_JOBS: { [K in keyof AuditJobParams]: JobDefinition<K> } = {
  workpaper: WORKPAPER,
};
