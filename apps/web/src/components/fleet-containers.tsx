'use client';
import { inputBase, Notice, StatusBadge, Table, type Column } from '@berth/ui';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { ContainerRow } from '../lib/api-types.ts';
import { selectRange, type Target } from '../lib/bulk.ts';
import { CONTAINER_STATES, PAGE_SIZE, readQuery, searchInput, toggleSort, writeQuery, type FleetQuery, type SortKey } from '../lib/container-query.ts';
import { createdAgo, shortId } from '../lib/format.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { useDebounced } from '../lib/use-debounced.ts';
import { BulkActions } from './bulk-actions.tsx';
import { ContainerActions } from './container-actions.tsx';
import { containerHref, Ports } from './containers-table.tsx';
import { HealthBadge } from './health.tsx';
import { InventoryAge } from './inventory-age.tsx';
import { ImageRef } from './image-ref.tsx';

type Row = ContainerRow;
type Fields = Pick<FleetQuery, 'text' | 'host' | 'image' | 'label'>;

/** How long typing must pause before the table asks again. */
const TYPING_MS = 200;
const rowKey = (c: { host: string; id: string }) => `${c.host}/${c.id}`;
const fieldsOf = (q: FleetQuery): Fields => ({ text: q.text, host: q.host, image: q.image, label: q.label });
const sameFields = (a: Fields, b: Fields) => a.text === b.text && a.host === b.host && a.image === b.image && a.label === b.label;

type SearchAnswer = Awaited<ReturnType<typeof api.containers.search.query>>;

/**
 * Opening /containers: the first page's rows are asked for as soon as this code loads, beside
 * the shell's session check rather than after it (one round trip less before the rows show).
 * The table takes that answer for its first query when it is for the same view.
 */
let early: { qs: string; answer: Promise<SearchAnswer> } | null = (() => {
  if (typeof window === 'undefined' || window.location.pathname !== '/containers') return null;
  const q = readQuery(new URLSearchParams(window.location.search));
  const answer = api.containers.search.query(searchInput(q));
  answer.catch(() => {}); // a refusal (signed out) is the shell's to handle; the table asks again
  return { qs: writeQuery(q), answer };
})();

const searchKey = (qs: string) => ['containers', 'search', qs];

function search(q: FleetQuery, qs: string): Promise<SearchAnswer> {
  if (early) {
    const e = early;
    early = null;
    if (e.qs === qs) return e.answer;
  }
  return api.containers.search.query(searchInput(q));
}

/**
 * The fleet's containers, from the inventories hosts report (containers.search): filtered,
 * sorted and paged by Postgres, a page at a time, whatever the size of the fleet. The view is
 * the URL's query string (shareable; back and forward walk through views), written with the
 * browser's own pushState, which Next's router follows without asking the server for the page.
 * Row links do not prefetch: fifty rows would mean a hundred requests per page of results.
 */
export function FleetContainersTable() {
  // the URL is written here and read back on back/forward; React state holds the view meanwhile, so
  // a change renders at once rather than after the router's own (low-priority) update
  const [query, setQuery] = useState<FleetQuery>(() => readQuery(new URLSearchParams(typeof window === 'undefined' ? '' : window.location.search)));
  const qs = writeQuery(query);

  // typed filters stay local until typing pauses; then they go to the URL
  const [fields, setFields] = useState<Fields>(() => fieldsOf(query));
  const settled = useDebounced(fields, TYPING_MS);
  /** the current history entry was made by typing: more typing replaces it rather than adding one per pause */
  const typing = useRef(false);
  const queries = useQueryClient();
  const go = (q: FleetQuery, mode: 'push' | 'replace') => {
    const next = writeQuery(q);
    // the request leaves now, not after React has rendered the new view (tens of ms with a page
    // of rows); the table's query below finds it in flight under the same key
    void queries.prefetchQuery({ queryKey: searchKey(next), queryFn: () => search(q, next) });
    setQuery(q);
    // the URL follows in the next task: the request has left by then (history.pushState took
    // up to 16 ms of the click in profiles, before the request)
    const url = `${window.location.pathname}${next ? `?${next}` : ''}`;
    setTimeout(() => window.history[mode === 'push' ? 'pushState' : 'replaceState'](window.history.state, '', url), 0);
  };
  useEffect(() => {
    if (sameFields(settled, fieldsOf(query))) return;
    go({ ...query, ...settled, page: 1 }, typing.current ? 'replace' : 'push');
    typing.current = true;
  }, [settled]); // only a settled change of the typed fields writes the URL
  // a link to this page with another query (the nav's "Containers", the palette) is a navigation
  // of Next's router, which keeps this component: the view follows the URL it brings
  const params = useSearchParams();
  const current = useRef(qs);
  current.current = qs;
  useEffect(() => {
    const q = readQuery(new URLSearchParams(params.toString()));
    if (writeQuery(q) === current.current) return; // our own pushState, seen back through the router
    typing.current = false;
    setQuery(q);
    setFields(fieldsOf(q));
  }, [params]);
  useEffect(() => {
    // back and forward: the table and its inputs show what the URL says
    const popped = () => {
      const q = readQuery(new URLSearchParams(window.location.search));
      typing.current = false;
      setQuery(q);
      setFields(fieldsOf(q));
    };
    window.addEventListener('popstate', popped);
    return () => window.removeEventListener('popstate', popped);
  }, []);
  /** a discrete change (a state, a header, a page): its own history entry, with what is typed so far */
  const change = (f: (q: FleetQuery) => FleetQuery) => {
    typing.current = false;
    go(f({ ...query, ...fields }), 'push');
  };

  const list = useQuery({
    queryKey: searchKey(qs),
    queryFn: () => search(query, qs),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
  const rows = list.data?.rows ?? [];
  const total = list.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  // selection: this page's rows, by host/id; a new view starts empty
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const anchor = useRef<number | null>(null);
  useEffect(() => {
    setSelected((s) => (s.size ? new Set() : s));
    anchor.current = null;
  }, [qs]);
  const selectedRows: Target[] = rows.filter((r) => selected.has(rowKey(r)));
  // the host field's suggestions: the fleet's hosts (the query the Run launcher shares); a
  // thousand hosts are a thousand options, made again only when that list changes
  const fleet = useQuery({ queryKey: ['hosts'], queryFn: () => api.hosts.list.query() });
  const hostOptions = useMemo(() => <datalist id="fleet-hosts">{(fleet.data ?? []).map((h) => <option key={h.name} value={h.name} />)}</datalist>, [fleet.data]);
  // the rows' callbacks stay the same across renders (they read the latest view through a ref),
  // so that a change of view re-renders the rows only when new rows arrive
  const latest = useRef({ change, rows });
  latest.current = { change, rows };
  const onSort = useCallback((k: SortKey) => latest.current.change((q) => toggleSort(q, k)), []);
  const onToggle = useCallback((index: number, checked: boolean, shift: boolean) => {
    setSelected((s) => selectRange(s, latest.current.rows.map(rowKey), index, checked, anchor.current, shift));
    anchor.current = index;
  }, []);
  const onSelectAll = useCallback((all: boolean) => setSelected(all ? new Set(latest.current.rows.map(rowKey)) : new Set()), []);

  const field = (name: keyof Fields, label: string, placeholder: string, width: string, list?: string) => (
    <input
      type={name === 'text' ? 'search' : 'text'}
      aria-label={label}
      placeholder={placeholder}
      value={fields[name]}
      list={list}
      data-page-search={name === 'text' ? '' : undefined}
      onChange={(e) => setFields((f) => ({ ...f, [name]: e.target.value }))}
      // Enter does not wait for the pause
      onKeyDown={(e: KeyboardEvent<HTMLInputElement>) => e.key === 'Enter' && change((q) => ({ ...q, page: 1 }))}
      className={`${inputBase} ${width}`}
    />
  );
  const first = total === 0 ? 0 : (query.page - 1) * PAGE_SIZE + 1;
  const filtered = !!(query.text || query.states.length || query.host || query.image || query.label);
  return (
    // data-view names the view whose rows are shown (not a previous one's, kept while the next loads)
    <section aria-label="Containers" aria-busy={list.isFetching || undefined} data-view={list.data && !list.isPlaceholderData ? qs || '-' : undefined}>
      <div className="mb-3 flex flex-wrap items-center gap-3">
        {field('text', 'Search containers', 'Search name, image, ID, command… ( / )', 'w-72')}
        {field('host', 'Host', 'host', 'w-36', 'fleet-hosts')}
        {field('image', 'Image', 'image (nginx, registry/app)', 'w-52')}
        {field('label', 'Label', 'label key or key=value', 'w-48')}
        {hostOptions}
      </div>
      <fieldset className="mb-3 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
        <legend className="float-left mr-2 font-medium text-slate-600 dark:text-slate-300">State</legend>
        {CONTAINER_STATES.map((s) => (
          <label key={s} className="flex items-center gap-1">
            <input type="checkbox" checked={query.states.includes(s)} onChange={(e) => change((q) => ({ ...q, page: 1, states: e.target.checked ? [...q.states, s] : q.states.filter((x) => x !== s) }))} />
            {s}
          </label>
        ))}
        <span className="ml-auto text-slate-500" aria-live="polite">
          {list.isFetching ? 'Refreshing…' : list.data ? `${first.toLocaleString()}–${(first + rows.length - (rows.length ? 1 : 0)).toLocaleString()} of ${total.toLocaleString()}` : ''}
        </span>
      </fieldset>
      {list.error && <Notice tone="error" className="mb-3">{errorMessage(list.error)}</Notice>}
      <InventoryAge hosts={list.data?.hosts} total={list.data?.hostsTotal} />
      <BulkActions selected={selectedRows} onClear={() => setSelected(new Set())} onFinished={(done) => setSelected((s) => new Set([...s].filter((k) => !done.includes(k))))} />
      <ContainerRows rows={rows} selected={selected} sort={query.sort} order={query.order} onSort={onSort} onToggle={onToggle} onSelectAll={onSelectAll}
        // only shown without rows; null otherwise, so that ticking a filter does not re-render the rows it keeps showing until the answer
        empty={rows.length ? null : list.isLoading ? 'Loading…' : filtered ? 'No container matches.' : 'No containers yet: run one with "Run a container", or add a host.'} />
      {pages > 1 && (
        <nav aria-label="Pages" className="mt-3 flex items-center justify-end gap-2 text-sm">
          <button type="button" className={`${inputBase} disabled:opacity-50`} disabled={query.page <= 1} onClick={() => change((q) => ({ ...q, page: q.page - 1 }))}>Previous</button>
          <span>Page {query.page.toLocaleString()} of {pages.toLocaleString()}</span>
          <button type="button" className={`${inputBase} disabled:opacity-50`} disabled={query.page >= pages} onClick={() => change((q) => ({ ...q, page: q.page + 1 }))}>Next</button>
        </nav>
      )}
    </section>
  );
}

const sortable = (key: SortKey) => ({ key, sortable: true });
/**
 * The columns' widths, the same for every row (so each row lays out alone and rows out of view
 * are skipped): select, ID, name, host, image, command, created, status, state, ports, actions.
 * Narrower than their minimums, the table scrolls sideways.
 */
const GRID = '2.25rem 6.5rem minmax(6rem,1.2fr) minmax(4.5rem,.8fr) minmax(6rem,1.2fr) minmax(4.5rem,.8fr) minmax(6rem,.9fr) minmax(6rem,1.2fr) 7.5rem minmax(5rem,1fr) 16.5rem';
/** A cell whose long words (an image reference, a generated name) break anywhere rather than widen it. */
const WRAP = '[overflow-wrap:anywhere]';

/** The table itself: its rows, their checkboxes (select all, shift-click ranges) and actions. */
const ContainerRows = memo(function ContainerRows({ rows, selected, sort, order, onSort, onToggle, onSelectAll, empty }: {
  rows: Row[];
  selected: ReadonlySet<string>;
  sort: SortKey;
  order: 'asc' | 'desc';
  onSort: (k: SortKey) => void;
  onToggle: (index: number, checked: boolean, shift: boolean) => void;
  onSelectAll: (all: boolean) => void;
  empty: ReactNode;
}) {
  const keys = rows.map(rowKey);
  const count = keys.filter((k) => selected.has(k)).length;
  const allOnPage = rows.length > 0 && count === rows.length;
  const selectAll = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (selectAll.current) selectAll.current.indeterminate = count > 0 && !allOnPage;
  });
  const columns: Column<Row>[] = [
    {
      key: 'select',
      header: 'Select',
      headerContent: <input ref={selectAll} type="checkbox" aria-label="Select all on this page" checked={allOnPage} disabled={rows.length === 0} onChange={(e) => onSelectAll(e.target.checked)} />,
      cell: (c) => <input type="checkbox" aria-label={`Select ${c.name} on ${c.host}`} checked={selected.has(rowKey(c))} onChange={() => {}} onClick={(e) => onToggle(keys.indexOf(rowKey(c)), e.currentTarget.checked, e.shiftKey)} />,
    },
    { key: 'id', header: 'Container ID', cell: (c) => <code className="text-xs">{shortId(c.id)}</code> },
    // a long value wraps inside its column (whose width does not depend on it); the command is cut, as docker ps cuts it
    { ...sortable('name'), header: 'Name', cellClassName: WRAP, cell: (c) => <Link href={containerHref(c)} prefetch={false} className="font-medium text-sky-700 hover:underline dark:text-sky-400">{c.name}</Link> },
    { ...sortable('host'), header: 'Host', cellClassName: WRAP, cell: (c) => <Link href={`/hosts/${encodeURIComponent(c.host)}`} prefetch={false} className="hover:underline">{c.host}</Link> },
    { ...sortable('image'), header: 'Image', cell: (c) => <ImageRef value={c.image} /> },
    { key: 'command', header: 'Command', cellClassName: 'truncate', cell: (c) => <code title={c.command} className="text-xs">{c.command ? `"${c.command}"` : ''}</code> },
    { ...sortable('created'), header: 'Created', cellClassName: WRAP, cell: (c) => <span title={new Date(c.created * 1000).toLocaleString()}>{createdAgo(c.created)}</span> },
    { key: 'status', header: 'Status', cellClassName: WRAP, cell: (c) => c.status },
    { ...sortable('state'), header: 'State', cell: (c) => <span className="flex flex-wrap gap-1"><StatusBadge status={c.state} /><HealthBadge c={c} /></span> },
    { key: 'ports', header: 'Ports', cellClassName: WRAP, cell: (c) => <Ports ports={c.ports} /> },
    // the rows are reused for the next page; a pending action or a question stays with its container (ContainerActions says how)
    { key: 'actions', header: 'Actions', cell: (c) => <ContainerActions host={c.host} id={c.id} name={c.name} state={c.state} /> },
  ];
  return (
    <Table<Row>
      label="Containers"
      rows={rows}
      rowKey={rowKey}
      sort={{ key: sort, order, onSort: (k) => onSort(k as SortKey) }}
      rowProps={(c) => (selected.has(rowKey(c)) ? { className: 'bg-sky-50 dark:bg-sky-950/40', 'data-row': '' } : { 'data-row': '' })}
      empty={empty}
      columns={columns}
      grid={GRID}
      reuseRows
    />
  );
});
