import { randomUUID } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import type { JobInfo } from "../../../src-shared/api";
import type { JobTable } from "../store/job.table";

/** The running job and its latest progress: its row gets the progress only when the job ends. */
export type RunningProgress = { id: string } & Pick<JobInfo, "phase" | "done" | "total" | "message">;

/**
 * A job's end that its row does not say yet (another process held the write lock): kept whole, so
 * that whoever records it (this runner a moment later, or the next start) records what happened.
 */
export interface JobEnd {
  id: string;
  status: "succeeded" | "failed" | "cancelled";
  error: string | null;
  result_json: string | null;
  finished_at: string;
  phase: string | null;
  done: number | null;
  total: number | null;
  message: string | null;
}

/** Which job runner keeps a journal: the process, on which machine, and which runner in it. */
export interface JournalOwner {
  pid: number;
  host: string;
  instance: string;
}

/**
 * How often an open runner touches its journal, and how long an untouched one is still taken
 * as alive when its process is on another machine (on this one, the process itself is asked).
 */
export const JOURNAL_HEARTBEAT_MS = 15_000;
export const JOURNAL_STALE_MS = 120_000;

/** The runners open in this process: a journal of this process is alive only while its runner is. */
const openHere = new Set<string>();

/**
 * Each job runner on a store keeps a small file beside it, `<store>-queue-<pid>-<id>.json`, for
 * as long as it is open: the jobs that have no row in the `job` table yet (waiting their turn, or
 * cancelled while they waited) and the job it is running, with that job's latest progress. The
 * table cannot take the waiting ones at once (a running job may hold the write lock for
 * minutes), and without the file a process that died would lose them without a trace.
 *
 * The file also says that its runner is alive. The app and a scheduled `tieout` run may have
 * the same store open; when one of them starts, it records as interrupted only the jobs of a
 * runner that is gone (its process no longer running; on another machine, its journal
 * untouched for two minutes), never those another live process is running or keeps waiting.
 */
export function newJournalOwner(): JournalOwner {
  return { pid: process.pid, host: hostname(), instance: `${process.pid}-${randomUUID().slice(0, 8)}` };
}

export function queueJournalPath(dbPath: string, owner: JournalOwner): string | null {
  return isMemory(dbPath) ? null : `${dbPath}-queue-${owner.instance}.json`;
}

function isMemory(dbPath: string): boolean {
  return dbPath === "" || dbPath === ":memory:" || dbPath.startsWith("file::memory:");
}

/**
 * Every journal beside this store, this version's (`-queue-<owner>.json`) and the single
 * `-queue.json` an earlier version kept. Files set aside or half-written are not journals.
 */
export function queueJournals(dbPath: string): string[] {
  if (isMemory(dbPath)) return [];
  const dir = dirname(dbPath);
  const prefix = `${basename(dbPath)}-queue`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix) && n.endsWith(".json") && (n === `${prefix}.json` || n.startsWith(`${prefix}-`)))
    .sort()
    .map((n) => join(dir, n));
}

/** Marks this runner open in this process (its journal is then alive) or closed. */
export function setRunnerOpen(owner: JournalOwner, open: boolean): void {
  if (open) openHere.add(owner.instance);
  else openHere.delete(owner.instance);
}

/**
 * Replaces the journal with these jobs, durably (written, synced, then renamed over the old one).
 * Throws when the disk refuses (full, or the file held open by another program).
 */
export function saveQueueJournal(
  path: string | null,
  owner: JournalOwner,
  jobs: JobTable[],
  running: RunningProgress | null,
  /** Jobs that ended but whose rows do not say so yet (another process held the write lock). */
  ending: JobEnd[] = [],
): void {
  if (path === null) return;
  const next = `${path}.next`;
  const fd = openSync(next, "w");
  try {
    writeSync(fd, JSON.stringify({ version: 2, owner, jobs, running, ending }));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(next, path);
}

/** Says "still here": the journal's time is what another process reads as this runner's pulse. */
export function touchQueueJournal(path: string | null): boolean {
  if (path === null) return true;
  try {
    const now = new Date();
    utimesSync(path, now, now);
    return true;
  } catch {
    return false;
  }
}

export interface LeftJournal {
  jobs: JobTable[];
  running: RunningProgress | null;
  /** Ids of jobs with a row that this runner still answers for: the running one, and those ending. */
  alive: string[];
  ending: JobEnd[];
  /** Null for an earlier version's journal: it had one runner per store, so it is always left behind. */
  owner: JournalOwner | null;
  touchedAt: number;
  problem: string | null;
}

/**
 * The jobs a runner keeps in its journal. A journal that cannot be read is set aside
 * (`.unreadable-<time>`) rather than deleted, and said so.
 */
export function readQueueJournal(path: string): LeftJournal {
  const none: LeftJournal = { jobs: [], running: null, alive: [], ending: [], owner: null, touchedAt: 0, problem: null };
  if (!existsSync(path)) return none;
  let text: string;
  let touchedAt: number;
  try {
    touchedAt = statSync(path).mtimeMs;
    text = readFileSync(path, "utf8");
  } catch {
    // Gone between the listing and the read: its runner closed.
    return none;
  }
  try {
    const parsed = JSON.parse(text) as {
      version?: unknown;
      owner?: Partial<JournalOwner> | null;
      jobs?: unknown;
      running?: Partial<RunningProgress> | null;
      ending?: unknown;
    };
    if ((parsed.version !== 1 && parsed.version !== 2) || !Array.isArray(parsed.jobs)) throw new Error("not a job queue journal");
    const jobs = (parsed.jobs as Partial<JobTable>[]).filter(
      (j): j is JobTable => typeof j?.id === "string" && typeof j.kind === "string" && typeof j.params_json === "string",
    );
    const r = parsed.running;
    const running = r && typeof r.id === "string" ? ({ phase: null, done: 0, total: null, message: null, ...r } as RunningProgress) : null;
    const o = parsed.owner;
    const owner =
      o && typeof o.pid === "number" && typeof o.host === "string" && typeof o.instance === "string" ? (o as JournalOwner) : null;
    const ending = Array.isArray(parsed.ending)
      ? (parsed.ending as Partial<JobEnd>[])
          .filter((e) => typeof e?.id === "string" && ["succeeded", "failed", "cancelled"].includes(e.status as string))
          .map((e): JobEnd => ({
            id: e.id!,
            status: e.status!,
            error: typeof e.error === "string" ? e.error : null,
            result_json: typeof e.result_json === "string" ? e.result_json : null,
            finished_at: typeof e.finished_at === "string" ? e.finished_at : new Date().toISOString(),
            phase: typeof e.phase === "string" ? e.phase : null,
            done: typeof e.done === "number" ? e.done : null,
            total: typeof e.total === "number" ? e.total : null,
            message: typeof e.message === "string" ? e.message : null,
          }))
      : [];
    return {
      jobs,
      running,
      alive: [...(running ? [running.id] : []), ...ending.map((e) => e.id)],
      ending,
      owner,
      touchedAt,
      problem: null,
    };
  } catch (error) {
    const aside = `${path}.unreadable-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    renameSync(path, aside);
    return {
      ...none,
      problem: `a job queue journal could not be read (${(error as Error).message}); it was kept as ${aside}`,
    };
  }
}

/**
 * Whether the runner that keeps this journal is still open, in this process or another. On this
 * machine its process says so: a process that runs but has not touched its journal for a while
 * (a laptop waking from sleep, a scheduled run that starts before the app's next heartbeat) is
 * alive. A process id the system gave to another program since a crash would keep that runner's
 * jobs "running" until that program ends; nothing waits on them meanwhile. On another machine
 * (a store on a shared drive) only the journal's age can tell.
 */
export function journalIsLive(left: LeftJournal, now = Date.now()): boolean {
  const owner = left.owner;
  if (!owner) return false;
  if (owner.host === hostname()) return owner.pid === process.pid ? openHere.has(owner.instance) : processRuns(owner.pid);
  return now - left.touchedAt < JOURNAL_STALE_MS;
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes a journal (and a half-written replacement of it) once what it held is recorded. */
export function doneWithQueueJournal(path: string | null): void {
  if (path === null) return;
  rmSync(`${path}.next`, { force: true });
  rmSync(path, { force: true });
}
