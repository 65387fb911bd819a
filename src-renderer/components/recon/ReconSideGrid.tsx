import {
  themeQuartz,
  colorSchemeDark,
  type CellKeyDownEvent,
  type ColDef,
  type ColumnState,
  type GridApi,
  type GridReadyEvent,
  type ICellRendererParams,
  type IDatasource,
  type IGetRowsParams,
  type RowClassRules,
  type RowClickedEvent,
} from "ag-grid-community";
import { AgGridReact } from "ag-grid-react";
import { forwardRef, useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState } from "react";
import type { ReconItemStatus, ReconRow, ReconSide } from "../../../src-shared/api/recon";
import { call } from "../../api/client";
// The grid modules are registered once, in TableGrid; importing it here makes sure they are.
import "../TableGrid";
import { formatMoney, formatNumber } from "../../format";
import { ITEM_STATUSES, STATUS_LABEL, reasonLabel } from "./reconLabels";
import { SelectCell, type SelectionContext } from "../SelectCell";
import { PAGED_GRID } from "../pagedGrid";

export interface SideFilter {
  status: ReconItemStatus[];
  reason: string | null;
  search: string;
}

type GridContext = SelectionContext<ReconRow>;

function StatusCell(params: ICellRendererParams<ReconRow>) {
  const row = params.data;
  if (!row) return null;
  return (
    <span className={`status-badge status-${row.status}`} title={row.explainedNote ?? undefined}>
      {STATUS_LABEL[row.status]}
      {row.groupKind === "manual" ? " (manual)" : ""}
    </span>
  );
}

/** AG Grid column ids → the sort column `recon/rows` understands. Side fields are `f:<name>`. */
const sortColumn = (colId: string): string => (colId.startsWith("f:") ? colId.slice(2) : colId);

function fieldColumn(name: string): ColDef<ReconRow> {
  const money = name.endsWith("_cents");
  const base: ColDef<ReconRow> = {
    colId: `f:${name}`,
    headerName: name.replace(/_cents$/, "").replace(/_/g, " "),
    valueGetter: (p) => p.data?.fields[name] ?? null,
    sortable: true,
    width: 130,
  };
  if (money) return { ...base, type: "rightAligned", cellClass: "num", valueFormatter: (p) => formatMoney(p.value as number | null) };
  return base;
}

export interface ReconSideGridHandle {
  refresh: () => void;
  focusGrid: () => void;
}

export interface ReconSideGridProps {
  templateId: string;
  period: string;
  side: ReconSide;
  title: string;
  dark: boolean;
  filter: SideFilter;
  onFilter: (filter: SideFilter) => void;
  /** Reasons offered in the reason filter. */
  reasons: string[];
  selected: ReadonlyMap<string, ReconRow>;
  onToggle: (row: ReconRow) => void;
  onOpen: (row: ReconRow) => void;
  openGroupId: number | null;
  searchRef?: React.Ref<HTMLInputElement>;
}

/**
 * One side of a reconciliation in AG Grid's infinite row model: every block the grid asks for
 * is one `recon/rows` page, sorted and filtered in SQLite, so 100,000+ rows a side stay fast.
 * Selection is kept here by row key (not in the grid) so it survives filtering and refreshes.
 */
export const ReconSideGrid = forwardRef<ReconSideGridHandle, ReconSideGridProps>(function ReconSideGrid(
  { templateId, period, side, title, dark, filter, onFilter, reasons, selected, onToggle, onOpen, openGroupId, searchRef },
  ref,
) {
  const gridApi = useRef<GridApi<ReconRow> | null>(null);
  const [fieldNames, setFieldNames] = useState<string[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [searchText, setSearchText] = useState(filter.search);
  const stateKey = `tieout.recon.grid.${templateId}.${side}`;

  const selectedRef = useRef(selected);
  const toggleRef = useRef(onToggle);
  const openGroupRef = useRef(openGroupId);
  useEffect(() => {
    selectedRef.current = selected;
    toggleRef.current = onToggle;
    openGroupRef.current = openGroupId;
    gridApi.current?.refreshCells({ force: true });
  }, [selected, onToggle, openGroupId]);
  const context = useMemo<GridContext>(
    () => ({
      isSelected: (row) => selectedRef.current.has(row.rowKey),
      toggle: (row) => toggleRef.current(row),
      selectLabel: (row) => `Select ${row.rowKey}`,
    }),
    [],
  );

  useImperativeHandle(
    ref,
    () => ({
      refresh: () => gridApi.current?.refreshInfiniteCache(),
      focusGrid: () => {
        const api = gridApi.current;
        const first = api?.getColumns()?.[1];
        if (api && first) api.setFocusedCell(0, first);
      },
    }),
    [],
  );

  // The search box applies after a short pause in typing, so each keystroke is not a query.
  const [appliedSearch, setAppliedSearch] = useState(filter.search);
  if (appliedSearch !== filter.search) {
    setAppliedSearch(filter.search);
    setSearchText(filter.search);
  }
  useEffect(() => {
    if (searchText === filter.search) return;
    const timer = setTimeout(() => onFilter({ ...filter, search: searchText }), 250);
    return () => clearTimeout(timer);
  }, [searchText, filter, onFilter]);

  const columnDefs = useMemo<ColDef<ReconRow>[]>(
    () => [
      {
        colId: "sel",
        headerName: "",
        width: 44,
        cellClass: "sel-cell",
        cellRenderer: SelectCell,
        sortable: false,
        resizable: false,
        pinned: "left",
        suppressMovable: true,
      },
      { colId: "rowKey", field: "rowKey", headerName: "Key", width: 170, sortable: true },
      {
        colId: "amountCents",
        field: "amountCents",
        headerName: "Amount",
        type: "rightAligned",
        cellClass: "num",
        width: 120,
        sortable: true,
        valueFormatter: (p) => formatMoney(p.value as number | null),
      },
      { colId: "rowDate", field: "rowDate", headerName: "Date", width: 110, sortable: true },
      { colId: "status", field: "status", headerName: "Status", width: 150, sortable: true, cellRenderer: StatusCell },
      {
        colId: "reason",
        field: "reason",
        headerName: "Reason",
        width: 160,
        sortable: true,
        valueFormatter: (p) => reasonLabel(p.value as string | null),
      },
      { colId: "groupId", field: "groupId", headerName: "Group", width: 90, sortable: false, type: "rightAligned", cellClass: "num" },
      { colId: "passId", field: "passId", headerName: "Pass", width: 110, sortable: true },
      { colId: "explainedNote", field: "explainedNote", headerName: "Note", width: 160, sortable: false },
      ...fieldNames.map(fieldColumn),
    ],
    [fieldNames],
  );
  const theme = useMemo(() => (dark ? themeQuartz.withPart(colorSchemeDark) : themeQuartz), [dark]);
  const rowClassRules = useMemo<RowClassRules<ReconRow>>(
    () => ({
      "recon-row-selected": (p) => !!p.data && selectedRef.current.has(p.data.rowKey),
      "recon-row-open": (p) => !!p.data && p.data.groupId !== null && p.data.groupId === openGroupRef.current,
    }),
    [],
  );

  const filterKey = JSON.stringify(filter);
  // The grid drops pages of a datasource it replaced; the row count must not take them either.
  const currentSource = useRef<IDatasource | null>(null);
  const datasource = useMemo<IDatasource>(() => {
    const f = JSON.parse(filterKey) as SideFilter;
    const source: IDatasource = {
      getRows(params: IGetRowsParams) {
        call("recon/rows", {
          templateId,
          period,
          side,
          offset: params.startRow,
          limit: params.endRow - params.startRow,
          sort: params.sortModel.filter((s) => s.colId !== "sel").map((s) => ({ column: sortColumn(s.colId), direction: s.sort })),
          ...(f.status.length > 0 ? { status: f.status } : {}),
          ...(f.reason ? { reason: [f.reason] } : {}),
          ...(f.search.trim() ? { search: f.search.trim() } : {}),
        }).then(
          (page) => {
            if (currentSource.current === source) {
              setTotal(page.total);
              setError(null);
              setFieldNames((current) => (current.join("\u0000") === page.columns.join("\u0000") ? current : page.columns));
            }
            params.successCallback(page.rows, page.total);
          },
          (e: Error) => {
            if (currentSource.current === source) setError(e.message);
            params.failCallback();
          },
        );
      },
    };
    return source;
  }, [templateId, period, side, filterKey]);
  useEffect(() => {
    currentSource.current = datasource;
  }, [datasource]);

  // Column order, widths, visibility and sort are remembered per template and side.
  const restored = useRef(false);
  const restoreState = useCallback(() => {
    const api = gridApi.current;
    if (!api || restored.current) return;
    restored.current = true;
    const saved = localStorage.getItem(stateKey);
    if (!saved) return;
    try {
      api.applyColumnState({ state: JSON.parse(saved) as ColumnState[], applyOrder: true });
    } catch {
      localStorage.removeItem(stateKey);
    }
  }, [stateKey]);
  useEffect(() => {
    if (fieldNames.length > 0) restoreState();
  }, [fieldNames, restoreState]);
  const saveState = useCallback(() => {
    const api = gridApi.current;
    if (api && restored.current) localStorage.setItem(stateKey, JSON.stringify(api.getColumnState()));
  }, [stateKey]);

  const onGridReady = useCallback((event: GridReadyEvent<ReconRow>) => {
    gridApi.current = event.api;
  }, []);
  const onRowClicked = useCallback(
    (event: RowClickedEvent<ReconRow>) => {
      // A click on the row's checkbox selects it; anywhere else opens the row.
      if (event.event?.target instanceof HTMLInputElement) return;
      if (event.data) onOpen(event.data);
    },
    [onOpen],
  );
  const onCellKeyDown = useCallback(
    (event: CellKeyDownEvent<ReconRow>) => {
      const key = (event.event as KeyboardEvent | null)?.key;
      if (!event.data) return;
      if (key === " ") {
        event.event?.preventDefault();
        toggleRef.current(event.data);
      } else if (key === "Enter") {
        onOpen(event.data);
      }
    },
    [onOpen],
  );

  const toggleStatus = (status: ReconItemStatus) => {
    const has = filter.status.includes(status);
    onFilter({ ...filter, status: has ? filter.status.filter((s) => s !== status) : [...filter.status, status] });
  };

  return (
    <section className="recon-side" aria-label={`${side === "left" ? "Left" : "Right"}: ${title}`} data-testid={`side-${side}`}>
      <header className="recon-side-head">
        <h3>
          <span className="muted">{side === "left" ? "Left" : "Right"}</span> {title}
        </h3>
        <span className="muted grid-count" aria-live="polite" data-testid={`count-${side}`}>
          {error ? (
            <span className="error">{error}</span>
          ) : total === null ? (
            "Loading…"
          ) : (
            `${formatNumber(total)} row${total === 1 ? "" : "s"}`
          )}
        </span>
      </header>
      <div className="recon-filters">
        <div className="chips" role="group" aria-label={`${side} status filter`}>
          {ITEM_STATUSES.map((status) => (
            <button
              key={status}
              type="button"
              className={`chip status-${status}`}
              aria-pressed={filter.status.includes(status)}
              onClick={() => toggleStatus(status)}
            >
              {STATUS_LABEL[status]}
            </button>
          ))}
        </div>
        <select
          aria-label={`${side} reason filter`}
          value={filter.reason ?? ""}
          onChange={(e) => onFilter({ ...filter, reason: e.target.value || null })}
        >
          <option value="">Any reason</option>
          {reasons.map((r) => (
            <option key={r} value={r}>
              {reasonLabel(r)}
            </option>
          ))}
        </select>
        <input
          ref={searchRef}
          type="search"
          className="recon-search"
          aria-label={`Search ${side}`}
          placeholder="Search key or any field  ( / )"
          value={searchText}
          onChange={(e) => setSearchText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") onFilter({ ...filter, search: searchText });
          }}
        />
      </div>
      <div className="recon-grid" data-testid={`grid-${side}`}>
        <AgGridReact<ReconRow>
          theme={theme}
          columnDefs={columnDefs}
          context={context}
          {...PAGED_GRID}
          datasource={datasource}
          onGridReady={onGridReady}
          onSortChanged={saveState}
          onColumnMoved={saveState}
          onColumnResized={(e) => e.finished && saveState()}
          onColumnVisible={saveState}
          onRowClicked={onRowClicked}
          onCellKeyDown={onCellKeyDown}
          rowClassRules={rowClassRules}
          getRowId={(p) => String(p.data.itemId)}
          suppressCellFocus={false}
          defaultColDef={{ resizable: true, filter: false }}
        />
      </div>
    </section>
  );
});
