import { Notice } from '@berth/ui';
import { isoAgo } from '../lib/format.ts';

type HostAge = { name: string; status: string; inventoryAt: string | null };

const SHOWN = 5;

/**
 * The fleet's containers come from each host's last inventory: for a host that is not online
 * (or never reported one), its rows are as they were when it last did, and the page says so.
 */
export function InventoryAge({ hosts }: { hosts: HostAge[] | undefined }) {
  const stale = (hosts ?? []).filter((h) => h.status !== 'online' || !h.inventoryAt);
  if (stale.length === 0) return null;
  return (
    <Notice tone="warning" className="mb-3">
      {stale.slice(0, SHOWN).map((h) => (
        <div key={h.name}>
          <strong>{h.name}</strong> is {h.status}:{' '}
          {h.inventoryAt ? <>its containers are shown as of <time dateTime={h.inventoryAt} title={new Date(h.inventoryAt).toLocaleString()}>{isoAgo(h.inventoryAt)}</time>, its last report.</> : 'it has not reported its containers yet.'}
        </div>
      ))}
      {stale.length > SHOWN && <div>and {stale.length - SHOWN} more hosts, whose containers are shown as they last reported them.</div>}
    </Notice>
  );
}
