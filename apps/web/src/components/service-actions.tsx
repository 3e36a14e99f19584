'use client';
import { Button, Field, inputClass } from '@berth/ui';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { ServiceDetail } from '../lib/api-types.ts';
import { isConflict } from '../lib/services.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { ActionError, ConfirmAction } from './confirm-action.tsx';
import { refresh as refreshQueries } from '../lib/refresh.ts';

type Refresh = () => void;

/**
 * A write's refusal in place: a change someone else made since the page read the service
 * (409) says so with a reload button, as the version it was made from is stale.
 */
function WriteError({ error, onReload }: { error: unknown; onReload: Refresh }) {
  if (error === null) return null;
  if (isConflict(error)) {
    return (
      <p role="alert" className="mt-1 flex flex-wrap items-center gap-2 text-xs text-rose-600">
        Changed by someone else meanwhile: reload, then make your change again.
        <Button size="sm" onClick={onReload}>Reload</Button>
      </p>
    );
  }
  return <ActionError error={errorMessage(error)} />;
}

/** Runs one write of the service, keeping its pending state and refusal. */
function useWrite(refresh: Refresh) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (write: () => Promise<unknown>): Promise<boolean> => {
    setPending(true);
    setError(null);
    try {
      await write();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setPending(false);
      refresh();
    }
  };
  return { pending, error, run, clear: () => setError(null) };
}

/**
 * What a form edits of the service, and the service as it was when the user began: the write
 * names that version, so that a change someone else made while the user typed is refused (409)
 * rather than overwritten. Until the user types, the field follows the live service.
 */
function useDraft(service: ServiceDetail, pick: (s: ServiceDetail) => string) {
  const [draft, setDraft] = useState<{ value: string; base: ServiceDetail } | null>(null);
  return {
    value: draft?.value ?? pick(service),
    base: draft?.base ?? service,
    edit: (value: string) => setDraft((d) => ({ value, base: d?.base ?? service })),
    reset: () => setDraft(null),
  };
}

/** `docker service scale NAME=N`. */
function ScaleForm({ service, refresh }: { service: ServiceDetail; refresh: Refresh }) {
  const draft = useDraft(service, (s) => String(s.desired ?? 0));
  const write = useWrite(refresh);
  const text = draft.value.trim();
  const n = Number(text);
  const valid = /^\d+$/.test(text) && n <= 10_000;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    if (await write.run(() => api.services.scale.mutate({ name: service.name, replicas: n, expectedVersion: draft.base.version }))) draft.reset();
  };
  return (
    <form onSubmit={submit} aria-label={`Scale ${service.name}`} className="min-w-48">
      <div className="flex items-end gap-2">
        <Field label="Replicas" error={text && !valid ? 'a whole number from 0 to 10000' : null} className="w-24">
          <input type="number" min={0} max={1000} value={draft.value} onChange={(e) => { draft.edit(e.target.value); write.clear(); }} aria-invalid={!!text && !valid} className={inputClass} />
        </Field>
        <Button type="submit" disabled={write.pending || !valid || n === draft.base.desired}>{write.pending ? 'Scaling…' : 'Scale'}</Button>
      </div>
      <WriteError error={write.error} onReload={() => { write.clear(); draft.reset(); refresh(); }} />
    </form>
  );
}

/** `docker service update --image`: the spec the user began from, with the new image (a rolling update). */
function UpdateImageForm({ service, refresh }: { service: ServiceDetail; refresh: Refresh }) {
  const draft = useDraft(service, (s) => s.spec.image);
  const write = useWrite(refresh);
  const ref = draft.value.trim();
  const bad = !ref ? 'an image is needed' : /\s/.test(ref) ? 'an image reference has no blanks' : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (bad) return;
    const { base } = draft;
    if (await write.run(() => api.services.update.mutate({ name: service.name, spec: { ...base.spec, image: ref }, expectedVersion: base.version }))) draft.reset();
  };
  return (
    <form onSubmit={submit} aria-label={`Update the image of ${service.name}`} className="min-w-72 flex-1">
      <div className="flex items-end gap-2">
        <Field label="Image" error={draft.value && bad ? bad : null} className="flex-1">
          <input value={draft.value} onChange={(e) => { draft.edit(e.target.value); write.clear(); }} aria-invalid={!!draft.value && !!bad} spellCheck={false} autoComplete="off" className={`${inputClass} font-mono`} />
        </Field>
        <Button type="submit" disabled={write.pending || !!bad || ref === draft.base.spec.image}>{write.pending ? 'Updating…' : 'Update image'}</Button>
      </div>
      <WriteError error={write.error} onReload={() => { write.clear(); draft.reset(); refresh(); }} />
    </form>
  );
}

/** Scale (replicated services), update the image, roll back, remove. */
export function ServiceActions({ service, refresh, onRemoved }: { service: ServiceDetail; refresh: Refresh; onRemoved: () => void }) {
  const live = service.replicas.filter((r) => r.desired === 'running').length;
  const client = useQueryClient();
  return (
    <section aria-label="Service actions" className="mb-6 flex flex-wrap items-start gap-6 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      {service.mode === 'replicated' && <ScaleForm service={service} refresh={refresh} />}
      <UpdateImageForm service={service} refresh={refresh} />
      <div className="flex flex-wrap items-start gap-3 pt-6">
        {service.version > 1 && (
          <ConfirmAction
            label={`Roll back ${service.name}`}
            button="Roll back"
            danger={false}
            question={`Put the previous version of ${service.name} back?`}
            confirm="Confirm rollback"
            pendingText="Rolling back…"
            action={() => api.services.rollback.mutate({ name: service.name })}
            onSettled={refresh}
          />
        )}
        <ConfirmAction
          label={`Remove ${service.name}`}
          question={`Remove the service ${service.name} and its ${live} replica${live === 1 ? '' : 's'}?`}
          action={async () => {
            await api.services.remove.mutate({ name: service.name });
            void refreshQueries(client, ['services']);
            onRemoved();
          }}
        />
      </div>
    </section>
  );
}
