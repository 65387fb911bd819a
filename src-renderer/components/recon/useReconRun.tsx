import { useCallback, useEffect, useRef, useState } from "react";
import type { EngineEvents, JobInfo } from "../../../src-shared/api";
import { call } from "../../api/client";
import { useEvent } from "../../api/hooks";

/** How often a run under way is asked for, besides the events that report it. */
const RUN_POLL_MS = 5_000;

export interface RunningRecon {
  jobId: string | null;
  templateId: string;
  period: string;
  phase: string;
  done: number;
  total: number | null;
}

/**
 * Runs reconciliations as background jobs (progress and cancel) and reports how each ended.
 * The job can finish before `jobs/start` answers on a small store, so finished jobs are remembered.
 */
export function useReconRun(onFinished: (job: JobInfo, templateId: string, period: string) => void) {
  const [running, setRunning] = useState<RunningRecon[]>([]);
  const runningRef = useRef<RunningRecon[]>([]);
  const finishedEarly = useRef(new Map<string, JobInfo>());
  const onFinishedRef = useRef(onFinished);
  useEffect(() => {
    onFinishedRef.current = onFinished;
  });

  const update = useCallback((fn: (list: RunningRecon[]) => RunningRecon[]) => {
    runningRef.current = fn(runningRef.current);
    setRunning(runningRef.current);
  }, []);

  const finish = useCallback(
    (job: JobInfo) => {
      const mine = runningRef.current.find((r) => r.jobId === job.id);
      if (!mine) return;
      update((list) => list.filter((r) => r !== mine));
      onFinishedRef.current(job, mine.templateId, mine.period);
    },
    [update],
  );

  useEvent(
    "job/finished",
    useCallback(
      (job: JobInfo) => {
        if (job.kind !== "recon") return;
        finishedEarly.current.set(job.id, job);
        finish(job);
      },
      [finish],
    ),
  );

  // The end of a run arrives as an event; one missed while the event socket reconnects would leave
  // the run showing forever, so while runs are under way their state is also asked every few seconds.
  const anyRunning = running.some((r) => r.jobId !== null);
  useEffect(() => {
    if (!anyRunning) return;
    const timer = setInterval(() => {
      call("jobs/list", { limit: 50 }).then(
        (jobs) => {
          for (const job of jobs) {
            const ended = job.status === "succeeded" || job.status === "failed" || job.status === "cancelled";
            if (ended && runningRef.current.some((r) => r.jobId === job.id)) finish(job);
          }
        },
        () => {}, // offline: the next tick asks again
      );
    }, RUN_POLL_MS);
    return () => clearInterval(timer);
  }, [anyRunning, finish]);

  // Runs started elsewhere (before this page opened, by this user on another page, by someone else,
  // or still waiting their turn) show here too: otherwise a Run button would queue the same run twice.
  const adopting = useRef(false);
  const adopt = useCallback(() => {
    if (adopting.current) return;
    adopting.current = true;
    call("jobs/list", { limit: 50 })
      .then(
        (jobs) => {
          const under = jobs.filter(
            (j) =>
              j.kind === "recon" && (j.status === "queued" || j.status === "running") && !runningRef.current.some((r) => r.jobId === j.id),
          );
          if (under.length === 0) return;
          update((list) => [
            ...list,
            ...under.map((j) => ({
              jobId: j.id,
              templateId: String(j.params.templateId),
              period: String(j.params.period),
              phase: j.phase ?? (j.status === "queued" ? "Waiting for the run before it…" : j.label),
              done: j.done,
              total: j.total,
            })),
          ]);
        },
        () => {}, // offline: the page works without them
      )
      .finally(() => {
        adopting.current = false;
      });
  }, [update]);
  useEffect(adopt, [adopt]);
  // A run's progress moves its bar; the progress of a recon run this page does not know adopts it.
  useEvent(
    "job/progress",
    useCallback(
      (p: EngineEvents["job/progress"]) => {
        if (runningRef.current.some((r) => r.jobId === p.jobId))
          update((list) => list.map((r) => (r.jobId === p.jobId ? { ...r, phase: p.phase, done: p.done, total: p.total } : r)));
        else if (p.kind === "recon") adopt();
      },
      [adopt, update],
    ),
  );

  const start = useCallback(
    async (templateId: string, period: string): Promise<void> => {
      const pending: RunningRecon = { jobId: null, templateId, period, phase: "Starting…", done: 0, total: null };
      update((list) => [...list, pending]);
      try {
        const { jobId } = await call("jobs/start", { kind: "recon", params: { templateId, period } });
        // The engine answers with the run already under way for the same reconciliation and period, if any.
        update((list) =>
          list.some((r) => r.jobId === jobId) ? list.filter((r) => r !== pending) : list.map((r) => (r === pending ? { ...r, jobId } : r)),
        );
        const early = finishedEarly.current.get(jobId);
        if (early) finish(early);
      } catch (error) {
        update((list) => list.filter((r) => r !== pending));
        throw error;
      }
    },
    [finish, update],
  );

  const cancel = useCallback((jobId: string) => call("jobs/cancel", { jobId }), []);
  const runningFor = useCallback(
    (templateId: string, period: string) => running.find((r) => r.templateId === templateId && r.period === period) ?? null,
    [running],
  );
  return { running, start, cancel, runningFor };
}

/** A run's progress with its cancel button, next to the Run button that started it. */
export function RunProgress({ run, onCancel }: { run: RunningRecon; onCancel: () => void }) {
  return (
    <span className="run-progress" role="status" aria-live="polite" data-testid="run-progress">
      <span className="job-phase">{run.phase}</span>
      <progress max={run.total ?? undefined} value={run.total ? run.done : undefined} aria-label="run progress" />
      <button type="button" onClick={onCancel} disabled={!run.jobId}>
        Cancel
      </button>
    </span>
  );
}
