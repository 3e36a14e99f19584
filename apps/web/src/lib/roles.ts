'use client';
import { useQuery } from '@tanstack/react-query';
import { api } from './trpc.ts';

export type Role = 'viewer' | 'operator' | 'admin';
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether a role is at least `min`, as the server ranks them (viewer < operator < admin). */
export const hasRole = (role: string | undefined, min: Role): boolean => role !== undefined && role in RANK && RANK[role as Role] >= RANK[min];

/** The signed-in user's role, from the session query the shell already made. */
export function useRole(): string | undefined {
  const me = useQuery({ queryKey: ['me'], queryFn: () => api.auth.me.query() });
  return me.data?.role;
}
