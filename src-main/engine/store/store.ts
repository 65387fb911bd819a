import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect, type MigrationProvider } from "kysely";
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Database } from "./database";
import { LATEST_SCHEMA_VERSION, MIGRATION_NAMES, migrations } from "./migrations";

export class StoreError extends Error {
  constructor(
    readonly code: "SCHEMA_TOO_NEW" | "MIGRATION_FAILED" | "NOT_A_TIEOUT_DATABASE" | "OPEN_FAILED",
    message: string,
  ) {
    super(message);
    this.name = "StoreError";
  }
}

export interface Store {
  /** Typed query builder over the same connection. */
  db: Kysely<Database>;
  /** The raw connection, for bulk work where prepared statements beat the builder. */
  sqlite: BetterSqlite3.Database;
  path: string;
  schemaVersion: number;
  /** Migrations applied by this open (empty when the database was current). */
  applied: string[];
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  readonly?: boolean;
  /** Path to a better-sqlite3 native binding built for another runtime (Electron). */
  nativeBinding?: string;
}

/**
 * Where this connection's view of the store stands: changes whenever anything is committed to
 * it, by any connection. `data_version` moves when another connection (a job, the reader
 * thread) commits; `total_changes()` when this one writes. Equal marks taken before a read
 * (even a read on another connection) and inside a later write transaction prove that nothing
 * was committed in between, so the read still holds when the write commits.
 */
export function commitMark(store: Pick<Store, "sqlite">): string {
  const version = store.sqlite.pragma("data_version", { simple: true }) as number;
  const changes = (store.sqlite.prepare("SELECT total_changes() AS n").get() as { n: number }).n;
  return `${version}:${changes}`;
}

/**
 * Text a person typed, made literal inside a `LIKE … ESCAPE '\\'` pattern: `%`, `_` and the
 * backslash match only themselves (a search for "CO_45" must not find "CO145").
 */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The first of `count` ids for new rows of `table` that no row of it ever had, deleted rows
 * included (migration 0010's `id_watermark`); call it inside the write transaction that inserts
 * them, with those ids. Audit entries name match groups by id, so an id must never come back.
 */
export function nextIds(store: Pick<Store, "sqlite">, table: "match_group", count: number): number {
  const db = store.sqlite;
  const last = (db.prepare("SELECT last FROM id_watermark WHERE name = ?").pluck().get(table) as number | undefined) ?? 0;
  const max = db.prepare(`SELECT COALESCE(MAX(id), 0) FROM ${table}`).pluck().get() as number;
  const first = Math.max(last, max) + 1;
  if (count > 0) {
    db.prepare("INSERT INTO id_watermark (name, last) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET last = excluded.last").run(
      table,
      first + count - 1,
    );
  }
  return first;
}

/** How long a connection waits for another's write lock before SQLite answers SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 10_000;

/** The write lock stayed taken past the busy timeout: another connection (a job, another process) holds it. */
export function isStoreBusy(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "SQLITE_BUSY";
}

/**
 * Runs `work` in one transaction if nothing was committed since `mark` (see `commitMark`), and
 * returns its result with the mark as the transaction leaves it (taken inside, so no other
 * connection can commit in between); null, with nothing run, when something was. `immediate`
 * takes the write lock first, for work that writes.
 */
export function ifUnchangedSince<R>(
  store: Pick<Store, "sqlite">,
  mark: string,
  work: () => R,
  immediate = true,
): { result: R; mark: string } | null {
  const transaction = store.sqlite.transaction(() => {
    if (commitMark(store) !== mark) return null;
    const result = work();
    return { result, mark: commitMark(store) };
  });
  return immediate ? transaction.immediate() : transaction.deferred();
}

const staticProvider: MigrationProvider = { getMigrations: async () => migrations };

function appliedMigrationNames(sqlite: BetterSqlite3.Database): string[] {
  const table = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'").get();
  if (!table) return [];
  return (sqlite.prepare("SELECT name FROM kysely_migration ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

/**
 * Opens (or creates) a Tieout store and brings its schema up to date. A database
 * written by a newer Tieout is refused rather than guessed at.
 */
export async function openStore(path: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (path !== ":memory:" && !options.readonly) mkdirSync(dirname(path), { recursive: true });
  let sqlite: BetterSqlite3.Database;
  try {
    sqlite = new BetterSqlite3(path, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
  } catch (error) {
    throw new StoreError("OPEN_FAILED", `Cannot open the database ${path}: ${(error as Error).message}`);
  }
  try {
    // A file that exists but is not SQLite fails here with "file is not a database".
    sqlite.pragma("journal_mode = WAL");
  } catch (error) {
    sqlite.close();
    throw new StoreError("NOT_A_TIEOUT_DATABASE", `${path} is not a SQLite database: ${(error as Error).message}`);
  }
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // FULL: a commit (and so an HL7 ACK sent after it) survives power loss, not only a crash.
  sqlite.pragma("synchronous = FULL");
  // Up to 128 MB of page cache (SQLite's default is 2 MB): a run writing a million rows into
  // tables with several indexes otherwise reads the same index pages back from the OS again
  // and again. Pages are taken as needed, so a small store costs no more.
  sqlite.pragma("cache_size = -131072");

  const known = new Set(MIGRATION_NAMES);
  const appliedBefore = appliedMigrationNames(sqlite);
  const unknown = appliedBefore.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    sqlite.close();
    throw new StoreError(
      "SCHEMA_TOO_NEW",
      `The database ${path} was written by a newer version of Tieout (it has schema step ${unknown[unknown.length - 1]}; ` +
        `this version knows up to ${MIGRATION_NAMES[MIGRATION_NAMES.length - 1]}). Open it with a newer Tieout; nothing was changed.`,
    );
  }

  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  let applied: string[] = [];
  if (!options.readonly) {
    const migrator = new Migrator({ db, provider: staticProvider });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      await db.destroy();
      const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
      throw new StoreError("MIGRATION_FAILED", `Upgrading ${path} failed at step ${failed}: ${(error as Error).message ?? String(error)}`);
    }
    applied = (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
    sqlite.pragma(`user_version = ${LATEST_SCHEMA_VERSION}`);
  }
  const schemaVersion = appliedMigrationNames(sqlite).length;

  let closed = false;
  return {
    db,
    sqlite,
    path,
    schemaVersion,
    applied,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy(); // closes the better-sqlite3 handle too
    },
  };
}

export function storeExists(path: string): boolean {
  return path === ":memory:" ? false : existsSync(path);
}
