'use client';
import { Notice } from '@berth/ui';

/** What a create, remove or prune in a list panel said, line by line as docker prints it. */
export type Result = { tone: 'info' | 'error'; lines: string[] };

/** The last result above a list panel's table, until dismissed or replaced. */
export function ResultNotice({ result, onDismiss }: { result: Result | null; onDismiss: () => void }) {
  if (!result) return null;
  return (
    <Notice tone={result.tone} className="mb-3">
      <div className="flex items-start justify-between gap-3">
        <pre className="whitespace-pre-wrap font-mono text-xs">{result.lines.join('\n')}</pre>
        <button type="button" aria-label="Dismiss" onClick={onDismiss} className="text-xs opacity-70 hover:opacity-100">✕</button>
      </div>
    </Notice>
  );
}
