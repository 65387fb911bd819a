import type { ArgsOf, DashboardSummary, RowPage, StoreSummary } from "../../../src-shared/api";
import type { ReconBalance, ReconciliationInfo, ReconRowsArgs, ReconRowsPage } from "../../../src-shared/api/recon";
import { rowPage } from "../browse/rowPage";
import { dashboardSummary } from "../dashboard/dashboard";
import type { AdjustmentLine } from "../workpapers/workpaperData";
import { listReconciliations, reconBalance, reconRows } from "../recon/queries";
import { storeSummary } from "../store/summary";
import { reconSourceFor, type ReconRunSummary } from "../workpapers/reconSource";
import type { Store } from "../store/store";

/**
 * Reads that pass over a whole table or reconciliation, which at a million encounters take from
 * seconds to half a minute. The engine runs them in a reader thread with its own connection when
 * the data is large (see `HeavyReads`), so the engine thread keeps answering meanwhile.
 * Each takes and returns plain data: it crosses threads by structured clone.
 */
export const READS = {
  /** A grid page of a canonical table: a search or an unindexed sort passes over every row. */
  "rows/page": (store: Store, args: ArgsOf<"rows/page">): RowPage => rowPage(store, args),
  /** A page of one side of a reconciliation; a search passes over every row of the side. */
  "recon/rows": (store: Store, args: ReconRowsArgs): ReconRowsPage => reconRows(store, args),
  "store/summary": (store: Store, _args: Record<string, never>): StoreSummary => storeSummary(store),
  "recon/list": (store: Store, args: { period?: string | undefined }): ReconciliationInfo[] => listReconciliations(store, args.period),
  "dashboard/summary": (store: Store, _args: Record<string, never>): DashboardSummary => dashboardSummary(store),
  "recon/balance": (store: Store, args: { templateId: string; period: string }): ReconBalance =>
    reconBalance(store, args.templateId, args.period),
  /** What a sign-off signs: the run's figures and the adjustments booked against it. */
  "signoff/figures": (
    store: Store,
    args: { reconId: string; period: string },
  ): { summary: ReconRunSummary | null; adjustments: AdjustmentLine[] } => {
    const source = reconSourceFor(store);
    return { summary: source.summary(args.reconId, args.period), adjustments: source.adjustments(args.reconId, args.period) };
  },
};

export type ReadKind = keyof typeof READS;
export type ReadArgs<K extends ReadKind> = Parameters<(typeof READS)[K]>[1];
export type ReadResult<K extends ReadKind> = ReturnType<(typeof READS)[K]>;

export function runRead(store: Store, kind: string, args: unknown): unknown {
  if (!Object.hasOwn(READS, kind)) throw new Error(`unknown read "${kind}"`);
  return (READS[kind as ReadKind] as (store: Store, args: unknown) => unknown)(store, args);
}
