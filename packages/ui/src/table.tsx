import { memo, startTransition, useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type HTMLAttributes, type ReactNode } from 'react';

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
 * The least width of a grid template: each track's minimum (a minmax's first value, a length as
 * it is, an fr or auto nothing). The table is given it as its min-width, so that narrower windows
 * scroll it sideways, instead of min-content, which measured every row's cells at each layout.
 */
export function gridMinWidth(template: string): string {
  const tracks: string[] = [];
  let depth = 0;
  let track = '';
  for (const ch of template.trim()) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (/\s/.test(ch) && depth === 0) {
      if (track) tracks.push(track);
      track = '';
    } else track += ch;
  }
  if (track) tracks.push(track);
  const mins = tracks.map((t) => (/^minmax\(([^,]+),/.exec(t)?.[1] ?? t).trim()).filter((v) => !/(fr|auto|content)$/.test(v));
  return mins.length ? `calc(${mins.join(' + ')})` : '0px';
}

interface BodyRowProps<T> { item: T; stale: boolean; columns: Column<T>[]; rowProps: ((row: T) => RowAttributes) | undefined; grid: boolean }

/**
 * A body row, rendered again only when it has something new to show: not while it is stale (out
 * of view, keeping its previous item for a frame), nor when the table renders again with the
 * same item, columns and attributes for it (the frame after, for the rows in view).
 */
const BodyRow = memo(function BodyRow<T>({ item, columns, rowProps, grid }: BodyRowProps<T>) {
  const props = rowProps?.(item);
  const role = grid ? ('row' as const) : undefined;
  return (
    <tr role={role} {...props} className={grid ? `${GRID_BODY_ROW} ${props?.className ?? ''}` : props?.className}>
      {columns.map((c) => <td key={c.key} role={grid ? 'cell' : undefined} className={`${grid ? 'min-w-0 px-3 py-2' : 'px-4 py-2'} ${c.className ?? ''} ${c.cellClassName ?? ''}`}>{c.cell(item)}</td>)}
    </tr>
  );
}, (prev, next) => prev.item === next.item && (next.stale || (prev.columns === next.columns && prev.rowProps === next.rowProps && prev.grid === next.grid))) as <T>(props: BodyRowProps<T>) => ReactNode;

/**
 * With reuseRows: the rows in the window are the first to take a new set of items; the others
 * keep their previous item (they are not rendered at all) until the frame after. A page of 50
 * rows then costs a new view the render and DOM updates of the ~12 on screen: React's work on
 * all 50 was half of a filter change on a slow machine. The table is aria-busy until every row
 * shows the new items, and the window never shows a row of the set before.
 */
function useRowsInViewFirst<T>(rows: T[], enabled: boolean) {
  const body = useRef<HTMLTableSectionElement>(null);
  /** the body's rows in the window, kept by an IntersectionObserver (no layout read at render) */
  const near = useRef(new Set<HTMLTableRowElement>());
  const [settled, setSettled] = useState(rows);
  useEffect(() => {
    if (!enabled || !body.current || typeof IntersectionObserver === 'undefined') return;
    const seen = near.current;
    const io = new IntersectionObserver((entries) => {
      for (const e of entries) if (e.isIntersecting) seen.add(e.target as HTMLTableRowElement); else seen.delete(e.target as HTMLTableRowElement);
    });
    // rows are kept by position, so each row element is observed once, as it is made
    const observe = () => { for (const tr of Array.from(body.current?.rows ?? [])) io.observe(tr); };
    observe();
    const mo = new MutationObserver(observe);
    mo.observe(body.current, { childList: true });
    return () => { io.disconnect(); mo.disconnect(); seen.clear(); };
  }, [enabled]);
  const inView = new Set<number>();
  if (enabled && settled !== rows) for (const tr of near.current) if (tr.isConnected) inView.add(tr.sectionRowIndex);
  const partial = enabled && settled !== rows && settled.length > 0 && inView.size > 0;
  // shown whole: the set is settled at once (React's adjust-state-while-rendering pattern)
  if (!partial && settled !== rows) setSettled(rows);
  // a row beyond the previous set's end has no previous item: it takes the new one now
  const shown = rows.map((item, i) => (!partial || inView.has(i) || i >= settled.length ? { item, stale: false } : { item: settled[i]!, stale: true }));
  const first = Math.min(...inView);
  const last = Math.max(...inView);
  useLayoutEffect(() => {
    // Rows in view that took shorter items (a line instead of two) pull the rows below them up
    // (and scroll anchoring may bring those above down): if a row still showing the view before
    // is now in the window, every row takes the new items at once, before this frame is painted.
    if (!partial || !body.current) return;
    const above = body.current.rows[first - 1];
    const below = body.current.rows[last + 1];
    if ((above && shown[first - 1]?.stale && above.getBoundingClientRect().bottom > 0) || (below && shown[last + 1]?.stale && below.getBoundingClientRect().top < window.innerHeight)) setSettled(rows);
  });
  useEffect(() => {
    if (!partial) return;
    // after the frame that paints the rows in view (a timer inside the animation frame runs after
    // it), as a transition: rendered in slices that yield to input, which stays answered meanwhile
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => { timer = setTimeout(() => startTransition(() => setSettled(rows)), 0); });
    return () => { cancelAnimationFrame(frame); clearTimeout(timer); };
  }, [partial, rows]);
  return { body, shown, busy: partial };
}

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
   * The rows in view take a new set of items first, the others in the frame after (useRowsInViewFirst).
   */
  reuseRows?: boolean;
}) {
  const g = grid !== undefined;
  const { body, shown, busy } = useRowsInViewFirst(rows, reuseRows);
  /** an explicit ARIA role, in a grid table only (a real table's elements have theirs) */
  const role = (r: 'table' | 'rowgroup' | 'row' | 'cell') => (g ? r : undefined);
  const row = ({ item, stale }: { item: T; stale: boolean }, i: number) => (
    <BodyRow<T> key={reuseRows ? i : rowKey(item)} item={item} stale={stale} columns={columns} rowProps={rowProps} grid={g} />
  );
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <table aria-label={label} aria-busy={busy || undefined} role={role('table')} style={g ? ({ '--table-columns': grid, minWidth: gridMinWidth(grid) } as CSSProperties) : undefined} className={`${g ? 'block' : ''} w-full text-left text-sm`}>
        <thead role={role('rowgroup')} className={`${g ? 'block' : ''} bg-slate-50 text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-800/50 dark:text-slate-400`}>
          <tr role={role('row')} className={g ? GRID_ROW : undefined}>{columns.map((c) => <HeaderCell key={c.key} c={c} sort={sort} grid={g} />)}</tr>
        </thead>
        <tbody ref={body} role={role('rowgroup')} className={`${g ? 'block' : ''} divide-y divide-slate-100 dark:divide-slate-800`}>
          {rows.length === 0 ? (
            <tr role={role('row')} className={g ? 'block' : undefined}><td colSpan={columns.length} role={role('cell')} className={`${g ? 'block' : ''} px-4 py-8 text-center text-slate-500`}>{empty}</td></tr>
          ) : (
            shown.map(row)
          )}
        </tbody>
      </table>
    </div>
  );
}
