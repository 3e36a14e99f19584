import type { ReactNode } from 'react';

export interface Tab { id: string; label: ReactNode }

/** A row of tabs (ARIA tablist); the caller keeps the selection and renders the panel. */
export function Tabs({ tabs, selected, onSelect, label }: { tabs: Tab[]; selected: string; onSelect: (id: string) => void; label: string }) {
  return (
    <div role="tablist" aria-label={label} className="mb-4 flex gap-1 border-b border-slate-200 dark:border-slate-800">
      {tabs.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          id={`tab-${t.id}`}
          aria-selected={t.id === selected}
          aria-controls={`panel-${t.id}`}
          onClick={() => onSelect(t.id)}
          className={`-mb-px border-b-2 px-3 py-2 text-sm ${t.id === selected ? 'border-sky-600 font-medium text-sky-700 dark:text-sky-400' : 'border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100'}`}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
