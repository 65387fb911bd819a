import type { ICellRendererParams } from "ag-grid-community";

/** What a grid with a checkbox column passes in its AG Grid `context`. */
export interface SelectionContext<T> {
  isSelected: (row: T) => boolean;
  toggle: (row: T) => void;
  /** The checkbox's accessible name, e.g. "Select exception 12". */
  selectLabel: (row: T) => string;
}

/** The checkbox cell of a selectable grid; selection lives in the page, not in AG Grid. */
export function SelectCell<T>(params: ICellRendererParams<T, unknown, SelectionContext<T>>) {
  const row = params.data;
  if (!row) return null;
  return (
    <input
      type="checkbox"
      className="row-check"
      tabIndex={-1}
      checked={params.context.isSelected(row)}
      onChange={() => params.context.toggle(row)}
      onClick={(e) => e.stopPropagation()}
      aria-label={params.context.selectLabel(row)}
    />
  );
}
