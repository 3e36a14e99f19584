// The fleet's containers from the inventories agents report (on connect and ~300 ms after each
// change): one query instead of asking every host, filtered, sorted and paged here, so that a
// list of 50,000 containers costs one page to whoever asks. Live per-host lists stay with the
// agents (containers.list); this is the fleet-wide view, as fresh as each host's inventoryAt.
import type { ContainerStatus, ContainerSummary } from '@berth/protocol';
import { HostInventory } from '@berth/protocol';
import { db as defaultDb, type Db } from '@berth/db';

export interface ContainerQuery {
  /** Only this host's. */
  host?: string;
  /** Case-insensitive substring of the name, image, id, command or a label value. */
  text?: string;
  states?: ContainerStatus[];
  /** `key` or `key=value`, as docker ps --filter label= takes it. */
  label?: string;
  sort?: 'created' | 'name' | 'host' | 'state' | 'image';
  order?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
}

export interface InventoryContainer extends ContainerSummary {
  host: string;
  hostId: string;
}

export interface ContainerPage {
  rows: InventoryContainer[];
  /** Matching rows in all, for the pager. */
  total: number;
  offset: number;
  limit: number;
  /** Every host asked, with when its inventory was taken and whether it is connected now. */
  hosts: { name: string; status: string; inventoryAt: string | null }[];
}

const MAX_LIMIT = 500;

/** The filter, sort and page of a query over rows already in memory: pure, for tests and the API. */
export function selectContainers(all: readonly InventoryContainer[], q: ContainerQuery): { rows: InventoryContainer[]; total: number; offset: number; limit: number } {
  const text = q.text?.trim().toLowerCase();
  const states = q.states?.length ? new Set(q.states) : null;
  const [labelKey, labelValue] = q.label ? [q.label.split('=')[0] ?? '', q.label.includes('=') ? q.label.slice(q.label.indexOf('=') + 1) : undefined] : [undefined, undefined];
  const matching = all.filter((c) => {
    if (states && !states.has(c.state)) return false;
    if (labelKey !== undefined && (!(labelKey in c.labels) || (labelValue !== undefined && c.labels[labelKey] !== labelValue))) return false;
    if (text) {
      const hay = [c.name, c.image, c.id, c.command, c.host, ...Object.values(c.labels)].join('\n').toLowerCase();
      if (!hay.includes(text)) return false;
    }
    return true;
  });
  const sort = q.sort ?? 'created';
  const dir = (q.order ?? (sort === 'created' ? 'desc' : 'asc')) === 'asc' ? 1 : -1;
  const key = (c: InventoryContainer): string | number => (sort === 'created' ? c.created : sort === 'name' ? c.name : sort === 'host' ? c.host : sort === 'state' ? c.state : c.image);
  matching.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const primary = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    // a stable order between pages: then by host and id
    return dir * primary || a.host.localeCompare(b.host) || a.id.localeCompare(b.id);
  });
  const limit = Math.min(Math.max(q.limit ?? 100, 1), MAX_LIMIT);
  const offset = Math.max(q.offset ?? 0, 0);
  return { rows: matching.slice(offset, offset + limit), total: matching.length, offset, limit };
}

/** The page of the fleet's containers a query asks for, from the hosts' last inventories. */
export async function searchContainers(q: ContainerQuery, db: Db = defaultDb()): Promise<ContainerPage> {
  const hosts = await db.host.findMany({
    where: { revokedAt: null, ...(q.host ? { name: q.host } : {}) },
    select: { id: true, name: true, status: true, inventory: true, inventoryAt: true },
    orderBy: { name: 'asc' },
  });
  const all: InventoryContainer[] = [];
  for (const h of hosts) {
    const inv = HostInventory.safeParse(h.inventory);
    if (!inv.success) continue; // never reported (or an older agent): no containers known
    for (const c of inv.data.containers) all.push({ ...c, host: h.name, hostId: h.id });
  }
  return { ...selectContainers(all, q), hosts: hosts.map((h) => ({ name: h.name, status: h.status, inventoryAt: h.inventoryAt?.toISOString() ?? null })) };
}
