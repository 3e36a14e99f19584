import { cloneElement, useId, type ReactElement, type ReactNode } from 'react';

type Control = ReactElement<{ id?: string; 'aria-describedby'?: string }>;

/**
 * A labelled form control with its hint, or its error as the user types. The label points at
 * the control (not wrapping it), so that the control's accessible name is the label alone and
 * the hint or error is its description.
 */
export function Field({ label, error, hint, children, extra, className = '' }: { label: string; error?: string | null; hint?: ReactNode; children: Control; extra?: ReactNode; className?: string }) {
  const id = useId();
  const note = `${id}-note`;
  const described = error || hint;
  return (
    <div className={`text-sm ${className}`}>
      <label htmlFor={id} className="mb-1 block font-medium text-slate-700 dark:text-slate-300">{label}</label>
      {cloneElement(children, { id, ...(described ? { 'aria-describedby': note } : {}) })}
      {extra}
      {error ? <span id={note} className="mt-1 block text-xs text-rose-600" role="alert">{error}</span> : hint ? <span id={note} className="mt-1 block text-xs text-slate-500">{hint}</span> : null}
    </div>
  );
}

/** The input style the forms share, without a width. */
export const inputBase = 'rounded-md border border-slate-300 bg-transparent px-3 py-1.5 text-sm dark:border-slate-700 aria-[invalid=true]:border-rose-500';
/** The same, filling its column. */
export const inputClass = `w-full ${inputBase}`;
