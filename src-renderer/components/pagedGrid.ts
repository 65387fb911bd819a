/**
 * The AG Grid settings the Reconcile sides and the Exceptions queue share: rows are paged
 * from the engine 100 at a time (never a million in the browser), at one row height.
 */
export const PAGED_GRID = {
  rowModelType: "infinite",
  cacheBlockSize: 100,
  maxBlocksInCache: 40,
  rowHeight: 30,
  headerHeight: 32,
} as const;
