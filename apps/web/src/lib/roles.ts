'use client';
import { useQuery } from '@tanstack/react-query';
import { api } from './trpc.ts';

export type Role = 'viewer' | 'operator' | 'admin' | 'owner';
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2, owner: 3 };

/** Whether a role is at least `min`, as the server ranks them (viewer < operator < admin ≤ owner). */
export const hasRole = (role: string | null | undefined, min: Role): boolean => !!role && role in RANK && RANK[role as Role] >= RANK[min];

/**
 * The signed-in user's role: on the team `teamId` when given (site role and membership, as the
 * server computes it), otherwise the most the user may do anywhere. Buttons follow it; the
 * server checks every call on its own.
 */
export function useRole(teamId?: string | null): string | undefined {
  const me = useQuery({ queryKey: ['me'], queryFn: () => api.auth.me.query() });
  if (!me.data) return undefined;
  if (teamId) return me.data.teams.find((t) => t.id === teamId)?.role ?? (me.data.siteRole ? capped(me.data.siteRole === 'admin' ? 'owner' : me.data.siteRole, me.data.scope) : undefined);
  return me.data.role ?? undefined;
}

const capped = (role: Role, scope: Role | null): Role => (scope && RANK[scope] < RANK[role] ? scope : role);

/** Whether the signed-in user is a site admin (users and teams administration). */
export function useSiteAdmin(): boolean {
  const me = useQuery({ queryKey: ['me'], queryFn: () => api.auth.me.query() });
  return me.data?.siteRole === 'admin' && (!me.data.scope || me.data.scope === 'admin');
}

/** The role on each team, as a function of the team's id (for lists that mix teams' hosts). */
export function useRoleFor(): (teamId: string) => string | undefined {
  const me = useQuery({ queryKey: ['me'], queryFn: () => api.auth.me.query() });
  return (teamId) => {
    if (!me.data) return undefined;
    const t = me.data.teams.find((x) => x.id === teamId);
    if (t) return t.role ?? undefined;
    return me.data.siteRole ? capped(me.data.siteRole === 'admin' ? 'owner' : me.data.siteRole, me.data.scope) : undefined;
  };
}

/**
 * The signed-in user's role on a host's team (the host read as its page reads it); without a
 * host (a fleet-wide panel), the most the user may do anywhere.
 */
export function useHostRole(host: string | undefined): string | undefined {
  const h = useQuery({ queryKey: ['host', host], queryFn: () => api.hosts.get.query({ host: host! }), enabled: !!host });
  const roleFor = useRoleFor();
  const best = useRole();
  if (!host) return best;
  return h.data ? roleFor(h.data.team.id) : undefined;
}
