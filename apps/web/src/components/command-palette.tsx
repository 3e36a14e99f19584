'use client';
import { inputBase } from '@berth/ui';
import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { fuzzyFilter } from '../lib/fuzzy.ts';
import { api } from '../lib/trpc.ts';
import { useDebounced } from '../lib/use-debounced.ts';
import { useOnlineHosts } from '../lib/use-online-hosts.ts';
import { containerHref } from './containers-table.tsx';

export interface PaletteItem {
  id: string;
  label: string;
  /** what kind of thing it is, shown on the right */
  group: 'Page' | 'Action' | 'Host' | 'Container';
  hint?: string;
  href: string;
  /** the form to focus once there (its aria-label) */
  form?: string;
}

const PAGES: Array<[string, string]> = [
  ['Hosts', '/'], ['Containers', '/containers'], ['Images', '/images'], ['Volumes', '/volumes'], ['Networks', '/networks'],
  ['Services', '/services'], ['Stacks', '/stacks'], ['Registries', '/registries'], ['Audit log', '/audit'], ['Add host', '/add-host'],
];

/** After navigating, the form an action opened is focused when it appears (or not, after 5 s). */
export function focusFormSoon(form: string): void {
  const until = Date.now() + 5000;
  const look = () => {
    const f = document.querySelector(`form[aria-label="${CSS.escape(form)}"]`);
    const field = f?.querySelector<HTMLElement>('input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])');
    if (field) {
      f!.scrollIntoView({ block: 'start' });
      field.focus();
    } else if (Date.now() < until) requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}

/**
 * Ctrl+K: a search over pages, actions, hosts and containers (these from containers.search as
 * the user types). A modal dialog holding a combobox and its listbox: arrows move, Enter goes,
 * Esc closes, Tab stays inside; focus returns to where it was.
 */
export function CommandPalette({ onClose }: { onClose: () => void }) {
  const router = useRouter();
  const id = useId();
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const online = useOnlineHosts();
  const hosts = useQuery({ queryKey: ['hosts'], queryFn: () => api.hosts.list.query() });
  const typed = useDebounced(text.trim(), 150);
  const containers = useQuery({
    queryKey: ['containers', 'palette', typed],
    queryFn: () => api.containers.search.query({ text: typed, limit: 10, sort: 'name', hosts: 'none' }),
    enabled: typed.length >= 2,
  });

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    input.current?.focus();
    return () => before?.focus?.();
  }, []);

  const items = useMemo(() => {
    const run = online[0];
    const fixed: PaletteItem[] = [
      ...PAGES.map(([label, href]): PaletteItem => ({ id: `page:${href}`, label, group: 'Page', href })),
      ...(run ? [{ id: 'action:run', label: 'Run container…', group: 'Action' as const, hint: `on ${run}`, href: `/hosts/${encodeURIComponent(run)}/run`, form: 'Run a container' }] : []),
      { id: 'action:pull', label: 'Pull image…', group: 'Action', href: '/images', form: 'Pull an image' },
      { id: 'action:deploy', label: 'Deploy stack…', group: 'Action', href: '/stacks', form: 'Deploy a stack' },
      ...(hosts.data ?? []).map((h): PaletteItem => ({ id: `host:${h.name}`, label: h.name, group: 'Host', hint: h.status, href: `/hosts/${encodeURIComponent(h.name)}` })),
    ];
    const found = fuzzyFilter(text, fixed, (i) => i.label).slice(0, 12);
    const matching = typed.length >= 2 && typed === text.trim() ? (containers.data?.rows ?? []) : [];
    return [...found, ...matching.map((c): PaletteItem => ({ id: `container:${c.host}/${c.id}`, label: c.name, group: 'Container', hint: `${c.host} · ${c.state}`, href: containerHref(c) }))];
  }, [text, typed, online, hosts.data, containers.data]);

  useEffect(() => setActive(0), [text]);
  const current = items[Math.min(active, items.length - 1)];

  const go = (item: PaletteItem | undefined) => {
    if (!item) return;
    onClose();
    router.push(item.href);
    if (item.form) focusFormSoon(item.form);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => (items.length ? (a + step + items.length) % items.length : 0));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      go(current);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      onClose();
    } else if (e.key === 'Tab') {
      e.preventDefault(); // the input is the dialog's one stop: focus stays inside
    }
  };
  const listbox = `${id}-list`;
  const optionId = (i: number) => `${id}-opt-${i}`;
  return (
    <div className="fixed inset-0 z-50 flex items-start justify-center bg-slate-900/40 p-4 pt-[12vh]" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div role="dialog" aria-modal="true" aria-label="Command palette" className="w-full max-w-xl overflow-hidden rounded-lg border border-slate-200 bg-white shadow-xl dark:border-slate-700 dark:bg-slate-900" onKeyDown={onKeyDown}>
        <input
          ref={input}
          role="combobox"
          aria-expanded="true"
          aria-controls={listbox}
          aria-autocomplete="list"
          aria-activedescendant={current ? optionId(items.indexOf(current)) : undefined}
          aria-label="Go to a page, host or container, or run an action"
          placeholder="Go to… (pages, hosts, containers, actions)"
          value={text}
          onChange={(e) => setText(e.target.value)}
          className={`${inputBase} w-full rounded-none border-0 border-b px-4 py-3 text-base focus:outline-none`}
        />
        <ul id={listbox} role="listbox" aria-label="Results" className="max-h-[50vh] overflow-y-auto py-1">
          {items.length === 0 && <li role="presentation" className="px-4 py-3 text-sm text-slate-500">{containers.isFetching ? 'Searching containers…' : 'Nothing matches: try a page name, a host or a container.'}</li>}
          {items.map((item, i) => (
            <li
              key={item.id}
              id={optionId(i)}
              role="option"
              aria-selected={item === current}
              onMouseMove={() => setActive(i)}
              onClick={() => go(item)}
              className={`flex cursor-pointer items-center justify-between gap-3 px-4 py-2 text-sm ${item === current ? 'bg-sky-100 dark:bg-sky-900/50' : ''}`}
            >
              <span className="truncate">{item.label}{item.hint && <span className="ml-2 text-xs text-slate-500">{item.hint}</span>}</span>
              <span className="shrink-0 text-xs text-slate-500">{item.group}</span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
