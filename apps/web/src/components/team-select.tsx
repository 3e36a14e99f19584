'use client';
import { inputClass } from '@berth/ui';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { hasRole, type Role } from '../lib/roles.ts';
import { api } from '../lib/trpc.ts';

const useTeamList = () => useQuery({ queryKey: ['teams'], queryFn: () => api.teams.list.query() });

/** The teams where the user has at least `role` (every team for a site role that high). */
export function useTeamsWith(role: Role) {
  return (useTeamList().data ?? []).filter((t) => hasRole(t.myRole, role));
}

/** Whether the user sees more than one team: lists of team objects then show each one's team. */
export function useSeesSeveralTeams(): boolean {
  return (useTeamList().data?.length ?? 0) > 1;
}

/**
 * The teams a new object may go to: those where the user has `role` (a new host: admin; a
 * service or a secret: operator). It starts on the default team when it is one of them, else
 * on the first one.
 */
export function TeamSelect({ value, onChange, id, role = 'admin' }: { value: string; onChange: (team: string) => void; id?: string; role?: Role }) {
  const mine = useTeamsWith(role);
  const first = mine.find((t) => t.name === 'default')?.name ?? mine[0]?.name;
  useEffect(() => {
    if (!value && first) onChange(first);
  }, [value, first, onChange]);
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)} className={inputClass}>
      {mine.map((t) => <option key={t.id} value={t.name}>{t.name}</option>)}
    </select>
  );
}
