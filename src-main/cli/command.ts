import { userInfo } from "node:os";
import { resolve } from "node:path";
import type { ParseArgsConfig } from "node:util";
import { isPeriod } from "../../src-shared/period";
import type { CallContext } from "../engine/handlerRegistry";
import { storeExists } from "../engine/store/store";

/** One `tieout <name>` command. Capabilities add theirs in `commands/<capability>.ts`. */
export interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  allowPositionals?: boolean;
  /** Returns the exit code: non-zero only when the command could not do its work. */
  run(values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number>;
}

/** A mistake in how the command was called; printed with the usage line, exit code 2. */
export class UsageError extends Error {}

export function requireDb(values: Record<string, unknown>): string {
  const db = values.db;
  if (typeof db !== "string" || db === "") throw new UsageError("--db FILE is required");
  return resolve(db);
}

/**
 * `--db` for a command that works on a store that must already exist: a mistyped path is an
 * error, not a new empty store (a reconciliation of nothing would report a balance of $0.00).
 */
export function requireStore(values: Record<string, unknown>): string {
  const path = requireDb(values);
  if (!storeExists(path))
    throw new UsageError(`there is no Tieout store at ${path} (check --db; \`tieout demo --db FILE\` or \`tieout ingest\` creates one)`);
  return path;
}

/** `--period YYYY-MM`, required and checked before anything is opened. */
export function requirePeriod(values: Record<string, unknown>): string {
  const period = values.period;
  if (period === undefined) throw new UsageError("--period YYYY-MM is required");
  if (!isPeriod(period)) throw new UsageError(`--period is YYYY-MM with a month 01 to 12, e.g. 2026-10; found "${String(period)}"`);
  return period;
}

export function intOption(values: Record<string, unknown>, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, got "${String(raw)}"`);
  return n;
}

export const out = (line: string) => process.stdout.write(line + "\n");
export const err = (line: string) => process.stderr.write(line + "\n");

/**
 * The CLI acts as the operating-system user who runs it, recorded as `cli:<name>` in the
 * audit trail, with every role: whoever can run the CLI can already open the database file.
 */
export function cliContext(): CallContext {
  const name = `cli:${userInfo().username}`;
  return {
    user: { userId: name, displayName: name, roles: ["admin", "preparer", "approver", "reviewer", "phi"] },
    sessionId: null,
    actor: name,
  };
}

/** Resolves on Ctrl+C or SIGTERM, for commands that serve until stopped. */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}
