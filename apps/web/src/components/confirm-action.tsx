'use client';
import { Button } from '@berth/ui';
import { useState, type ReactNode } from 'react';
import { errorMessage } from '../lib/trpc.ts';

/** The server's refusal of an action, shown in place under the buttons that asked for it. */
export function ActionError({ error, className = 'max-w-xs' }: { error: string | null; className?: string | undefined }) {
  return error ? <p role="alert" className={`mt-1 ${className} wrap-anywhere text-xs text-rose-600`}>{error}</p> : null;
}

/**
 * The confirmation step of a destructive action: a group with the same accessible name as the
 * button that opened it, the question naming what will be destroyed, anything that modifies it
 * (`children`, e.g. a force checkbox), then confirm and cancel. Both buttons wait while it is pending.
 */
export function ConfirmStep({ label, question, confirm = 'Confirm remove', pendingText = 'Removing…', pending, onConfirm, onCancel, children }: {
  label: string;
  question: ReactNode;
  confirm?: string | undefined;
  pendingText?: string | undefined;
  pending: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children?: ReactNode;
}) {
  return (
    <div role="group" aria-label={label} className="flex flex-wrap items-center gap-1.5 text-xs">
      <span>{question}</span>
      {children}
      <Button size="sm" variant="danger" disabled={pending} onClick={onConfirm}>{pending ? pendingText : confirm}</Button>
      <Button size="sm" disabled={pending} onClick={onCancel}>Cancel</Button>
    </div>
  );
}

/**
 * One destructive action behind a confirmation (`docker network rm`, `docker volume rm`,
 * `docker network disconnect`): a button named `label`, then the question, the pending state
 * and the server's refusal in place. `action` throws to refuse; `onSettled` runs either way
 * (refreshing what the action may have changed). Cancel forgets the refusal.
 */
export function ConfirmAction({ label, button = 'Remove', danger = true, question, confirm, pendingText, className = 'min-w-40', errorClassName, action, onSettled }: {
  /** the accessible name of the button and of the confirmation group */
  label: string;
  /** the button's text */
  button?: string;
  danger?: boolean;
  question: ReactNode;
  confirm?: string;
  pendingText?: string;
  className?: string;
  errorClassName?: string;
  action: () => Promise<unknown>;
  onSettled?: () => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setPending(true);
    setError(null);
    try {
      await action();
      setConfirming(false);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setPending(false);
      onSettled?.();
    }
  };
  return (
    <div className={className}>
      {confirming ? (
        <ConfirmStep
          label={label}
          question={question}
          confirm={confirm}
          pendingText={pendingText}
          pending={pending}
          onConfirm={() => void run()}
          onCancel={() => { setConfirming(false); setError(null); }}
        />
      ) : (
        <Button size="sm" variant={danger ? 'danger' : 'secondary'} aria-label={label} onClick={() => setConfirming(true)}>{button}</Button>
      )}
      <ActionError error={error} className={errorClassName} />
    </div>
  );
}
