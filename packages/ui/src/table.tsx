import type { HTMLAttributes, ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: string;
  cell: (row: T) => ReactNode;
  className?: string;
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

function HeaderCell<T>({ c, sort }: { c: Column<T>; sort: TableSort | undefined }) {
  const active = sort && sort.key === c.key;
  const ariaSort = active ? (sort.order === 'asc' ? 'ascending' : 'descending') : c.sortable && sort ? 'none' : undefined;
  return (
    <th scope="col" aria-sort={ariaSort} className={`px-4 py-2 font-medium ${c.className ?? ''}`}>
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

/**
 * A data table: a header row, then a row per item, or `empty` when there are none. With `sort`,
 * the `sortable` columns' headers are buttons and carry aria-sort; `rowProps` adds attributes
 * to a row (a class, data-*).
 */
export function Table<T>({ columns, rows, rowKey, empty, label, sort, rowProps }: {
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  empty: ReactNode;
  label: string;
  sort?: TableSort;
  rowProps?: (row: T) => RowAttributes;
}) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <table aria-label={label} className="w-full text-left text-sm">
        <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-800/50 dark:text-slate-400">
          <tr>{columns.map((c) => <HeaderCell key={c.key} c={c} sort={sort} />)}</tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {rows.length === 0 ? (
            <tr><td colSpan={columns.length} className="px-4 py-8 text-center text-slate-500">{empty}</td></tr>
          ) : (
            rows.map((r) => <tr key={rowKey(r)} {...rowProps?.(r)}>{columns.map((c) => <td key={c.key} className={`px-4 py-2 ${c.className ?? ''}`}>{c.cell(r)}</td>)}</tr>)
          )}
        </tbody>
      </table>
    </div>
  );
}
