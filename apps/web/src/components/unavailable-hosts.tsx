import { Notice } from '@berth/ui';
import type { Unavailable } from '../lib/api-types.ts';

/** Hosts that did not answer a fleet-wide list: their rows are missing, and the page says so. */
export function UnavailableHosts({ hosts }: { hosts: Unavailable[] | undefined }) {
  if (!hosts || hosts.length === 0) return null;
  return (
    <Notice tone="warning" className="mb-3">
      {hosts.map((u) => (
        <div key={u.host}>
          <strong>{u.host}</strong> did not answer, so its rows are missing: {u.reason}
        </div>
      ))}
    </Notice>
  );
}
