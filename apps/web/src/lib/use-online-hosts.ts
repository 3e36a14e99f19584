'use client';
import { useQuery } from '@tanstack/react-query';
import type { HostRow } from './api-types.ts';
import { api } from './trpc.ts';

/**
 * The names of the hosts that can take a command now (online or degraded), in the fleet's
 * order, for the forms that choose one. `enabled: false` when a host is fixed already.
 */
export function useOnlineHosts(enabled = true, allowed: (h: HostRow) => boolean = () => true): string[] {
  const hosts = useQuery({ queryKey: ['hosts'], queryFn: () => api.hosts.list.query(), enabled });
  return (hosts.data ?? []).filter((h) => (h.status === 'online' || h.status === 'degraded') && allowed(h)).map((h) => h.name);
}
