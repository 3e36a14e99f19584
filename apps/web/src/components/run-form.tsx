'use client';
import { Button, Field, inputClass, Notice } from '@berth/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useMemo, useState, type FormEvent } from 'react';
import { hasRole, useHostRole } from '../lib/roles.ts';
import { emptyRunForm, validateRunForm, type RunForm as Form } from '../lib/run-spec.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { containerHref } from './containers-table.tsx';
import { refresh } from '../lib/refresh.ts';

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
  const networks = useQuery({ queryKey: ['networks', host], queryFn: () => api.networks.list.query({ host }) });
  const bridges = (networks.data?.networks ?? []).filter((n) => n.driver === 'bridge');
  const hostDefault = networks.data ? (bridges.some((n) => n.name === 'bridge') ? 'bridge' : 'none') : null;
  // --network host hands the container every service the host keeps on 127.0.0.1: admins only (the server checks again)
  const admin = hasRole(useHostRole(host), 'admin');

  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setTouched((t) => ({ ...t, [key]: true }));
  };
  const shown = (key: keyof Form) => ((touched[key] || submitted) ? errors[key] ?? null : null);
  const text = (key: 'image' | 'name' | 'command' | 'memory' | 'cpus' | 'maxRetries' | 'networkAliases' | 'expose' | 'dns' | 'healthCmd' | 'healthInterval' | 'healthTimeout' | 'healthStartPeriod' | 'healthRetries', props: { placeholder?: string; list?: string; className?: string } = {}) => (
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
  const lines = (key: 'publish' | 'addHost', placeholder: string) => (
    <textarea value={form[key]} onChange={(e) => set(key, e.target.value)} aria-invalid={!!shown(key)} rows={2} spellCheck={false} className={`${inputClass} font-mono`} placeholder={placeholder} />
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (!spec) return;
    setBusy(true);
    setError(null);
    try {
      const created = await api.containers.create.mutate({ host, spec, start: true });
      void refresh(client, ['containers']);
      // not detached: the page follows its output, or with -it attaches its terminal (the run was detached all the same: stdin stays open)
      router.push(`${containerHref({ host, id: created.id })}${form.detached ? '' : form.interactive && form.tty ? '?attach=1#terminal' : '?attach=1'}`);
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
      <fieldset className="space-y-4 rounded-md border border-slate-200 p-4 dark:border-slate-800">
        <legend className="px-1 text-sm font-medium">Networking</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Network" error={shown('network')} hint={networks.error ? `networks unavailable: ${errorMessage(networks.error)}` : '--network; user-defined networks give containers names they can reach each other by'}>
            <select value={form.network} onChange={(e) => set('network', e.target.value)} className={inputClass}>
              <option value="">{hostDefault ? `host default (${hostDefault})` : 'host default'}</option>
              {bridges.map((n) => <option key={n.id} value={n.name}>{n.name}{n.subnet ? ` (${n.subnet})` : ''}</option>)}
              <option value="host" disabled={!admin}>host{admin ? '' : ' (admins only)'}</option>
              <option value="none">none</option>
            </select>
          </Field>
          <Field label="Network aliases" error={shown('networkAliases')} hint="optional; more names on a user-defined network; --network-alias">{text('networkAliases', { placeholder: 'api db', className: `${inputClass} font-mono` })}</Field>
        </div>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Publish ports" error={shown('publish')} hint="one [IP:][HOSTPORT:]CONTAINERPORT[/udp] a line; -p">{lines('publish', '8080:80\n127.0.0.1:5353:53/udp')}</Field>
          <Field label="Expose ports" error={shown('expose')} hint="optional; ports -P publishes besides the image's; --expose">{text('expose', { placeholder: '80 443', className: `${inputClass} font-mono` })}</Field>
        </div>
        <label className="flex items-center gap-1.5 text-sm"><input type="checkbox" checked={form.publishAll} onChange={(e) => set('publishAll', e.target.checked)} /> Publish all exposed ports to free host ports (-P)</label>
        {shown('publishAll') && <p role="alert" className="text-xs text-rose-600">{shown('publishAll')}</p>}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="DNS servers" error={shown('dns')} hint="optional; IPv4 addresses; --dns">{text('dns', { placeholder: '10.0.0.2', className: `${inputClass} font-mono` })}</Field>
          <Field label="Extra hosts" error={shown('addHost')} hint="one NAME:IP a line, added to /etc/hosts; --add-host">{lines('addHost', 'db.local:10.0.0.5')}</Field>
        </div>
      </fieldset>
      <fieldset className="space-y-4 rounded-md border border-slate-200 p-4 dark:border-slate-800">
        <legend className="px-1 text-sm font-medium">Healthcheck</legend>
        <Field label="Health command" error={shown('healthCmd')} hint="optional; run in the container by /bin/sh -c, exit 0 = healthy; --health-cmd (else the image's HEALTHCHECK)">
          {text('healthCmd', { placeholder: 'wget -q -O /dev/null http://localhost/ || exit 1', className: `${inputClass} font-mono` })}
        </Field>
        <div className="grid gap-4 sm:grid-cols-4">
          <Field label="Interval" error={shown('healthInterval')} hint="default 30s">{text('healthInterval', { placeholder: '30s' })}</Field>
          <Field label="Timeout" error={shown('healthTimeout')} hint="default 30s">{text('healthTimeout', { placeholder: '30s' })}</Field>
          <Field label="Start period" error={shown('healthStartPeriod')} hint="failures do not count; default 0s">{text('healthStartPeriod', { placeholder: '0s' })}</Field>
          <Field label="Retries" error={shown('healthRetries')} hint="failures to unhealthy; default 3">{text('healthRetries', { placeholder: '3' })}</Field>
        </div>
        <label className="flex items-center gap-1.5 text-sm"><input type="checkbox" checked={form.noHealthcheck} onChange={(e) => set('noHealthcheck', e.target.checked)} /> No healthcheck, not even the image's (--no-healthcheck)</label>
        {shown('noHealthcheck') && <p role="alert" className="text-xs text-rose-600">{shown('noHealthcheck')}</p>}
      </fieldset>
      <div className="flex flex-wrap gap-6 text-sm">
        <label className="flex items-center gap-1.5"><input type="checkbox" checked={form.autoRemove} onChange={(e) => set('autoRemove', e.target.checked)} /> Remove when it exits (--rm)</label>
        <label className="flex items-center gap-1.5"><input type="checkbox" checked={form.interactive} onChange={(e) => set('interactive', e.target.checked)} aria-describedby="run-stdin-hint" /> Interactive (-i)</label>
        <label className="flex items-center gap-1.5"><input type="checkbox" checked={form.tty} onChange={(e) => set('tty', e.target.checked)} aria-describedby="run-stdin-hint" /> Terminal (-t)</label>
        <label className="flex items-center gap-1.5"><input type="checkbox" checked={form.detached} onChange={(e) => set('detached', e.target.checked)} /> Detached (-d)</label>
        {/* on a host that remaps user ids, this gives the container the host's root: admins only (the server checks again) */}
        <label className="flex items-center gap-1.5" title="on a host with user namespace remapping, the container's root is then the host's root">
          <input type="checkbox" checked={form.usernsHost} disabled={!admin} onChange={(e) => set('usernsHost', e.target.checked)} /> No user namespace remapping (--userns=host){admin ? '' : ' (admins only)'}
        </label>
      </div>
      {shown('autoRemove') && <p role="alert" className="text-xs text-rose-600">{shown('autoRemove')}</p>}
      <p id="run-stdin-hint" className="text-xs text-slate-500">
        {form.interactive && form.tty
          ? 'Interactive with a terminal (-it): the container page’s Terminal can attach to its main process and type into it, e.g. a shell; detaching leaves it running.'
          : form.interactive
          ? 'Interactive (-i) keeps its stdin open; add Terminal (-t) to type into it from the container page.'
          : form.tty
          ? 'Terminal (-t) gives it a terminal; attaching shows it, add Interactive (-i) to type into it too.'
          : '-i keeps stdin open, -t gives the container a terminal: together they let you attach to a shell from the container page.'}
      </p>
      {!form.detached && <p className="text-xs text-slate-500">{form.interactive && form.tty ? 'Not detached: the container page opens attached to its terminal.' : 'Not detached: the container page opens following its output.'}</p>}
      {error && <Notice tone="error">{error}</Notice>}
      <div className="flex items-center gap-3">
        <Button type="submit" variant="primary" disabled={busy || (submitted && !spec)}>{busy ? 'Starting…' : 'Run'}</Button>
        <span className="text-xs text-slate-500">on {host}</span>
      </div>
    </form>
  );
}
