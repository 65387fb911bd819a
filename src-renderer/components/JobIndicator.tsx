import { useCallback, useEffect, useState } from "react";
import { mayCancelJob, type EngineEvents, type JobInfo, type UserInfo } from "../../src-shared/api";
import { call } from "../api/client";
import { useEvent } from "../api/hooks";

type Progress = EngineEvents["job/progress"];

/** The running job, its progress and a cancel button (for who started it, or an administrator); the last finished job's outcome. */
export function JobIndicator({ user }: { user: UserInfo }) {
  const [progress, setProgress] = useState<Progress | null>(null);
  const [finished, setFinished] = useState<JobInfo | null>(null);
  // Why a cancel failed, for the job it was asked of (the next job does not inherit it).
  const [cancelError, setCancelError] = useState<{ jobId: string; text: string } | null>(null);

  useEffect(() => {
    call("jobs/list", { limit: 1 }).then(
      ([latest]) => {
        if (latest?.status === "running") {
          setProgress({
            jobId: latest.id,
            kind: latest.kind,
            requestedBy: latest.requestedBy,
            phase: latest.phase ?? latest.label,
            done: latest.done,
            total: latest.total,
            message: latest.message,
          });
        }
      },
      () => undefined,
    );
  }, []);
  useEvent(
    "job/progress",
    useCallback((p: Progress) => setProgress(p), []),
  );
  useEvent(
    "job/finished",
    useCallback((job: JobInfo) => {
      setProgress((p) => (p?.jobId === job.id ? null : p));
      setFinished(job);
    }, []),
  );

  if (progress) {
    const pct = progress.total ? Math.round((progress.done / progress.total) * 100) : null;
    return (
      <div className="job-indicator" role="status" aria-live="polite" data-testid="job-indicator">
        <span className="job-phase">{progress.phase}</span>
        <progress max={progress.total ?? undefined} value={progress.total ? progress.done : undefined} aria-label="job progress" />
        {pct !== null && <span className="num">{pct}%</span>}
        {mayCancelJob(user, progress) && (
          <button
            type="button"
            onClick={() => {
              const jobId = progress.jobId;
              setCancelError(null);
              call("jobs/cancel", { jobId }).catch((e: Error) => setCancelError({ jobId, text: e.message }));
            }}
          >
            Cancel
          </button>
        )}
        {cancelError?.jobId === progress.jobId && <span className="error">{cancelError.text}</span>}
      </div>
    );
  }
  if (finished) {
    const text =
      finished.status === "succeeded"
        ? `${finished.label}: done`
        : finished.status === "cancelled"
          ? `${finished.label}: cancelled`
          : `${finished.label}: failed — ${finished.error ?? "unknown error"}`;
    return (
      <div className={`job-indicator job-${finished.status}`} role="status" data-testid="job-indicator">
        <span>{text}</span>
        <button type="button" aria-label="Dismiss" onClick={() => setFinished(null)}>
          ×
        </button>
      </div>
    );
  }
  return null;
}
