import { Notice } from '@berth/ui';
import { isoAgo } from '../lib/format.ts';

type HostAge = { name: string; status: string; inventoryAt: string | null };

const SHOWN = 5;

/**
 * The fleet's containers come from each host's last inventory: for a host that is not online
 * (or never reported one), its rows are as they were when it last did, and the page says so.
 */
export function InventoryAge({ hosts, total }: { hosts: HostAge[] | undefined; total?: number }) {
  const stale = (hosts ?? []).filter((h) => h.status !== 'online' || !h.inventoryAt);
  if (stale.length === 0) return null;
  // the answer names the first stale hosts only; total counts them all
  const more = Math.max(total ?? 0, stale.length) - SHOWN;
  return (
    <Notice tone="warning" className="mb-3">
      {stale.slice(0, SHOWN).map((h) => (
        <div key={h.name}>
          <strong>{h.name}</strong> is {h.status}:{' '}
          {h.inventoryAt ? <>its containers are shown as of <time dateTime={h.inventoryAt} title={new Date(h.inventoryAt).toLocaleString()}>{isoAgo(h.inventoryAt)}</time>, its last report.</> : 'it has not reported its containers yet.'}
        </div>
      ))}
      {more > 0 && <div>and {more.toLocaleString()} more {more === 1 ? 'host' : 'hosts'}, whose containers are shown as they last reported them.</div>}
    </Notice>
  );
}
