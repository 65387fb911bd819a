import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import type { JobInfo } from "../../../src-shared/api";
import type { JobTable } from "../store/job.table";

/** The running job's latest progress: its row gets it only when the job ends. */
export type RunningProgress = { id: string } & Pick<JobInfo, "phase" | "done" | "total" | "message">;

/**
 * Jobs that have no row in the `job` table yet (waiting their turn, or cancelled while they
 * waited) are kept in a small file beside the store: `<store>-queue.json`. The table cannot take
 * them at once (a running job may hold the write lock for minutes), and without the file a
 * process that died would lose them without a trace. The next start records them as
 * interrupted, as it does the job that was running; that one's row gets the last progress kept
 * here, so it says how far it had got.
 */
export function queueJournalPath(dbPath: string): string | null {
  return dbPath === "" || dbPath === ":memory:" || dbPath.startsWith("file::memory:") ? null : `${dbPath}-queue.json`;
}

/**
 * Replaces the journal with these jobs, durably (written, synced, then renamed over the old one);
 * no jobs, no file. Throws when the disk refuses (full, or the file held open by another program).
 */
export function saveQueueJournal(path: string | null, jobs: JobTable[], running: RunningProgress | null = null): void {
  if (path === null) return;
  if (jobs.length === 0 && running === null) {
    rmSync(path, { force: true });
    return;
  }
  const next = `${path}.next`;
  const fd = openSync(next, "w");
  try {
    writeSync(fd, JSON.stringify({ version: 1, jobs, running }));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(next, path);
}

/**
 * The jobs a previous process left in its journal. The journal stays until `doneWithQueueJournal`
 * (after they are recorded), so a crash while recording them loses nothing. A journal that cannot
 * be read is set aside (`.unreadable-<time>`) rather than deleted, and said so.
 */
export function readQueueJournal(path: string | null): { jobs: JobTable[]; running: RunningProgress | null; problem: string | null } {
  if (path === null) return { jobs: [], running: null, problem: null };
  rmSync(`${path}.next`, { force: true });
  if (!existsSync(path)) return { jobs: [], running: null, problem: null };
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as {
      version?: unknown;
      jobs?: unknown;
      running?: Partial<RunningProgress> | null;
    };
    if (parsed.version !== 1 || !Array.isArray(parsed.jobs)) throw new Error("not a version-1 job queue");
    const jobs = (parsed.jobs as Partial<JobTable>[]).filter(
      (j): j is JobTable => typeof j?.id === "string" && typeof j.kind === "string" && typeof j.params_json === "string",
    );
    const r = parsed.running;
    const running = r && typeof r.id === "string" && typeof r.done === "number" ? (r as RunningProgress) : null;
    return { jobs, running, problem: null };
  } catch (error) {
    const aside = `${path}.unreadable-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    renameSync(path, aside);
    return {
      jobs: [],
      running: null,
      problem: `the job queue left by the previous run could not be read (${(error as Error).message}); it was kept as ${aside}`,
    };
  }
}

export function doneWithQueueJournal(path: string | null): void {
  if (path !== null) rmSync(path, { force: true });
}
