import {
  AllCommunityModule,
  ModuleRegistry,
  themeQuartz,
  colorSchemeDark,
  type ColDef,
  type GridReadyEvent,
  type IDatasource,
  type IGetRowsParams,
  type GridApi,
  type ColumnState,
} from "ag-grid-community";
import { AgGridReact } from "ag-grid-react";
import { useCallback, useMemo, useRef, useState } from "react";
import type { ColumnFilter, ColumnInfo, SortSpec } from "../../src-shared/api";
import { call } from "../api/client";
import { useEvent } from "../api/hooks";
import { formatMoney, formatNumber } from "../format";

ModuleRegistry.registerModules([AllCommunityModule]);

type Row = Record<string, string | number | null>;

function toFilters(model: Record<string, unknown>): ColumnFilter[] {
  const filters: ColumnFilter[] = [];
  for (const [column, raw] of Object.entries(model)) {
    const f = raw as { filterType?: string; type?: string; filter?: unknown; filterTo?: unknown; dateFrom?: string; dateTo?: string };
    if (f.filterType === "text" && typeof f.filter === "string") {
      filters.push({
        column,
        kind: "text",
        op: f.type === "equals" ? "equals" : f.type === "startsWith" ? "startsWith" : "contains",
        value: f.filter,
      });
    } else if (f.filterType === "number" && typeof f.filter === "number") {
      const ops: Record<string, "=" | "<" | "<=" | ">" | ">=" | "between"> = {
        equals: "=",
        lessThan: "<",
        lessThanOrEqual: "<=",
        greaterThan: ">",
        greaterThanOrEqual: ">=",
        inRange: "between",
      };
      const op = ops[f.type ?? "equals"] ?? "=";
      const scale = column.endsWith("_cents") ? 100 : 1; // the user types dollars; the store keeps cents
      filters.push({
        column,
        kind: "number",
        op,
        value: Math.round(f.filter * scale),
        ...(typeof f.filterTo === "number" ? { valueTo: Math.round(f.filterTo * scale) } : {}),
      });
    }
  }
  return filters;
}

function columnDef(column: ColumnInfo): ColDef<Row> {
  const base: ColDef<Row> = { field: column.name, headerName: column.label, sortable: true, resizable: true, minWidth: 90 };
  switch (column.kind) {
    case "cents":
      return {
        ...base,
        type: "rightAligned",
        filter: "agNumberColumnFilter",
        valueFormatter: (p) => formatMoney(p.value as number | null),
        cellClass: "num",
      };
    case "number":
      return {
        ...base,
        type: "rightAligned",
        filter: "agNumberColumnFilter",
        valueFormatter: (p) => formatNumber(p.value as number | null),
        cellClass: "num",
      };
    case "id":
      return { ...base, type: "rightAligned", width: 90, filter: "agNumberColumnFilter" };
    case "boolean":
      return { ...base, width: 100, valueFormatter: (p) => (p.value == null ? "" : p.value ? "Yes" : "No") };
    default:
      return { ...base, filter: "agTextColumnFilter" };
  }
}

export interface TableGridProps {
  table: string;
  columns: ColumnInfo[];
  dark: boolean;
  search?: string;
  /** Where the column state is remembered; defaults to the table name. */
  stateId?: string;
}

/**
 * A canonical table in AG Grid's infinite row model: the grid asks for blocks of rows
 * as the user scrolls, and each block is one SQLite page (sorted and filtered there).
 */
export function TableGrid({ table, columns, dark, search, stateId }: TableGridProps) {
  const gridApi = useRef<GridApi<Row> | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The business columns first; the store's bookkeeping (row id, lineage, system) last.
  const columnDefs = useMemo(() => {
    const bookkeeping = new Set(["id", "raw_record_id", "system"]);
    return [...columns.filter((c) => !bookkeeping.has(c.name)), ...columns.filter((c) => bookkeeping.has(c.name))].map(columnDef);
  }, [columns]);
  const theme = useMemo(() => (dark ? themeQuartz.withPart(colorSchemeDark) : themeQuartz), [dark]);

  const datasource = useMemo<IDatasource>(
    () => ({
      getRows(params: IGetRowsParams) {
        const sort: SortSpec[] = params.sortModel.map((s) => ({ column: s.colId, direction: s.sort }));
        call("rows/page", {
          table,
          offset: params.startRow,
          limit: params.endRow - params.startRow,
          sort,
          filters: toFilters(params.filterModel as Record<string, unknown>),
          ...(search ? { search } : {}),
        }).then(
          (page) => {
            setTotal(page.total);
            setError(null);
            params.successCallback(page.rows, page.total);
          },
          (e: Error) => {
            setError(e.message);
            params.failCallback();
          },
        );
      },
    }),
    [table, search],
  );

  // Column order, widths, visibility, sort and filters are remembered per table.
  const stateKey = `tieout.grid.${stateId ?? table}`;
  const onGridReady = useCallback(
    (event: GridReadyEvent<Row>) => {
      gridApi.current = event.api;
      const saved = localStorage.getItem(stateKey);
      if (saved) {
        try {
          const state = JSON.parse(saved) as { columns: ColumnState[]; filter: Record<string, unknown> };
          event.api.applyColumnState({ state: state.columns, applyOrder: true });
          event.api.setFilterModel(state.filter);
        } catch {
          localStorage.removeItem(stateKey);
        }
      }
    },
    [stateKey],
  );
  const saveState = useCallback(() => {
    const api = gridApi.current;
    if (api) localStorage.setItem(stateKey, JSON.stringify({ columns: api.getColumnState(), filter: api.getFilterModel() }));
  }, [stateKey]);
  useEvent(
    "store/changed",
    useCallback(() => gridApi.current?.refreshInfiniteCache(), []),
  );

  return (
    <div className="grid-wrap">
      <div className="grid-status" aria-live="polite">
        {error ? <span className="error">{error}</span> : total === null ? "Loading…" : `${formatNumber(total)} rows`}
      </div>
      <div className="grid" data-testid="table-grid">
        <AgGridReact<Row>
          theme={theme}
          columnDefs={columnDefs}
          rowModelType="infinite"
          datasource={datasource}
          cacheBlockSize={200}
          maxBlocksInCache={50}
          onGridReady={onGridReady}
          onSortChanged={saveState}
          onFilterChanged={saveState}
          onColumnMoved={saveState}
          onColumnResized={(e) => e.finished && saveState()}
          onColumnVisible={saveState}
          defaultColDef={{ flex: 0, width: 130 }}
          suppressColumnVirtualisation
          getRowId={(p) => String(p.data.id)}
        />
      </div>
    </div>
  );
}
