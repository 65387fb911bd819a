import { randomUUID } from "node:crypto";
import { totalmem } from "node:os";
import { Worker } from "node:worker_threads";
import type { JobInfo, JobKind, JobParamsByKind } from "../../../src-shared/api";
import type { EngineEventBus } from "../events";
import { BUSY_TIMEOUT_MS, isStoreBusy, type Store } from "../store/store";
import type { JobTable } from "../store/job.table";
import { jobErrorText, type FromWorker, type ToWorker } from "./jobContext";
import { jobDefinition } from "./jobs";
import {
  doneWithQueueJournal,
  JOURNAL_HEARTBEAT_MS,
  journalIsLive,
  newJournalOwner,
  queueJournalPath,
  queueJournals,
  readQueueJournal,
  saveQueueJournal,
  setRunnerOpen,
  touchQueueJournal,
  type JobEnd,
  type JournalOwner,
  type LeftJournal,
} from "./queueJournal";

/** Records a job's end in its row. */
function writeEnd(sqlite: Store["sqlite"], end: JobEnd): void {
  sqlite
    .prepare(
      `UPDATE job SET status = @status, error = @error, result_json = @result_json, finished_at = @finished_at,
         phase = coalesce(@phase, phase), done = coalesce(@done, done), total = coalesce(@total, total), message = coalesce(@message, message)
       WHERE id = @id`,
    )
    .run(end);
}

export interface JobRunnerOptions {
  store: Store;
  events: EngineEventBus;
  /** The worker script. Defaults to the TypeScript bootstrap beside this file, or the bundled jobWorker.js. */
  workerEntry?: URL | string;
  nativeBinding?: string;
  /** How long a cancelled job may take to reach a safe point before it is stopped hard. */
  cancelGraceMs?: number;
}

/**
 * A job's heap: 70% of the machine's memory, at least V8's usual 4 GB and at most 16 GB. A
 * reconciliation of a million encounters holds a few million side rows at once: a re-run of
 * charge reconciliation at that size peaks at about 4.1 GB of heap, past the 4 GB half of an
 * 8 GB laptop would give it. The limit is a ceiling, not a reservation: a small job uses little.
 */
export function jobHeapLimitMb(totalBytes = totalmem()): number {
  return Math.min(16_384, Math.max(4_096, Math.floor((totalBytes * 0.7) / 1024 / 1024)));
}

/**
 * The reader thread's heap (jobs/heavyReads.ts): a quarter of the machine's memory, between 4
 * and 8 GB. It shares the process with the job's worker, and its reads (figures, pages,
 * summaries) aggregate in SQLite and hold little.
 */
export function readerHeapLimitMb(totalBytes = totalmem()): number {
  return Math.min(8_192, Math.max(4_096, Math.floor(totalBytes / 4 / 1024 / 1024)));
}

export function defaultWorkerEntry(): URL {
  return import.meta.url.endsWith(".ts") ? new URL("./jobWorker.entry.mjs", import.meta.url) : new URL("./jobWorker.js", import.meta.url);
}

export function jobInfo(row: JobTable): JobInfo {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    label: row.label,
    requestedBy: row.requested_by,
    params: JSON.parse(row.params_json) as Record<string, unknown>,
    phase: row.phase,
    done: row.done,
    total: row.total,
    message: row.message,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    result: row.result_json ? (JSON.parse(row.result_json) as Record<string, unknown>) : null,
  };
}

/**
 * Runs long work in worker threads, one job at a time (SQLite has one writer, and
 * this machine class has two cores), keeps each job's state in the `job` table and
 * reports progress as events. The calling thread never waits on the job's SQL.
 *
 * A job waiting its turn lives in memory (and in a journal file beside the store, so a crash
 * cannot lose it silently) and gets its row when it starts: while a job runs,
 * its worker may hold the write lock for minutes (saving a million-encounter run), and
 * queueing the next one must not wait for that or fail on it. A job cancelled while it
 * waited is written when the running one has ended.
 *
 * Another process may have the same store open (the app and a scheduled `tieout` run): each
 * runner's journal says it is alive, and a runner starting up records as interrupted only the
 * jobs of runners that are gone.
 */
export class JobRunner {
  private readonly queue: JobTable[] = [];
  private readonly unwritten: JobTable[] = [];
  private running: {
    id: string;
    worker: Worker;
    cancelFlag: Int32Array;
    cancelTimer?: NodeJS.Timeout;
    /** The latest progress, kept in memory: written to the row only when the job ends. */
    progress?: Pick<JobInfo, "phase" | "done" | "total" | "message">;
  } | null = null;
  private readonly workerEntry: URL | string;
  private readonly finishedWaiters = new Map<string, ((info: JobInfo) => void)[]>();
  private closed = false;
  /** This runner, as its journal names it. */
  private readonly owner: JournalOwner = newJournalOwner();
  /** Where the jobs without a row are kept meanwhile, and this runner says it is alive (see queueJournal.ts). */
  readonly journal: string | null;
  /** When the journal was last written (progress rewrites it at most once a second). */
  private journalSavedAt = 0;
  private readonly heartbeat: NodeJS.Timeout | null;
  /** Closed: the journal is gone and stays gone. */
  private journalDone = false;
  /**
   * Jobs that ended while another process held the store's write lock: their end is known (and
   * announced) but not yet in their row. Written at the next try; the journal keeps them alive meanwhile.
   */
  private readonly unrecorded = new Map<string, { info: JobInfo; end: JobEnd }>();
  /** The next try at writes the write lock held back (a job's row, its end, cancelled rows). */
  private retryTimer: NodeJS.Timeout | null = null;
  /** Tries since the last write that went through: the wait between them doubles, up to 10 s. */
  private retries = 0;

  constructor(private readonly options: JobRunnerOptions) {
    this.workerEntry = options.workerEntry ?? defaultWorkerEntry();
    this.journal = queueJournalPath(options.store.path, this.owner);
    // Alive before looking at the others: a runner starting meanwhile leaves this one's jobs alone.
    setRunnerOpen(this.owner, true);
    this.saveJournal();
    this.recoverLeftBehind();
    this.heartbeat = this.journal
      ? setInterval(() => {
          if (!touchQueueJournal(this.journal)) this.saveJournal();
        }, JOURNAL_HEARTBEAT_MS).unref()
      : null;
  }

  /**
   * Records what runners that are gone left unfinished: a job that was running cannot resume (its
   * row gets the last progress its journal kept, so it says how far it had got), nor can one that
   * was waiting its turn; one cancelled while it waited stays cancelled. The jobs of a runner still
   * alive, in another process, are left alone. Best effort: if a job elsewhere holds the write
   * lock, the journals stay for the next start.
   */
  private recoverLeftBehind(): void {
    const sqlite = this.options.store.sqlite;
    const now = new Date().toISOString();
    const progress = sqlite.prepare(
      "UPDATE job SET phase = ?, done = ?, total = ?, message = ? WHERE id = ? AND status IN ('queued', 'running')",
    );
    const record = sqlite.prepare(
      `INSERT OR IGNORE INTO job (id, kind, status, label, params_json, requested_by, created_at, finished_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const interrupt = sqlite.prepare(
      `UPDATE job SET status = 'failed', error = 'interrupted: Tieout stopped while this job was running; start it again', finished_at = ?
       WHERE status IN ('queued', 'running') AND id NOT IN (SELECT value FROM json_each(?))`,
    );
    let gone: string[];
    try {
      // The journals are read under the write lock: a runner elsewhere writes its journal before
      // it inserts a running row, so every row committed before this lock has its journal on disk.
      gone = sqlite
        .transaction((): string[] => {
          const keptAlive: string[] = [];
          const left: { path: string; journal: LeftJournal }[] = [];
          for (const path of queueJournals(this.options.store.path)) {
            if (path === this.journal) continue;
            const journal = readQueueJournal(path);
            if (journal.problem) console.error(`Tieout: ${journal.problem}`);
            if (journalIsLive(journal)) keptAlive.push(...journal.jobs.map((j) => j.id), ...journal.alive);
            else left.push({ path, journal });
          }
          for (const { journal } of left) {
            const p = journal.running;
            if (p) progress.run(p.phase, p.done, p.total, p.message, p.id);
            // Ends known but not written when that runner stopped: what happened, not "interrupted".
            for (const end of journal.ending) writeEnd(sqlite, end);
          }
          interrupt.run(now, JSON.stringify(keptAlive));
          for (const { journal } of left) {
            for (const j of journal.jobs) {
              const cancelled = j.status === "cancelled";
              record.run(
                j.id,
                j.kind,
                cancelled ? "cancelled" : "failed",
                j.label,
                j.params_json,
                j.requested_by,
                j.created_at,
                cancelled ? j.finished_at : now,
                cancelled ? null : "interrupted: Tieout stopped before this job started; start it again",
              );
            }
          }
          return left.map((l) => l.path);
        })
        .immediate();
    } catch (error) {
      if (!isStoreBusy(error)) throw error;
      console.error("Tieout: another process is writing to the store; jobs it left unfinished are recorded at the next start");
      return;
    }
    for (const path of gone) doneWithQueueJournal(path);
  }

  /**
   * Keeps the jobs without a row, and the running job with its progress, in the journal beside the
   * store. Best effort: a disk that refuses (full, or the file held open by another program) is
   * logged and the queue goes on; the next change, or the next heartbeat, writes it again.
   */
  private saveJournal(runningId = this.running?.id): void {
    if (this.journalDone) return;
    const progress = this.running?.id === runningId ? this.running?.progress : undefined;
    const running = runningId ? { id: runningId, phase: null, done: 0, total: null, message: null, ...progress } : null;
    this.journalSavedAt = Date.now();
    try {
      saveQueueJournal(
        this.journal,
        this.owner,
        this.inMemory(),
        running,
        [...this.unrecorded.values()].map((u) => u.end),
      );
    } catch (error) {
      console.error(`Tieout: could not write the job queue journal ${this.journal}: ${(error as Error).message}`);
    }
  }

  private row(id: string): JobTable {
    return this.options.store.sqlite.prepare("SELECT * FROM job WHERE id = ?").get(id) as JobTable;
  }

  /** Jobs not in the `job` table yet: waiting their turn, or cancelled while they waited. */
  private inMemory(): JobTable[] {
    return [...this.queue, ...this.unwritten];
  }

  get(id: string): JobInfo | null {
    const waiting = this.inMemory().find((r) => r.id === id);
    if (waiting) return jobInfo(waiting);
    const ended = this.unrecorded.get(id);
    if (ended) return ended.info;
    const row = this.options.store.sqlite.prepare("SELECT * FROM job WHERE id = ?").get(id) as JobTable | undefined;
    return row ? this.withLiveProgress(jobInfo(row)) : null;
  }

  /** The running job's row with its in-memory progress laid over it. */
  private withLiveProgress(info: JobInfo): JobInfo {
    const progress = this.running?.id === info.id ? this.running.progress : undefined;
    return progress ? { ...info, ...progress } : info;
  }

  list(limit = 50): JobInfo[] {
    const rows = this.options.store.sqlite
      .prepare("SELECT * FROM job ORDER BY created_at DESC, rowid DESC LIMIT ?")
      .all(limit) as JobTable[];
    // Newest first; a waiting job was created after every job in the table.
    const waiting = this.inMemory().reverse();
    return [...waiting, ...rows].slice(0, limit).map((row) => this.unrecorded.get(row.id)?.info ?? this.withLiveProgress(jobInfo(row)));
  }

  /**
   * Starts a job, or answers with the one already waiting or running with the same kind and
   * params: two people pressing Run on the same reconciliation get one run, not two in a row.
   */
  start<K extends JobKind>(kind: K, params: JobParamsByKind[K], requestedBy = "system"): string {
    if (this.closed) throw new Error("the engine is shutting down");
    const paramsJson = JSON.stringify(params);
    if (jobDefinition(kind)?.once) {
      const same = (r: JobTable) => r.kind === kind && r.params_json === paramsJson;
      const waiting = this.queue.find(same);
      if (waiting) return waiting.id;
      const current = this.running ? (this.row(this.running.id) as JobTable | undefined) : undefined;
      if (current && same(current)) return current.id;
    }
    const id = randomUUID();
    this.queue.push({
      id,
      kind,
      status: "queued",
      label: jobDefinition(kind)!.label(params as never, this.options.store),
      params_json: paramsJson,
      requested_by: requestedBy,
      phase: null,
      done: 0,
      total: null,
      message: null,
      error: null,
      result_json: null,
      created_at: new Date().toISOString(),
      started_at: null,
      finished_at: null,
    });
    this.saveJournal();
    this.pump();
    return id;
  }

  /** Resolves when the job ends, whatever the outcome. */
  waitFor(id: string): Promise<JobInfo> {
    const current = this.get(id);
    if (current && ["succeeded", "failed", "cancelled"].includes(current.status)) return Promise.resolve(current);
    return new Promise((resolve) => {
      const waiters = this.finishedWaiters.get(id) ?? [];
      waiters.push(resolve);
      this.finishedWaiters.set(id, waiters);
    });
  }

  cancel(id: string): boolean {
    const queuedAt = this.queue.findIndex((r) => r.id === id);
    if (queuedAt >= 0) {
      const [row] = this.queue.splice(queuedAt, 1);
      this.unwritten.push({ ...row!, status: "cancelled", finished_at: new Date().toISOString() });
      this.finished(this.get(id)!, "cancelled");
      if (!this.running) this.writeUnwritten();
      this.saveJournal();
      return true;
    }
    if (this.running?.id === id) {
      const running = this.running;
      Atomics.store(running.cancelFlag, 0, 1);
      // The grace is past the store's busy timeout with room to spare: a worker waiting for
      // another process's write lock gets its SQLITE_BUSY and stops by itself. Stopping a worker
      // while better-sqlite3 raises an error in it aborts the whole process (better-sqlite3 #842).
      running.cancelTimer ??= setTimeout(
        () => {
          void running.worker.terminate();
        },
        this.options.cancelGraceMs ?? 3 * BUSY_TIMEOUT_MS,
      );
      return true;
    }
    return false;
  }

  /**
   * A write of the runner's own (a job's row, its end, cancelled rows) that another process's
   * write lock must not turn into a stall: it waits at most a quarter of a second, and says
   * whether it went through. What did not is tried again a second later.
   */
  private tryWrite(write: () => void): boolean {
    const db = this.options.store.sqlite;
    const patience = db.pragma("busy_timeout", { simple: true }) as number;
    // A first try waits a quarter of a second; retries barely wait (the lock is likely still held).
    db.pragma(`busy_timeout = ${this.retries === 0 ? 250 : 20}`);
    try {
      write();
      this.retries = 0;
      return true;
    } catch (error) {
      if (!isStoreBusy(error)) throw error;
      this.retryLater();
      return false;
    } finally {
      db.pragma(`busy_timeout = ${patience}`);
    }
  }

  private retryLater(): void {
    if (this.retryTimer || this.closed) return;
    const wait = Math.min(10_000, 1000 * 2 ** this.retries);
    this.retries++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.writeHeldBack();
      this.pump();
    }, wait);
  }

  /** Writes the ends and cancelled rows another process's lock held back. */
  private writeHeldBack(): void {
    for (const [id, ended] of this.unrecorded) {
      if (!this.tryWrite(() => writeEnd(this.options.store.sqlite, ended.end))) break;
      this.unrecorded.delete(id);
    }
    this.writeUnwritten();
    this.saveJournal();
  }

  private pump(): void {
    if (this.running || this.closed || this.retryTimer) return;
    const row = this.queue[0];
    if (!row) return;
    const id = row.id;
    this.writeUnwritten();
    // In the journal as running before its row says so: a runner starting elsewhere meanwhile
    // sees the row's owner alive.
    this.saveJournal(id);
    let started: boolean;
    try {
      started = this.tryWrite(() =>
        this.options.store.sqlite
          .prepare(
            // ON CONFLICT: a runner starting elsewhere may have taken this one for gone (its journal
            // untouched for minutes) and recorded this waiting job as interrupted; it runs after all.
            `INSERT INTO job (id, kind, status, label, params_json, requested_by, created_at, started_at) VALUES (?, ?, 'running', ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET status = 'running', started_at = excluded.started_at, error = NULL, finished_at = NULL`,
          )
          .run(id, row.kind, row.label, row.params_json, row.requested_by, row.created_at, new Date().toISOString()),
      );
    } catch (error) {
      // The store refuses the job's row for good (a full disk, a read-only file): the job fails
      // here, said so, and the queue goes on.
      this.queue.shift();
      const message = `the job could not be recorded in the store: ${(error as Error).message}`;
      console.error(`Tieout: ${row.label}: ${message}`);
      this.finished({ ...jobInfo(row), status: "failed", error: message, finishedAt: new Date().toISOString() }, "failed");
      this.saveJournal();
      this.pump();
      return;
    }
    if (!started) {
      // Another process holds the write lock: the job keeps waiting, at the head of the queue.
      this.saveJournal();
      return;
    }
    this.queue.shift();
    const worker = new Worker(this.workerEntry, { resourceLimits: { maxOldGenerationSizeMb: jobHeapLimitMb() } });
    const cancelFlag = new SharedArrayBuffer(4);
    this.running = { id, worker, cancelFlag: new Int32Array(cancelFlag) };
    let settled = false;
    const settle = (outcome: Parameters<JobRunner["finish"]>[1]) => {
      if (settled) return;
      settled = true;
      if (this.running?.cancelTimer) clearTimeout(this.running.cancelTimer);
      const progress = this.running?.progress;
      this.running = null;
      this.finish(id, outcome, progress);
      void worker.terminate();
      this.pump();
    };
    worker.on("message", (message: FromWorker) => {
      switch (message.type) {
        case "progress":
          // Not written to SQLite here: the worker holds the write lock for most of its
          // run, and a write from this thread would wait for it, stalling every request.
          if (this.running?.id === id) {
            this.running.progress = { phase: message.phase, done: message.done, total: message.total, message: message.message };
            // At most once a second: progress can come many times a second.
            if (Date.now() - this.journalSavedAt >= 1000) this.saveJournal();
          }
          this.options.events.emit("job/progress", {
            jobId: id,
            kind: row.kind,
            requestedBy: row.requested_by,
            phase: message.phase,
            done: message.done,
            total: message.total,
            message: message.message,
          });
          break;
        case "store-changed":
          this.options.events.emit("store/changed", { tables: message.tables });
          break;
        case "done":
          settle({ status: "succeeded", result: message.result });
          break;
        case "cancelled":
          settle({ status: "cancelled" });
          break;
        case "failed":
          settle({ status: "failed", error: message.error });
          break;
      }
    });
    worker.on("error", (error: Error & { code?: string }) =>
      settle({
        status: "failed",
        error:
          error.code === "ERR_WORKER_OUT_OF_MEMORY"
            ? `the job ran out of memory (its heap limit is ${jobHeapLimitMb()} MB, 70% of this machine's memory); what it had committed is kept, the rest was not written`
            : jobErrorText(error),
      }),
    );
    worker.on("exit", (code) => {
      const cancelling = this.running?.cancelTimer !== undefined;
      settle(
        cancelling ? { status: "cancelled" } : { status: "failed", error: `the job's worker stopped unexpectedly (exit code ${code})` },
      );
    });
    worker.postMessage({
      type: "start",
      jobId: id,
      kind: row.kind,
      params: JSON.parse(row.params_json),
      dbPath: this.options.store.path,
      actor: row.requested_by,
      cancelFlag,
      ...(this.options.nativeBinding ? { nativeBinding: this.options.nativeBinding } : {}),
    } satisfies ToWorker);
  }

  private finish(
    id: string,
    outcome: { status: "succeeded"; result: Record<string, unknown> } | { status: "failed"; error: string } | { status: "cancelled" },
    progress?: Pick<JobInfo, "phase" | "done" | "total" | "message">,
  ): void {
    const error = outcome.status === "failed" ? outcome.error : null;
    const result = outcome.status === "succeeded" ? outcome.result : null;
    const end: JobEnd = {
      id,
      status: outcome.status,
      error,
      result_json: result === null ? null : JSON.stringify(result),
      finished_at: new Date().toISOString(),
      phase: progress?.phase ?? null,
      done: progress?.done ?? null,
      total: progress?.total ?? null,
      message: progress?.message ?? null,
    };
    if (this.tryWrite(() => writeEnd(this.options.store.sqlite, end))) {
      this.finished(jobInfo(this.row(id)), outcome.status);
    } else {
      // The end is known now, whether or not the row can say so yet.
      const info: JobInfo = { ...jobInfo(this.row(id)), ...progress, status: outcome.status, error, result, finishedAt: end.finished_at };
      this.unrecorded.set(id, { info, end });
      this.finished(info, outcome.status);
    }
    this.writeUnwritten();
    this.saveJournal();
  }

  /** Announces a job's end and wakes whoever waits for it. */
  private finished(info: JobInfo, status: JobInfo["status"]): void {
    this.options.events.emit("job/finished", info);
    if (status !== "failed") this.options.events.emit("store/changed", { tables: ["*"] });
    for (const resolve of this.finishedWaiters.get(info.id) ?? []) resolve(info);
    this.finishedWaiters.delete(info.id);
  }

  /**
   * Writes the rows of jobs cancelled while they waited (called when no job holds the store). The
   * caller saves the journal after it, with whatever else changed.
   */
  private writeUnwritten(): void {
    if (this.unwritten.length === 0) return;
    // ON CONFLICT: a runner elsewhere that took this one for gone may have recorded the job as interrupted.
    const insert = this.options.store.sqlite.prepare(
      `INSERT INTO job (id, kind, status, label, params_json, requested_by, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, finished_at = excluded.finished_at, error = NULL`,
    );
    const rows = [...this.unwritten];
    const written = this.tryWrite(() =>
      this.options.store.sqlite.transaction(() => {
        for (const r of rows) insert.run(r.id, r.kind, r.status, r.label, r.params_json, r.requested_by, r.created_at, r.finished_at);
      })(),
    );
    if (written) this.unwritten.splice(0, rows.length);
  }

  /** Cancels queued jobs, asks the running one to stop, and waits for it. */
  async close(): Promise<void> {
    this.closed = true;
    for (const { id } of [...this.queue]) this.cancel(id);
    if (this.running) {
      const id = this.running.id;
      const done = this.waitFor(id);
      this.cancel(id);
      await done;
    }
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    // What another process's write lock held back gets about fifteen seconds more.
    const heldBack = () => this.unrecorded.size > 0 || this.unwritten.length > 0;
    for (let tries = 0; heldBack() && tries < 20; tries++) {
      this.writeHeldBack();
      if (heldBack()) await new Promise((r) => setTimeout(r, 500));
    }
    if (this.heartbeat) clearInterval(this.heartbeat);
    setRunnerOpen(this.owner, false);
    if (heldBack()) {
      // Kept: the next start records these jobs from it.
      console.error(`Tieout: the store stayed locked by another process; the job journal ${this.journal} keeps what was not written`);
      this.journalDone = true;
      return;
    }
    this.journalDone = true;
    try {
      doneWithQueueJournal(this.journal);
    } catch (error) {
      console.error(`Tieout: could not remove the job queue journal ${this.journal}: ${(error as Error).message}`);
    }
  }
}
