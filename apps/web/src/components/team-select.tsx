'use client';
import { inputClass } from '@berth/ui';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { hasRole } from '../lib/roles.ts';
import { api } from '../lib/trpc.ts';

/**
 * The teams a new host may join: those the user administers (all of them for a site admin).
 * It starts on the default team when the user administers it, else on the first one.
 */
export function TeamSelect({ value, onChange, id }: { value: string; onChange: (team: string) => void; id?: string }) {
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => api.teams.list.query() });
  const mine = (teams.data ?? []).filter((t) => hasRole(t.myRole, 'admin'));
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
