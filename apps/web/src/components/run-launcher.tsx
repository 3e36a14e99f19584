'use client';
import { inputBase } from '@berth/ui';
import Link from 'next/link';
import { useState } from 'react';
import { hasRole, useRoleFor } from '../lib/roles.ts';
import { useOnlineHosts } from '../lib/use-online-hosts.ts';

/**
 * "Run a container on [host]": the run form lives under a host. Only hosts whose team the user
 * may run containers on (operator or more) are offered; with none, no button.
 */
export function RunLauncher() {
  const roleFor = useRoleFor();
  const online = useOnlineHosts(true, (h) => hasRole(roleFor(h.team.id), 'operator'));
  const [chosen, setChosen] = useState('');
  const host = chosen || online[0];
  if (!host) return null;
  return (
    <div className="flex items-center gap-2 text-sm">
      {online.length > 1 && (
        <select aria-label="Host to run on" value={host} onChange={(e) => setChosen(e.target.value)} className={`${inputBase} py-1`}>
          {online.map((h) => <option key={h} value={h}>{h}</option>)}
        </select>
      )}
      <Link href={`/hosts/${encodeURIComponent(host)}/run`} className="rounded-md bg-sky-700 px-3 py-1.5 font-medium text-white hover:bg-sky-800">
        Run a container{online.length > 1 ? '' : ` on ${host}`}
      </Link>
    </div>
  );
}
