'use client';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { GO_TO, shortcutFor } from '../lib/shortcuts.ts';
import { CommandPalette } from './command-palette.tsx';

/** The help dialog of `?`: every shortcut. Esc or the button closes it; focus returns where it was. */
function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    close.current?.focus();
    return () => before?.focus?.();
  }, []);
  const rows: Array<[string, string]> = [
    ['Ctrl K / ⌘ K', 'Command palette: go to a page, host or container, or run an action'],
    ['/', 'Search on this page'],
    ...GO_TO.map((g): [string, string] => [`g ${g.key}`, `Go to ${g.label}`]),
    ['?', 'This help'],
    ['Esc', 'Close a dialog'],
  ];
  return (
    <div className="fixed inset-0 z-50 flex items-start justify-center bg-slate-900/40 p-4 pt-[12vh]" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="shortcuts-title"
        className="w-full max-w-md rounded-lg border border-slate-200 bg-white p-5 shadow-xl dark:border-slate-700 dark:bg-slate-900"
        onKeyDown={(e) => {
          if (e.key === 'Escape' || e.key === 'Tab') {
            e.preventDefault(); // one button: Tab stays on it
            if (e.key === 'Escape') onClose();
          }
        }}
      >
        <h2 id="shortcuts-title" className="mb-3 text-lg font-semibold">Keyboard shortcuts</h2>
        <table className="w-full text-sm">
          <tbody>
            {rows.map(([k, what]) => (
              <tr key={k}><td className="py-1 pr-4 whitespace-nowrap"><kbd className="rounded border border-slate-300 px-1.5 font-mono text-xs dark:border-slate-600">{k}</kbd></td><td className="py-1">{what}</td></tr>
            ))}
          </tbody>
        </table>
        <p className="mt-3 text-xs text-slate-500">Shortcuts other than Ctrl K do nothing while you type in a field or a terminal.</p>
        <button ref={close} type="button" onClick={onClose} className="mt-4 rounded-md border border-slate-300 px-3 py-1.5 text-sm dark:border-slate-700">Close</button>
      </div>
    </div>
  );
}

/**
 * The dashboard's keyboard: Ctrl+K (Cmd+K) the command palette, `/` the page's search box,
 * `g` then a letter a page, `?` the list of them. Mounted once by the shell.
 */
export function Keyboard() {
  const router = useRouter();
  const [open, setOpen] = useState<'palette' | 'help' | null>(null);
  const pending = useRef<number | null>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      const action = shortcutFor(e as unknown as Parameters<typeof shortcutFor>[0], pending.current, Date.now());
      if (action?.kind !== 'pending') pending.current = null;
      if (!action) return;
      if (action.kind === 'pending') {
        pending.current = Date.now();
        return;
      }
      e.preventDefault();
      if (action.kind === 'go') router.push(action.href);
      else if (action.kind === 'search') {
        const box = document.querySelector<HTMLInputElement>('[data-page-search], main input[type=search]');
        if (box) box.focus();
        else setOpen('palette');
      } else setOpen(action.kind);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [router]);
  if (open === 'palette') return <CommandPalette onClose={() => setOpen(null)} />;
  if (open === 'help') return <ShortcutsHelp onClose={() => setOpen(null)} />;
  return null;
}
