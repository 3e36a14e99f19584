'use client';
import { Notice, Table, type Column } from '@berth/ui';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import type { StackRow } from '../lib/api-types.ts';
import { hasRole, useRole, useRoleFor } from '../lib/roles.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { ConfirmAction } from './confirm-action.tsx';
import { ResultNotice, type Result } from './result-notice.tsx';
import { useSeesSeveralTeams } from './team-select.tsx';
import { refresh } from '../lib/refresh.ts';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `docker stack ls` with `docker stack rm`; a stack's name leads to its services. */
export function StacksPanel() {
  const client = useQueryClient();
  const operator = hasRole(useRole(), 'operator');
  const roleFor = useRoleFor();
  const severalTeams = useSeesSeveralTeams();
  const [result, setResult] = useState<Result | null>(null);
  const list = useQuery({ queryKey: ['stacks'], queryFn: () => api.stacks.list.query(), refetchInterval: 5000, placeholderData: keepPreviousData });
  const columns: Column<StackRow>[] = [
    { key: 'name', header: 'Name', cell: (s) => <Link href={`/services?stack=${encodeURIComponent(s.name)}`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">{s.name}</Link> },
    { key: 'services', header: 'Services', cell: (s) => s.services },
    ...(severalTeams ? [{ key: 'team', header: 'Team', cell: (s: StackRow) => s.team.name }] : []),
    ...(operator ? [{
      // an operator of the stack's team (the server checks it again)
      key: 'actions', header: 'Actions', cell: (s: StackRow) => !hasRole(roleFor(s.team.id), 'operator') ? null : (
        <ConfirmAction
          label={`Remove ${s.name}`}
          question={`Remove the stack ${s.name}, its ${plural(s.services, 'service')} and their replicas?`}
          action={async () => {
            const r = await api.stacks.remove.mutate({ name: s.name });
            setResult({ tone: 'info', lines: r.removed.map((n) => `Removing service ${n}`) });
          }}
          onSettled={() => {
            void refresh(client, ['stacks']);
            void refresh(client, ['services']);
          }}
        />
      ),
    }] : []),
  ];
  return (
    <section aria-label="Stacks">
      <ResultNotice result={result} onDismiss={() => setResult(null)} />
      {list.error && <Notice tone="error" className="mb-3">{errorMessage(list.error)}</Notice>}
      <Table<StackRow> label="Stacks" rows={list.data ?? []} rowKey={(s) => s.name} empty={list.isLoading ? 'Loading…' : 'No stacks. A stack is a set of services deployed and removed together.'} columns={columns} />
    </section>
  );
}
