import type { CSSProperties, HTMLAttributes, ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: string;
  cell: (row: T) => ReactNode;
  className?: string;
  /** the body cells' class only (the header keeps its own: a cut value, not a cut column name) */
  cellClassName?: string;
  /** shown in the header instead of `header` (a select-all checkbox); `header` stays its name */
  headerContent?: ReactNode;
  /** the header is a button that sorts by this column (see the table's `sort`) */
  sortable?: boolean;
}

export interface TableSort {
  key: string;
  order: 'asc' | 'desc';
  onSort(key: string): void;
}

type RowAttributes = HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string | undefined>;

function HeaderCell<T>({ c, sort, grid }: { c: Column<T>; sort: TableSort | undefined; grid: boolean }) {
  const active = sort && sort.key === c.key;
  const ariaSort = active ? (sort.order === 'asc' ? 'ascending' : 'descending') : c.sortable && sort ? 'none' : undefined;
  return (
    <th scope="col" role={grid ? 'columnheader' : undefined} aria-sort={ariaSort} className={`${grid ? 'min-w-0 px-3' : 'px-4'} py-2 font-medium ${c.className ?? ''}`}>
      {c.headerContent ??
        (c.sortable && sort ? (
          <button type="button" onClick={() => sort.onSort(c.key)} className="inline-flex items-center gap-1 uppercase tracking-wide hover:text-slate-900 dark:hover:text-slate-100">
            {c.header}
            <span aria-hidden="true" className={active ? '' : 'opacity-30'}>{active && sort.order === 'asc' ? '▲' : '▼'}</span>
          </button>
        ) : (
          c.header
        ))}
    </th>
  );
}

/** A grid table's row: its columns from the table's template, and off-screen rows not laid out or painted. */
const GRID_ROW = 'grid items-center [grid-template-columns:var(--table-columns)]';
const GRID_BODY_ROW = `${GRID_ROW} [content-visibility:auto] [contain-intrinsic-size:auto_3rem]`;

/**
 * A data table: a header row, then a row per item, or `empty` when there are none. With `sort`,
 * the `sortable` columns' headers are buttons and carry aria-sort; `rowProps` adds attributes
 * to a row (a class, data-*).
 *
 * With `grid` (CSS grid-template-columns, one track per column) the columns have those widths
 * instead of widths measured from every cell, and each row is laid out on its own: the browser
 * skips the rows out of view (content-visibility), so a page of many rows renders in the time
 * of the rows on screen. The table keeps its roles explicitly, as CSS display no longer gives them.
 */
export function Table<T>({ columns, rows, rowKey, empty, label, sort, rowProps, grid, reuseRows = false }: {
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  empty: ReactNode;
  label: string;
  sort?: TableSort;
  rowProps?: (row: T) => RowAttributes;
  grid?: string;
  /**
   * Rows are kept by position, not by item: a new page of items updates the rows' text and
   * attributes in place instead of removing every row and making new ones. A cell that holds
   * state of its own (a pending action) must key it by item itself, or start afresh when its item changes.
   */
  reuseRows?: boolean;
}) {
  const g = grid !== undefined;
  /** an explicit ARIA role, in a grid table only (a real table's elements have theirs) */
  const role = (r: 'table' | 'rowgroup' | 'row' | 'cell') => (g ? r : undefined);
  const cell = g ? 'min-w-0 px-3 py-2' : 'px-4 py-2';
  const row = (r: T, i: number) => {
    const props = rowProps?.(r);
    return (
      <tr key={reuseRows ? i : rowKey(r)} role={role('row')} {...props} className={g ? `${GRID_BODY_ROW} ${props?.className ?? ''}` : props?.className}>
        {columns.map((c) => <td key={c.key} role={role('cell')} className={`${cell} ${c.className ?? ''} ${c.cellClassName ?? ''}`}>{c.cell(r)}</td>)}
      </tr>
    );
  };
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <table aria-label={label} role={role('table')} style={g ? ({ '--table-columns': grid } as CSSProperties) : undefined} className={`${g ? 'block min-w-min' : ''} w-full text-left text-sm`}>
        <thead role={role('rowgroup')} className={`${g ? 'block' : ''} bg-slate-50 text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-800/50 dark:text-slate-400`}>
          <tr role={role('row')} className={g ? GRID_ROW : undefined}>{columns.map((c) => <HeaderCell key={c.key} c={c} sort={sort} grid={g} />)}</tr>
        </thead>
        <tbody role={role('rowgroup')} className={`${g ? 'block' : ''} divide-y divide-slate-100 dark:divide-slate-800`}>
          {rows.length === 0 ? (
            <tr role={role('row')} className={g ? 'block' : undefined}><td colSpan={columns.length} role={role('cell')} className={`${g ? 'block' : ''} px-4 py-8 text-center text-slate-500`}>{empty}</td></tr>
          ) : (
            rows.map(row)
          )}
        </tbody>
      </table>
    </div>
  );
}
