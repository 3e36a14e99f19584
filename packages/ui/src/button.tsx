import type { ButtonHTMLAttributes } from 'react';

const VARIANT = {
  primary: 'border-sky-700 bg-sky-700 text-white hover:bg-sky-800',
  secondary: 'border-slate-300 bg-white text-slate-700 hover:bg-slate-100 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-800',
  danger: 'border-rose-300 bg-white text-rose-700 hover:bg-rose-50 dark:border-rose-800 dark:bg-slate-900 dark:text-rose-400 dark:hover:bg-rose-950',
} as const;

/** A button in one of three tones; `size="sm"` for the actions inside table rows. */
export function Button({ variant = 'secondary', size = 'md', className = '', type = 'button', ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: keyof typeof VARIANT; size?: 'sm' | 'md' }) {
  const pad = size === 'sm' ? 'px-2 py-0.5 text-xs' : 'px-3 py-1.5 text-sm';
  return <button type={type} className={`rounded-md border font-medium disabled:cursor-not-allowed disabled:opacity-50 ${pad} ${VARIANT[variant]} ${className}`} {...rest} />;
}
