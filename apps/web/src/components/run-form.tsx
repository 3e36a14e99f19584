'use client';
import { Button, Field, inputClass, Notice } from '@berth/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useMemo, useState, type FormEvent } from 'react';
import { emptyRunForm, validateRunForm, type RunForm as Form } from '../lib/run-spec.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { containerHref } from './containers-table.tsx';

/**
 * `docker run` as a form: checked as the user types (a field shows its error once touched,
 * every field on submit), then created and started on the host; the browser goes to the
 * new container's page, following its logs unless detached.
 */
export function RunForm({ host, initialImage = '', hostCpus }: { host: string; initialImage?: string; hostCpus?: number }) {
  const router = useRouter();
  const client = useQueryClient();
  const [form, setForm] = useState<Form>(() => emptyRunForm(initialImage));
  const [touched, setTouched] = useState<Partial<Record<keyof Form, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { errors, spec } = useMemo(() => validateRunForm(form, hostCpus), [form, hostCpus]);
  const images = useQuery({ queryKey: ['images', host, false], queryFn: () => api.images.list.query({ host, all: false }) });
  const tags = (images.data?.images ?? []).flatMap((i) => i.repoTags);

  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setTouched((t) => ({ ...t, [key]: true }));
  };
  const shown = (key: keyof Form) => ((touched[key] || submitted) ? errors[key] ?? null : null);
  const text = (key: 'image' | 'name' | 'command' | 'memory' | 'cpus' | 'maxRetries', props: { placeholder?: string; list?: string } = {}) => (
    <input
      value={form[key]}
      onChange={(e) => set(key, e.target.value)}
      aria-invalid={!!shown(key)}
      spellCheck={false}
      autoComplete="off"
      className={inputClass}
      {...props}
    />
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (!spec) return;
    setBusy(true);
    setError(null);
    try {
      const created = await api.containers.create.mutate({ host, spec, start: true });
      void client.invalidateQueries({ queryKey: ['containers'] });
      router.push(`${containerHref({ host, id: created.id })}${form.detached ? '' : '?attach=1'}`);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Run a container" className="max-w-3xl space-y-4 rounded-lg border border-slate-200 bg-white p-6 dark:border-slate-800 dark:bg-slate-900">
      <Field label="Image" error={shown('image')} hint="repository[:tag] or an image ID from this host" extra={<datalist id="host-images">{tags.map((t) => <option key={t} value={t} />)}</datalist>}>
        {text('image', { placeholder: 'registry:5000/busybox:latest', list: 'host-images' })}
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" error={shown('name')} hint="optional; --name">{text('name', { placeholder: 'web' })}</Field>
        <Field label="Command" error={shown('command')} hint={`optional; split as a shell would: sh -c 'echo hi; sleep 60'`}>{text('command', { placeholder: "sh -c 'echo hello'" })}</Field>
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Environment" error={shown('env')} hint="one NAME=value a line; -e">
          <textarea value={form.env} onChange={(e) => set('env', e.target.value)} aria-invalid={!!shown('env')} rows={3} spellCheck={false} className={`${inputClass} font-mono`} placeholder={'GREETING=hello\nDEBUG=1'} />
        </Field>
        <Field label="Volumes" error={shown('volumes')} hint="one SOURCE:/container/path[:ro] a line; -v">
          <textarea value={form.volumes} onChange={(e) => set('volumes', e.target.value)} aria-invalid={!!shown('volumes')} rows={3} spellCheck={false} className={`${inputClass} font-mono`} placeholder={'/srv/data:/data\ncache:/cache:ro'} />
        </Field>
      </div>
      <div className="grid gap-4 sm:grid-cols-4">
        <Field label="Memory" error={shown('memory')} hint="e.g. 512m; -m">{text('memory', { placeholder: 'no limit' })}</Field>
        <Field label="CPUs" error={shown('cpus')} hint={hostCpus ? `up to ${hostCpus}; --cpus` : '--cpus'}>{text('cpus', { placeholder: 'no limit' })}</Field>
        <Field label="Restart policy" error={shown('restart')}>
          <select value={form.restart} onChange={(e) => set('restart', e.target.value as Form['restart'])} className={inputClass}>
            <option value="no">no</option>
            <option value="on-failure">on-failure</option>
            <option value="always">always</option>
            <option value="unless-stopped">unless-stopped</option>
          </select>
        </Field>
        <Field label="Max retries" error={shown('maxRetries')} hint="on-failure only">{text('maxRetries', { placeholder: 'no limit' })}</Field>
      </div>
      <div className="flex flex-wrap gap-6 text-sm">
        <label className="flex items-center gap-1.5"><input type="checkbox" checked={form.autoRemove} onChange={(e) => set('autoRemove', e.target.checked)} /> Remove when it exits (--rm)</label>
        <label className="flex items-center gap-1.5"><input type="checkbox" checked={form.tty} onChange={(e) => set('tty', e.target.checked)} /> Allocate a TTY (-t)</label>
        <label className="flex items-center gap-1.5"><input type="checkbox" checked={form.detached} onChange={(e) => set('detached', e.target.checked)} /> Detached (-d)</label>
      </div>
      {shown('autoRemove') && <p role="alert" className="text-xs text-rose-600">{shown('autoRemove')}</p>}
      {!form.detached && <p className="text-xs text-slate-500">Not detached: the container page opens following its output.</p>}
      {error && <Notice tone="error">{error}</Notice>}
      <div className="flex items-center gap-3">
        <Button type="submit" variant="primary" disabled={busy || (submitted && !spec)}>{busy ? 'Starting…' : 'Run'}</Button>
        <span className="text-xs text-slate-500">on {host}</span>
      </div>
    </form>
  );
}
