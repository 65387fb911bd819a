import { hasRole } from "../../src-shared/api";
import {
  themeQuartz,
  colorSchemeDark,
  type CellKeyDownEvent,
  type ColDef,
  type GridApi,
  type GridReadyEvent,
  type ICellRendererParams,
  type IDatasource,
  type IGetRowsParams,
  type RowClassRules,
  type SortModelItem,
} from "ag-grid-community";
import { AgGridReact } from "ag-grid-react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ExceptionInfo, ExceptionStatus, SavedView } from "../../src-shared/api/recon";
import { call } from "../api/client";
import { useApiQuery, useEvent } from "../api/hooks";
// The grid modules are registered once, in TableGrid.
import "../components/TableGrid";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ExceptionDrawer } from "../components/recon/ExceptionDrawer";
import {
  EXCEPTION_STATUSES,
  exceptionsSub,
  parseExceptionsSub,
  reasonLabel,
  signoffSub,
  type ExceptionsPathFilter,
} from "../components/recon/reconLabels";
import { ShortcutHelp, keyLabel, useShortcuts, type Shortcut } from "../components/recon/shortcuts";
import { formatMoney, formatNumber } from "../format";
import type { PageProps } from "./pageProps";
import { SelectCell, type SelectionContext } from "../components/SelectCell";
import { PAGED_GRID } from "../components/pagedGrid";

/** The queue's filter; kept in the path, saved as a view's definition and restored from it. */
type QueueFilter = ExceptionsPathFilter;

/** The columns `exceptions/list` sorts by. */
const SORTABLE: Record<string, string> = {
  exceptionId: "openedAt",
  ageDays: "ageDays",
  amountCents: "amountCents",
  reason: "reason",
  owner: "owner",
  status: "status",
  lagDays: "lagDays",
};

type QueueContext = SelectionContext<ExceptionInfo>;

/** What `exceptions/list` filters on, from the queue's filter. */
function listFilter(f: QueueFilter) {
  return {
    ...(f.templateId ? { templateId: f.templateId } : {}),
    ...(f.period ? { period: f.period } : {}),
    ...(f.reasons.length > 0 ? { reason: f.reasons } : {}),
    ...(f.status.length > 0 ? { status: f.status } : {}),
    ...(f.owner === "-" ? { owner: null } : f.owner ? { owner: f.owner } : {}),
    ...(f.search.trim() ? { search: f.search.trim() } : {}),
  };
}

/** The largest page `exceptions/list` answers. */
const LIST_PAGE_MAX = 5000;

function viewFilter(view: SavedView): { filter: QueueFilter; sort: SortModelItem[] } {
  const d = view.definition as Partial<QueueFilter> & { sort?: SortModelItem[] };
  return {
    filter: {
      templateId: typeof d.templateId === "string" ? d.templateId : null,
      period: typeof d.period === "string" ? d.period : null,
      reasons: Array.isArray(d.reasons) ? d.reasons.filter((r): r is string => typeof r === "string") : [],
      owner: typeof d.owner === "string" ? d.owner : "",
      status: Array.isArray(d.status) ? d.status.filter((s): s is ExceptionStatus => EXCEPTION_STATUSES.includes(s)) : ["open"],
      search: typeof d.search === "string" ? d.search : "",
    },
    sort: Array.isArray(d.sort) ? d.sort : [],
  };
}

/**
 * The exceptions queue across every reconciliation: filtered in SQLite and paged into AG Grid,
 * with bulk assign, resolve and reopen, and filters saved as named views.
 * `/exceptions/<template>/<reason,reason>/<period>[/<status>/<owner>/<search>]` opens it filtered (the
 * dashboard's tiles link here); every change of the filter goes into the path, so a reload keeps it.
 */
export function ExceptionsPage({ user, dark, sub, navigate }: PageProps) {
  const fromPath = useMemo(() => parseExceptionsSub(sub), [sub]);
  const [filter, setFilter] = useState<QueueFilter>(fromPath);
  const [searchText, setSearchText] = useState(filter.search);
  const [pathApplied, setPathApplied] = useState(fromPath);
  if (pathApplied !== fromPath) {
    setPathApplied(fromPath);
    // The path changed from outside (back, forward, a link): it is the filter now.
    if (exceptionsSub(fromPath) !== exceptionsSub(filter)) {
      setFilter(fromPath);
      setSearchText(fromPath.search);
    }
  }

  const templates = useApiQuery("recon/templates", {});
  const users = useApiQuery("auth/users", {});
  const views = useApiQuery("recon/views", {});
  const [selected, setSelected] = useState<ReadonlyMap<number, ExceptionInfo>>(new Map());
  // A bulk action acts on what is on screen: a new filter starts a new selection.
  const filterKey = JSON.stringify(filter);
  const [selectedUnder, setSelectedUnder] = useState(filterKey);
  if (selectedUnder !== filterKey) {
    setSelectedUnder(filterKey);
    setSelected(new Map());
  }
  const [openId, setOpenId] = useState<number | null>(null);
  // The count is the filter's it was read for: while a new filter's first page is on its way the page
  // says "Loading…" rather than the last filter's count (and select-all waits for the right one).
  const [counted, setCounted] = useState<{ filterKey: string; total: number } | null>(null);
  const total = counted?.filterKey === filterKey ? counted.total : null;
  const [gridError, setGridError] = useState<string | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [assignTo, setAssignTo] = useState("");
  const [resolution, setResolution] = useState("");
  const [viewName, setViewName] = useState("");
  const [viewId, setViewId] = useState<number | null>(null);
  const [help, setHelp] = useState(false);
  /** Replacing or deleting a saved view waits for the user's answer. */
  const [asking, setAsking] = useState<{ title: string; message: string; confirmLabel: string; onConfirm: () => void } | null>(null);
  const [version, setVersion] = useState(0);
  const gridApi = useRef<GridApi<ExceptionInfo> | null>(null);
  const searchInput = useRef<HTMLInputElement>(null);
  const resolveInput = useRef<HTMLInputElement>(null);

  const templateName = useCallback((id: string) => templates.data?.find((t) => t.id === id)?.name ?? id, [templates.data]);
  const reasonChoices = useMemo(() => {
    const list = templates.data?.filter((t) => !filter.templateId || t.id === filter.templateId) ?? [];
    return [...new Set(list.flatMap((t) => t.exceptionReasons))].filter((r) => !filter.reasons.includes(r));
  }, [templates.data, filter.templateId, filter.reasons]);

  const selectedRef = useRef(selected);
  const toggle = useCallback((row: ExceptionInfo) => {
    setSelected((current) => {
      const next = new Map(current);
      if (next.has(row.exceptionId)) next.delete(row.exceptionId);
      else next.set(row.exceptionId, row);
      return next;
    });
  }, []);
  useEffect(() => {
    selectedRef.current = selected;
    gridApi.current?.refreshCells({ force: true });
  }, [selected]);
  const context = useMemo<QueueContext>(
    () => ({
      isSelected: (row) => selectedRef.current.has(row.exceptionId),
      toggle,
      selectLabel: (row) => `Select exception ${row.exceptionId}`,
    }),
    [toggle],
  );
  const rowClassRules = useMemo<RowClassRules<ExceptionInfo>>(
    () => ({ "recon-row-selected": (p) => !!p.data && selectedRef.current.has(p.data.exceptionId) }),
    [],
  );

  const userName = useCallback(
    (id: string | null) => (id ? (users.data?.find((u) => u.userId === id)?.displayName ?? id) : ""),
    [users.data],
  );
  const columnDefs = useMemo<ColDef<ExceptionInfo>[]>(
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
      },
      { colId: "exceptionId", field: "exceptionId", headerName: "#", width: 80, type: "rightAligned", cellClass: "num", sortable: true },
      {
        colId: "reason",
        field: "reason",
        headerName: "Reason",
        width: 170,
        sortable: true,
        valueFormatter: (p) => reasonLabel(p.value as string),
      },
      {
        colId: "amountCents",
        field: "amountCents",
        headerName: "Amount",
        width: 120,
        type: "rightAligned",
        cellClass: "num",
        sortable: true,
        valueFormatter: (p) => formatMoney(p.value as number | null),
      },
      {
        colId: "ageDays",
        field: "ageDays",
        headerName: "Age (days)",
        headerTooltip: "Days from the oldest record of the break to today (to its resolution once resolved)",
        width: 100,
        type: "rightAligned",
        cellClass: "num",
        sortable: true,
        valueFormatter: (p) => formatNumber(p.value as number | null),
      },
      {
        colId: "owner",
        field: "owner",
        headerName: "Owner",
        width: 130,
        sortable: true,
        valueFormatter: (p) => userName(p.value as string | null),
      },
      {
        colId: "status",
        field: "status",
        headerName: "Status",
        width: 100,
        sortable: true,
        cellRenderer: (p: ICellRendererParams<ExceptionInfo>) =>
          p.data ? <span className={`status-badge exc-${p.data.status}`}>{p.data.status}</span> : null,
      },
      {
        colId: "templateId",
        field: "templateId",
        headerName: "Reconciliation",
        width: 170,
        sortable: false,
        valueFormatter: (p) => templateName(String(p.value ?? "")),
      },
      { colId: "period", field: "period", headerName: "Period", width: 90, sortable: false },
      {
        colId: "lagDays",
        field: "lagDays",
        headerName: "Lag (days)",
        width: 100,
        type: "rightAligned",
        cellClass: "num",
        sortable: true,
        valueFormatter: (p) => formatNumber(p.value as number | null),
      },
      { colId: "message", field: "message", headerName: "What broke", width: 360, sortable: false, tooltipField: "message" },
      { colId: "comments", field: "comments", headerName: "Comments", width: 100, type: "rightAligned", cellClass: "num", sortable: false },
    ],
    [templateName, userName],
  );
  const theme = useMemo(() => (dark ? themeQuartz.withPart(colorSchemeDark) : themeQuartz), [dark]);

  // The grid drops pages of a datasource it replaced; the count and the empty state must not take them either.
  const currentSource = useRef<IDatasource | null>(null);
  const datasource = useMemo<IDatasource>(() => {
    const f = JSON.parse(filterKey) as QueueFilter;
    const source: IDatasource = {
      getRows(params: IGetRowsParams) {
        call("exceptions/list", {
          offset: params.startRow,
          limit: params.endRow - params.startRow,
          ...listFilter(f),
          sort: params.sortModel.filter((s) => SORTABLE[s.colId]).map((s) => ({ column: SORTABLE[s.colId]!, direction: s.sort })),
        }).then(
          (page) => {
            if (currentSource.current === source) {
              setCounted({ filterKey, total: page.total });
              setGridError(null);
            }
            params.successCallback(page.items, page.total);
          },
          (e: Error) => {
            if (currentSource.current === source) setGridError(e.message);
            params.failCallback();
          },
        );
      },
    };
    return source;
  }, [filterKey]);
  useEffect(() => {
    currentSource.current = datasource;
  }, [datasource]);

  /** Selects every exception the filter matches, not only the rows paged in so far. */
  const [selectingAll, setSelectingAll] = useState(false);
  const selectAll = async () => {
    if (selectingAll) return;
    const source = datasource;
    const f = JSON.parse(filterKey) as QueueFilter;
    setSelectingAll(true);
    try {
      const all = new Map<number, ExceptionInfo>();
      for (let offset = 0; ; offset += LIST_PAGE_MAX) {
        const page = await call("exceptions/list", { offset, limit: LIST_PAGE_MAX, ...listFilter(f) });
        for (const row of page.items) all.set(row.exceptionId, row);
        if (page.items.length < LIST_PAGE_MAX || all.size >= page.total) break;
      }
      // The filter changed while they were read: that filter's selection, not this one, is the user's.
      if (currentSource.current === source) setSelected(all);
    } catch (e) {
      setMessage({ text: `Select all: ${(e as Error).message}`, error: true });
    } finally {
      setSelectingAll(false);
    }
  };

  const refresh = useCallback(() => gridApi.current?.refreshInfiniteCache(), []);
  useEvent("recon/changed", refresh);
  const onGridReady = useCallback((event: GridReadyEvent<ExceptionInfo>) => {
    gridApi.current = event.api;
  }, []);

  const setAndNavigate = useCallback(
    (next: QueueFilter, options?: { replace?: boolean }) => {
      setFilter(next);
      setViewId(null);
      const path = exceptionsSub(next);
      if (path !== exceptionsSub(fromPath)) navigate({ page: "exceptions", sub: path }, options);
    },
    [fromPath, navigate],
  );
  // The search applies once typing pauses; it takes the address's place rather than adding one per pause.
  useEffect(() => {
    if (searchText === filter.search) return;
    const timer = setTimeout(() => setAndNavigate({ ...filter, search: searchText }, { replace: true }), 250);
    return () => clearTimeout(timer);
  }, [searchText, filter, setAndNavigate]);

  const ids = [...selected.keys()];
  // Assigning, resolving and reopening need the preparer role (the engine refuses them too).
  const mayAct = hasRole(user, "preparer") && ids.length > 0;
  const bulk = (label: string, action: () => Promise<string>) =>
    action().then(
      (text) => {
        setMessage({ text, error: false });
        setVersion((v) => v + 1);
        refresh();
      },
      (e: Error) => setMessage({ text: `${label}: ${e.message}`, error: true }),
    );
  const assign = (owner: string | null) =>
    bulk("Assign", async () => {
      const { assigned } = await call("exceptions/assign", { exceptionIds: ids, owner });
      return owner
        ? `Assigned ${formatNumber(assigned)} to ${owner === user.userId ? "you" : userName(owner)}.`
        : `Unassigned ${formatNumber(assigned)}.`;
    });
  const resolve = () =>
    bulk("Resolve", async () => {
      const { resolved } = await call("exceptions/resolve", { exceptionIds: ids, resolution: resolution.trim() });
      setResolution("");
      setSelected(new Map());
      const left = ids.length - resolved;
      return `Resolved ${formatNumber(resolved)} exception${resolved === 1 ? "" : "s"}.${left > 0 ? ` ${formatNumber(left)} left as ${left === 1 ? "it was" : "they were"}: already resolved, or cleared by the last run (the rules no longer raise ${left === 1 ? "it" : "them"}).` : ""}`;
    });
  const reopen = () =>
    bulk("Reopen", async () => {
      const { reopened } = await call("exceptions/reopen", { exceptionIds: ids });
      setSelected(new Map());
      const left = ids.length - reopened;
      return `Reopened ${formatNumber(reopened)}.${left > 0 ? ` ${formatNumber(left)} left as ${left === 1 ? "it was" : "they were"}: only a resolved exception reopens.` : ""}`;
    });

  const applyView = (view: SavedView) => {
    const { filter: f, sort } = viewFilter(view);
    setFilter(f);
    setSearchText(f.search);
    setViewId(view.viewId);
    gridApi.current?.applyColumnState({ state: sort.map((s) => ({ colId: s.colId, sort: s.sort })), defaultState: { sort: null } });
    navigate({ page: "exceptions", sub: exceptionsSub(f) });
  };
  const saveView = (replacing = false) => {
    const name = viewName.trim();
    if (!name) return;
    if (!replacing && views.data?.some((v) => v.name === name)) {
      setAsking({
        title: `Replace the view "${name}"?`,
        message: `You already have a saved view named "${name}". Replacing it saves the current filter and sort under that name; its old filter is lost.`,
        confirmLabel: "Replace view",
        onConfirm: () => saveView(true),
      });
      return;
    }
    const sort =
      gridApi.current
        ?.getColumnState()
        .filter((c) => c.sort)
        .map((c) => ({ colId: c.colId, sort: c.sort })) ?? [];
    call("recon/saveView", { name, templateId: filter.templateId, definition: { ...filter, sort } }).then(
      (view) => {
        views.reload();
        setViewId(view.viewId);
        setViewName("");
        setMessage({ text: `View "${view.name}" saved.`, error: false });
        keepFocusOnViews();
      },
      (e: Error) => setMessage({ text: `Save view: ${e.message}`, error: true }),
    );
  };
  // The button that asked is disabled (Save view, its name cleared) or gone (Delete view) once the
  // answer lands: the focus goes to the views picker rather than falling to the page.
  const viewsRef = useRef<HTMLSelectElement>(null);
  const [viewsAnswered, setViewsAnswered] = useState(0);
  const keepFocusOnViews = () => setViewsAnswered((n) => n + 1);
  useEffect(() => {
    if (viewsAnswered === 0) return;
    const at = document.activeElement;
    if (!at || at === document.body || (at as HTMLButtonElement).disabled) viewsRef.current?.focus();
  }, [viewsAnswered]);
  const deleteView = (confirmed = false) => {
    if (viewId === null) return;
    if (!confirmed) {
      const name = views.data?.find((v) => v.viewId === viewId)?.name ?? "this view";
      setAsking({
        title: `Delete the view "${name}"?`,
        message: `The saved view "${name}" goes for good; the exceptions it shows are not changed.`,
        confirmLabel: "Delete view",
        onConfirm: () => deleteView(true),
      });
      return;
    }
    call("recon/deleteView", { viewId }).then(
      () => {
        views.reload();
        setViewId(null);
        setMessage({ text: "View deleted.", error: false });
        keepFocusOnViews();
      },
      (e: Error) => setMessage({ text: `Delete view: ${e.message}`, error: true }),
    );
  };

  const shortcuts: Shortcut[] = [
    { key: "*", label: "Select every exception matching the filter", run: () => void selectAll(), enabled: !!total && !selectingAll },
    { key: "a", label: "Assign the selected exceptions to me", run: () => void assign(user.userId), enabled: mayAct },
    {
      key: "s",
      label: "Resolve the selected exceptions (type the note)",
      run: () => resolveInput.current?.focus(),
      enabled: mayAct,
    },
    { key: "o", label: "Reopen the selected exceptions", run: () => void reopen(), enabled: mayAct },
    { key: "/", label: "Search", run: () => searchInput.current?.focus() },
    {
      key: "Escape",
      label: "Close the panel, then clear the selection",
      run: () => (help ? setHelp(false) : openId !== null ? setOpenId(null) : setSelected(new Map())),
    },
    { key: "?", label: "Show this list", run: () => setHelp(true) },
  ];
  useShortcuts(shortcuts);
  const tip = (key: string, text: string) => `${text} (${keyLabel(key)})`;

  const onCellKeyDown = useCallback(
    (event: CellKeyDownEvent<ExceptionInfo>) => {
      const key = (event.event as KeyboardEvent | null)?.key;
      if (!event.data) return;
      if (key === " ") {
        event.event?.preventDefault();
        toggle(event.data);
      } else if (key === "Enter") setOpenId(event.data.exceptionId);
    },
    [toggle],
  );

  const toggleStatus = (s: ExceptionStatus) =>
    setAndNavigate({ ...filter, status: filter.status.includes(s) ? filter.status.filter((x) => x !== s) : [...filter.status, s] });

  return (
    <section className="recon-page exceptions-page">
      <div className="page-head">
        <h2>Exceptions</h2>
        <span className="muted" aria-live="polite" data-testid="exceptions-count">
          {gridError ? (
            <span className="error">{gridError}</span>
          ) : total === null ? (
            "Loading…"
          ) : (
            `${formatNumber(total)} exception${total === 1 ? "" : "s"}`
          )}
        </span>
        <span className="views">
          <select
            aria-label="Saved views"
            ref={viewsRef}
            value={viewId ?? ""}
            onChange={(e) => {
              const view = views.data?.find((v) => v.viewId === Number(e.target.value));
              if (view) applyView(view);
            }}
          >
            <option value="">Saved views…</option>
            {views.data?.map((v) => (
              <option key={v.viewId} value={v.viewId}>
                {v.name}
              </option>
            ))}
          </select>
          {viewId !== null && (
            <button type="button" onClick={() => deleteView()} title="Delete this saved view">
              Delete view
            </button>
          )}
          <input aria-label="View name" placeholder="name this filter" value={viewName} onChange={(e) => setViewName(e.target.value)} />
          <button type="button" onClick={() => saveView()} disabled={viewName.trim() === ""}>
            Save view
          </button>
        </span>
        <button type="button" onClick={() => setHelp(true)} title="Keyboard shortcuts (?)">
          ?
        </button>
      </div>
      <div className="recon-filters exceptions-filters" aria-label="Filters">
        <select
          aria-label="Reconciliation"
          value={filter.templateId ?? ""}
          onChange={(e) => setAndNavigate({ ...filter, templateId: e.target.value || null, reasons: [] })}
        >
          <option value="">All reconciliations</option>
          {templates.data?.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
        <input
          type="month"
          aria-label="Period (empty: any)"
          value={filter.period ?? ""}
          onChange={(e) => setAndNavigate({ ...filter, period: e.target.value || null })}
          title="Empty: every period"
        />
        <span className="chips" aria-label="Reasons">
          {filter.reasons.map((r) => (
            <button
              key={r}
              type="button"
              className="chip"
              aria-pressed="true"
              title="Remove this reason from the filter"
              onClick={() => setAndNavigate({ ...filter, reasons: filter.reasons.filter((x) => x !== r) })}
            >
              {reasonLabel(r)} ×
            </button>
          ))}
          <select
            aria-label="Add a reason"
            value=""
            onChange={(e) => e.target.value && setAndNavigate({ ...filter, reasons: [...filter.reasons, e.target.value] })}
          >
            <option value="">{filter.reasons.length > 0 ? "+ reason" : "Any reason"}</option>
            {reasonChoices.map((r) => (
              <option key={r} value={r}>
                {reasonLabel(r)}
              </option>
            ))}
          </select>
        </span>
        <select aria-label="Owner" value={filter.owner} onChange={(e) => setAndNavigate({ ...filter, owner: e.target.value })}>
          <option value="">Any owner</option>
          <option value={user.userId}>Me</option>
          <option value="-">Unassigned</option>
          {users.data
            ?.filter((u) => u.userId !== user.userId)
            .map((u) => (
              <option key={u.userId} value={u.userId}>
                {u.displayName}
              </option>
            ))}
        </select>
        <span className="chips" role="group" aria-label="Status">
          {EXCEPTION_STATUSES.map((s) => (
            <button key={s} type="button" className="chip" aria-pressed={filter.status.includes(s)} onClick={() => toggleStatus(s)}>
              {s}
            </button>
          ))}
        </span>
        <input
          ref={searchInput}
          type="search"
          className="recon-search"
          aria-label="Search exceptions"
          placeholder="Search keys or message  ( / )"
          value={searchText}
          onChange={(e) => setSearchText(e.target.value)}
        />
      </div>
      {/* The round trip exports and imports: a preparer's work (the engine refuses it to a read-only user). */}
      {hasRole(user, "preparer") && (
        <p className="recon-exceptions-link" data-testid="exceptions-excel">
          {filter.templateId && filter.period ? (
            <button
              type="button"
              className="link"
              onClick={() => navigate({ page: "audit", sub: signoffSub(filter.templateId!, filter.period!) })}
            >
              Work the open exceptions of {templateName(filter.templateId)}, {filter.period} in Excel: export, or import a filled workbook →
            </button>
          ) : (
            <span className="muted">
              To work exceptions in Excel (export the open ones, fill in owners and notes offline, import the workbook), pick one
              reconciliation and a period above.
            </span>
          )}
        </p>
      )}
      <div className="exceptions-body">
        <div className="exceptions-main">
          <div className="selection-bar" aria-label="Bulk actions" data-testid="bulk-bar">
            <span>
              <strong className="num">{formatNumber(ids.length)}</strong> selected
            </span>
            {!!total && ids.length < total && (
              <button
                type="button"
                className="link"
                disabled={selectingAll}
                onClick={() => void selectAll()}
                title={tip("*", "Select every exception matching the filter, not only the rows on screen")}
                aria-keyshortcuts="*"
              >
                {selectingAll ? "Selecting…" : `Select all ${formatNumber(total)} matching`}
              </button>
            )}
            <button
              type="button"
              disabled={!mayAct}
              onClick={() => void assign(user.userId)}
              title={tip("a", "Assign the selected exceptions to me")}
              aria-keyshortcuts="A"
            >
              Assign to me
            </button>
            <select aria-label="Assign to user" value={assignTo} onChange={(e) => setAssignTo(e.target.value)}>
              <option value="">Assign to…</option>
              <option value="-">nobody (unassign)</option>
              {users.data
                ?.filter((u) => hasRole(u, "preparer"))
                .map((u) => (
                  <option key={u.userId} value={u.userId}>
                    {u.displayName}
                  </option>
                ))}
            </select>
            <button type="button" disabled={!mayAct || assignTo === ""} onClick={() => void assign(assignTo === "-" ? null : assignTo)}>
              Assign
            </button>
            <form
              className="inline-form"
              aria-label="Resolve the selected exceptions"
              onSubmit={(e) => {
                e.preventDefault();
                if (ids.length > 0 && resolution.trim()) void resolve();
              }}
            >
              <input
                ref={resolveInput}
                aria-label="Resolution note"
                placeholder="resolution note"
                value={resolution}
                onChange={(e) => setResolution(e.target.value)}
              />
              <button
                type="submit"
                disabled={!mayAct || resolution.trim() === ""}
                title={tip("s", "Resolve the selected exceptions with this note")}
                aria-keyshortcuts="S"
              >
                Resolve
              </button>
            </form>
            <button
              type="button"
              disabled={!mayAct}
              onClick={() => void reopen()}
              title={tip("o", "Reopen the selected exceptions")}
              aria-keyshortcuts="O"
            >
              Reopen
            </button>
            {ids.length > 0 && (
              <button type="button" className="link" onClick={() => setSelected(new Map())}>
                clear
              </button>
            )}
          </div>
          {message && (
            <p role="status" className={`recon-message ${message.error ? "error" : "form-message"}`} data-testid="exceptions-message">
              {message.text}
            </p>
          )}
          {total === 0 && (
            <p className="empty-state" data-testid="exceptions-empty">
              No exceptions with this filter. Widen it (any status, any owner), or run a reconciliation on the Reconciliations page: every
              break it finds lands here.
            </p>
          )}
          <div className="exceptions-grid" data-testid="exceptions-grid">
            <AgGridReact<ExceptionInfo>
              theme={theme}
              columnDefs={columnDefs}
              context={context}
              {...PAGED_GRID}
              datasource={datasource}
              onGridReady={onGridReady}
              onRowClicked={(e) => {
                // A click on the row's checkbox selects it; anywhere else opens the exception.
                if (!(e.event?.target instanceof HTMLInputElement) && e.data) setOpenId(e.data.exceptionId);
              }}
              onCellKeyDown={onCellKeyDown}
              rowClassRules={rowClassRules}
              getRowId={(p) => String(p.data.exceptionId)}
              defaultColDef={{ resizable: true, filter: false }}
            />
          </div>
        </div>
        {openId !== null && (
          <ExceptionDrawer
            key={openId}
            exceptionId={openId}
            version={version}
            user={user}
            users={users.data ?? []}
            templateName={templateName}
            navigate={navigate}
            onChanged={(text) => {
              setMessage({ text, error: false });
              refresh();
            }}
            onClose={() => setOpenId(null)}
          />
        )}
      </div>
      {help && <ShortcutHelp shortcuts={shortcuts} onClose={() => setHelp(false)} />}
      {asking && (
        <ConfirmDialog
          title={asking.title}
          message={asking.message}
          confirmLabel={asking.confirmLabel}
          onConfirm={() => {
            setAsking(null);
            asking.onConfirm();
          }}
          onCancel={() => setAsking(null)}
        />
      )}
    </section>
  );
}
