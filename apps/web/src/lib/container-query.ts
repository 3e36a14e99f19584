// The fleet's containers table as a URL: every filter, the sort and the page live in the query
// string (/containers?q=web&state=running,paused&sort=name), so a view can be shared and the
// back button walks through them. Pure: parsed and written here, used by the table.
import type { ContainerState } from './api-types.ts';

export const CONTAINER_STATES: ContainerState[] = ['running', 'paused', 'restarting', 'created', 'exited', 'dead', 'removing'];
export const SORT_KEYS = ['created', 'name', 'host', 'state', 'image'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const PAGE_SIZE = 50;

export interface FleetQuery {
  text: string;
  states: ContainerState[];
  host: string;
  image: string;
  label: string;
  sort: SortKey;
  order: 'asc' | 'desc';
  /** 1-based */
  page: number;
}

/** Newest first by default, alphabetical for the other keys, as `docker ps` reads. */
export const defaultOrder = (sort: SortKey): 'asc' | 'desc' => (sort === 'created' ? 'desc' : 'asc');

export const EMPTY_QUERY: FleetQuery = { text: '', states: [], host: '', image: '', label: '', sort: 'created', order: 'desc', page: 1 };

/** Whatever the URL holds, a valid query: unknown states and sort keys are dropped, not fatal. */
export function readQuery(p: URLSearchParams): FleetQuery {
  const sortParam = p.get('sort');
  const sort: SortKey = (SORT_KEYS as readonly string[]).includes(sortParam ?? '') ? (sortParam as SortKey) : 'created';
  const orderParam = p.get('order');
  const page = Number(p.get('page'));
  return {
    text: p.get('q') ?? '',
    states: (p.get('state') ?? '').split(',').filter((s): s is ContainerState => (CONTAINER_STATES as string[]).includes(s)),
    host: p.get('host') ?? '',
    image: p.get('image') ?? '',
    label: p.get('label') ?? '',
    sort,
    order: orderParam === 'asc' || orderParam === 'desc' ? orderParam : defaultOrder(sort),
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

/** The query string, defaults left out, in a fixed order (the same view is the same URL). */
export function writeQuery(q: FleetQuery): string {
  const p = new URLSearchParams();
  if (q.text) p.set('q', q.text);
  if (q.states.length) p.set('state', CONTAINER_STATES.filter((s) => q.states.includes(s)).join(','));
  if (q.host) p.set('host', q.host);
  if (q.image) p.set('image', q.image);
  if (q.label) p.set('label', q.label);
  if (q.sort !== 'created') p.set('sort', q.sort);
  if (q.order !== defaultOrder(q.sort)) p.set('order', q.order);
  if (q.page > 1) p.set('page', String(q.page));
  // a comma needs no escaping in a query string: state=running,paused reads better
  return p.toString().replace(/%2C/gi, ',');
}

/** A header clicked: the same column flips its order, another starts at its default; back to page 1. */
export function toggleSort(q: FleetQuery, key: SortKey): FleetQuery {
  return { ...q, sort: key, order: q.sort === key ? (q.order === 'asc' ? 'desc' : 'asc') : defaultOrder(key), page: 1 };
}

/** containers.search's input for this view. */
export function searchInput(q: FleetQuery, pageSize = PAGE_SIZE) {
  return {
    ...(q.text.trim() ? { text: q.text.trim() } : {}),
    ...(q.states.length ? { states: q.states } : {}),
    ...(q.host.trim() ? { host: q.host.trim() } : {}),
    ...(q.image.trim() ? { image: q.image.trim() } : {}),
    ...(q.label.trim() ? { label: q.label.trim() } : {}),
    sort: q.sort,
    order: q.order,
    hosts: 'stale' as const,
    offset: (q.page - 1) * pageSize,
    limit: pageSize,
  };
}
