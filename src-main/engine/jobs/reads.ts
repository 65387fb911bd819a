import type { ArgsOf, DashboardSummary, RowPage, StoreSummary } from "../../../src-shared/api";
import type { ReconBalance, ReconciliationInfo, ReconRowsArgs, ReconRowsPage } from "../../../src-shared/api/recon";
import { rowPage } from "../browse/rowPage";
import { dashboardSummary } from "../dashboard/dashboard";
import { listReconciliations, reconBalance, reconRows } from "../recon/queries";
import { CANONICAL_TABLES, recordTypeOfTable } from "../store/canonicalTables";
import type { Store } from "../store/store";
import { storeSummary } from "../store/summary";
import { reconSourceFor, type ReconRunSummary } from "../workpapers/reconSource";
import type { AdjustmentLine } from "../workpapers/workpaperData";

/** Rows both sides of the last run of this reconciliation and period held; 0 when it never ran. */
export function lastRunRows(store: Store, templateId: string, period: string): number {
  const row = store.sqlite
    .prepare(
      `SELECT r.left_rows + r.right_rows AS n FROM reconciliation c JOIN recon_run r ON r.id = c.last_run_id
       WHERE c.template_id = ? AND c.period = ?`,
    )
    .get(templateId, period) as { n: number } | undefined;
  return row?.n ?? 0;
}

/** About how many rows a table holds, read from its largest rowid (one index step, not a count). The name must be one of ours. */
export function tableRows(store: Store, table: string): number {
  return (store.sqlite.prepare(`SELECT COALESCE(MAX(rowid), 0) AS n FROM "${table}"`).get() as { n: number }).n;
}

/**
 * A read and how many rows it passes over. `rows` runs on the engine thread to decide where
 * `run` goes, so it must be cheap: a stored count or a largest rowid, never a COUNT(*).
 */
interface Read<A, R> {
  rows(store: Store, args: A): number;
  run(store: Store, args: A): R;
}
const read = <A, R>(definition: Read<A, R>): Read<A, R> => definition;

/**
 * Reads that pass over a whole table or reconciliation, which at a million encounters take from
 * seconds to half a minute. The engine runs them in a reader thread with its own connection when
 * the data is large (see `HeavyReads`), so the engine thread keeps answering meanwhile.
 * Each takes and returns plain data: it crosses threads by structured clone.
 */
export const READS = {
  /** A grid page of a canonical table: a search or an unindexed sort passes over every row (11 s over 3.3M charges). */
  "rows/page": read({
    rows: (store, args: ArgsOf<"rows/page">) => {
      const recordType = recordTypeOfTable(args.table);
      return recordType ? tableRows(store, CANONICAL_TABLES[recordType].table) : 0;
    },
    run: (store, args): RowPage => rowPage(store, args),
  }),
  /** A page of one side of a reconciliation; a search passes over every row of the side. */
  "recon/rows": read({
    rows: (store, args: ReconRowsArgs) => lastRunRows(store, args.templateId, args.period),
    run: (store, args): ReconRowsPage => reconRows(store, args),
  }),
  /** Counts every table's rows: about 2 s at a million encounters. */
  "store/summary": read({
    rows: (store, _args: Record<string, never>) => tableRows(store, "raw_record"),
    run: (store): StoreSummary => storeSummary(store),
  }),
  /** Counts each reconciliation's open exceptions: about 2 s at a million encounters. */
  "recon/list": read({
    rows: (store, _args: { period?: string | undefined }) => tableRows(store, "recon_exception"),
    run: (store, args): ReconciliationInfo[] => listReconciliations(store, args.period),
  }),
  /** Passes over every EHR charge and every raw record: 24 s at a million encounters. */
  "dashboard/summary": read({
    rows: (store, _args: Record<string, never>) => tableRows(store, "charge") + tableRows(store, "raw_record"),
    run: (store): DashboardSummary => dashboardSummary(store),
  }),
  "recon/balance": read({
    rows: (store, args: { templateId: string; period: string }) => lastRunRows(store, args.templateId, args.period),
    run: (store, args): ReconBalance => reconBalance(store, args.templateId, args.period),
  }),
  /** What a sign-off signs: the run's figures and the adjustments booked against it. */
  "signoff/figures": read({
    rows: (store, args: { reconId: string; period: string }) => lastRunRows(store, args.reconId, args.period),
    run: (store, args): { summary: ReconRunSummary | null; adjustments: AdjustmentLine[] } => {
      const source = reconSourceFor(store);
      return { summary: source.summary(args.reconId, args.period), adjustments: source.adjustments(args.reconId, args.period) };
    },
  }),
};

export type ReadKind = keyof typeof READS;
export type ReadArgs<K extends ReadKind> = Parameters<(typeof READS)[K]["run"]>[1];
export type ReadResult<K extends ReadKind> = ReturnType<(typeof READS)[K]["run"]>;

function readOf(kind: string): Read<unknown, unknown> {
  if (!Object.hasOwn(READS, kind)) throw new Error(`unknown read "${kind}"`);
  return READS[kind as ReadKind] as Read<unknown, unknown>;
}

/** How many rows the read would pass over (cheap; see `Read.rows`). */
export const readRows = (store: Store, kind: string, args: unknown): number => readOf(kind).rows(store, args);

export const runRead = (store: Store, kind: string, args: unknown): unknown => readOf(kind).run(store, args);
