import type { ReactNode } from 'react';

export interface Column<T> { key: string; header: string; cell: (row: T) => ReactNode; className?: string }

export function Table<T>({ columns, rows, rowKey, empty, label }: { columns: Column<T>[]; rows: T[]; rowKey: (row: T) => string; empty: ReactNode; label: string }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <table aria-label={label} className="w-full text-left text-sm">
        <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-800/50 dark:text-slate-400">
          <tr>{columns.map((c) => <th key={c.key} scope="col" className={`px-4 py-2 font-medium ${c.className ?? ''}`}>{c.header}</th>)}</tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {rows.length === 0 ? (
            <tr><td colSpan={columns.length} className="px-4 py-8 text-center text-slate-500">{empty}</td></tr>
          ) : (
            rows.map((r) => <tr key={rowKey(r)}>{columns.map((c) => <td key={c.key} className={`px-4 py-2 ${c.className ?? ''}`}>{c.cell(r)}</td>)}</tr>)
          )}
        </tbody>
      </table>
    </div>
  );
}
