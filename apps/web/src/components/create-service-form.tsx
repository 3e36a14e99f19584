'use client';
import { Button, Field, inputClass, Notice } from '@berth/ui';
import { useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useMemo, useState, type FormEvent } from 'react';
import { emptyServiceForm, validateServiceForm, type ServiceForm } from '../lib/service-form.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { TeamSelect, useTeamsWith } from './team-select.tsx';
import { refresh } from '../lib/refresh.ts';

export const serviceHref = (name: string) => `/services/${encodeURIComponent(name)}`;

/**
 * `berth service create` as a form: checked as the user types (a field shows its error once
 * touched, every field on submit), then created; the browser goes to the service's page to
 * watch its replicas come up.
 */
export function CreateServiceForm({ onCancel }: { onCancel: () => void }) {
  const router = useRouter();
  const client = useQueryClient();
  const [form, setForm] = useState<ServiceForm>(emptyServiceForm);
  const [touched, setTouched] = useState<Partial<Record<keyof ServiceForm, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { errors, spec } = useMemo(() => validateServiceForm(form), [form]);
  // the team that will own it: asked only of a user who could create in several
  const teams = useTeamsWith('operator');
  const [team, setTeam] = useState('');

  const set = <K extends keyof ServiceForm>(key: K, value: ServiceForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setTouched((t) => ({ ...t, [key]: true }));
  };
  const shown = (key: keyof ServiceForm) => ((touched[key] || submitted) ? errors[key] ?? null : null);
  const text = (key: 'name' | 'image' | 'command' | 'replicas' | 'parallelism', props: { placeholder?: string; inputMode?: 'numeric'; className?: string } = {}) => (
    <input value={form[key]} onChange={(e) => set(key, e.target.value)} aria-invalid={!!shown(key)} spellCheck={false} autoComplete="off" className={inputClass} {...props} />
  );
  const lines = (key: 'env' | 'publish' | 'constraints' | 'secrets' | 'configs', placeholder: string) => (
    <textarea value={form[key]} onChange={(e) => set(key, e.target.value)} aria-invalid={!!shown(key)} rows={2} spellCheck={false} placeholder={placeholder} className={`${inputClass} font-mono`} />
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (!spec) return;
    setBusy(true);
    setError(null);
    try {
      const created = await api.services.create.mutate({ spec, ...(teams.length > 1 && team ? { team } : {}) });
      void refresh(client, ['services']);
      router.push(serviceHref(created.name));
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Create a service" className="mb-6 max-w-3xl space-y-4 rounded-lg border border-slate-200 bg-white p-6 dark:border-slate-800 dark:bg-slate-900">
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" error={shown('name')} hint="replicas are named NAME.SLOT.ID">{text('name', { placeholder: 'web' })}</Field>
        <Field label="Image" error={shown('image')} hint="repository[:tag]; hosts pull it when they lack it">{text('image', { placeholder: 'registry:5000/busybox:latest' })}</Field>
      </div>
      {teams.length > 1 && (
        <Field label="Team" hint="the team that owns it: its replicas run only on the team's hosts, with the team's secrets" className="max-w-xs">
          <TeamSelect value={team} onChange={setTeam} role="operator" />
        </Field>
      )}
      <Field label="Command" error={shown('command')} hint={`optional; split as a shell would: sh -c 'httpd -f -p 80'`}>{text('command', { placeholder: 'sleep 1000' })}</Field>
      <fieldset className="rounded-md border border-slate-200 p-4 dark:border-slate-800">
        <legend className="px-1 text-sm font-medium">Mode</legend>
        <div className="flex flex-wrap items-start gap-6">
          <div className="space-y-2 pt-1 text-sm">
            <label className="flex items-center gap-1.5"><input type="radio" name="service-mode" checked={form.mode === 'replicated'} onChange={() => set('mode', 'replicated')} /> Replicated: a number of replicas</label>
            <label className="flex items-center gap-1.5"><input type="radio" name="service-mode" checked={form.mode === 'global'} onChange={() => set('mode', 'global')} /> Global: one on every eligible host</label>
          </div>
          {form.mode === 'replicated' && <Field label="Replicas" error={shown('replicas')} hint="0 to 10000" className="w-32">{text('replicas', { inputMode: 'numeric' })}</Field>}
        </div>
      </fieldset>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Environment" error={shown('env')} hint="one NAME=value a line; -e">{lines('env', 'GREETING=hello')}</Field>
        <Field label="Publish ports" error={shown('publish')} hint="one [IP:][HOSTPORT:]CONTAINERPORT[/udp] a line; -p">{lines('publish', '8080:80')}</Field>
      </div>
      <Field label="Constraints" error={shown('constraints')} hint="one a line, all must hold: node.labels.KEY==VALUE, node.hostname!=NAME, node.platform.arch==x86_64; --constraint">
        {lines('constraints', 'node.labels.zone==eu')}
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Secrets" error={shown('secrets')} hint={<>one name a line, mounted at /run/secrets/NAME; made on the <a href="/secrets" className="underline">Secrets page</a></>}>{lines('secrets', 'db_password')}</Field>
        <Field label="Configs" error={shown('configs')} hint="one name a line, mounted at /NAME">{lines('configs', 'app_conf')}</Field>
      </div>
      <fieldset className="rounded-md border border-slate-200 p-4 dark:border-slate-800">
        <legend className="px-1 text-sm font-medium">Rolling updates</legend>
        <div className="grid gap-4 sm:grid-cols-3">
          <Field label="Parallelism" error={shown('parallelism')} hint="replicas replaced at once; 0: all">{text('parallelism', { inputMode: 'numeric' })}</Field>
          <Field label="Order">
            <select value={form.order} onChange={(e) => set('order', e.target.value as ServiceForm['order'])} className={inputClass}>
              <option value="stop-first">stop-first</option>
              <option value="start-first">start-first</option>
            </select>
          </Field>
          <Field label="On failure" hint="rollback puts the previous version back">
            <select value={form.failureAction} onChange={(e) => set('failureAction', e.target.value as ServiceForm['failureAction'])} className={inputClass}>
              <option value="rollback">rollback</option>
              <option value="pause">pause</option>
              <option value="continue">continue</option>
            </select>
          </Field>
        </div>
      </fieldset>
      {error && <Notice tone="error">{error}</Notice>}
      <div className="flex items-center gap-3">
        <Button type="submit" variant="primary" disabled={busy || (submitted && !spec)}>{busy ? 'Creating…' : 'Create service'}</Button>
        <Button onClick={onCancel} disabled={busy}>Cancel</Button>
      </div>
    </form>
  );
}
