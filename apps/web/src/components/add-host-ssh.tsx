'use client';
import { Button, Field, inputClass, Notice } from '@berth/ui';
import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { TeamSelect } from './team-select.tsx';
import { api, errorMessage } from '../lib/trpc.ts';
import { refresh } from '../lib/refresh.ts';

type AddEvent = Parameters<NonNullable<Parameters<typeof api.hosts.addOverSshProgress.subscribe>[1]['onData']>>[0];
type Step = Extract<AddEvent, { type: 'step' }>['step'];
type HostKey = Extract<AddEvent, { type: 'host-key' }>;
type Phase = 'form' | 'running' | 'host-key' | 'done' | 'failed';
interface Secrets { password?: string; privateKey?: string; passphrase?: string }

/** A berth host name from an address, as the CLI makes it: web-1.example.com → web-1, 192.0.2.10 → host-192-0-2-10. */
export function defaultHostName(host: string): string {
  const h = host.trim();
  if (!h) return '';
  if (/^[0-9.]+$/.test(h) || h.includes(':')) return `host-${h.replace(/[^0-9a-fA-F]+/g, '-').toLowerCase()}`.replace(/-+$/, '').slice(0, 63);
  return (h.split('.')[0] ?? h).toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'host';
}

/** The URL agents dial on this control plane, from the dashboard's own address. */
const agentUrlHere = () => `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/agent`;

const MARK: Record<Step['status'], { sign: string; className: string; text: string }> = {
  running: { sign: '…', className: 'text-sky-700 dark:text-sky-400', text: 'running' },
  done: { sign: '✓', className: 'text-emerald-700 dark:text-emerald-400', text: 'done' },
  failed: { sign: '✗', className: 'text-rose-700 dark:text-rose-400', text: 'failed' },
};

interface StepState { step: Step; lines: string[] }

/** The steps as a checklist: one line per step, its state, its result or its latest progress lines. */
function Checklist({ steps }: { steps: StepState[] }) {
  if (!steps.length) return <p role="status" className="text-sm text-slate-500">Connecting…</p>;
  return (
    <ol aria-label="Installation steps" className="space-y-1.5 text-sm">
      {steps.map(({ step, lines }) => {
        const m = MARK[step.status];
        return (
          <li key={step.n} data-status={step.status} className="grid grid-cols-[1.5rem_1fr] gap-x-2">
            <span aria-hidden className={`font-semibold ${m.className}`}>{m.sign}</span>
            <span>
              <span className="text-slate-500">[{step.n}/{step.total}]</span> {step.title} <span className={`text-xs ${m.className}`}>{m.text}</span>
              {step.status !== 'running' && step.detail && <span className={`block text-xs ${step.status === 'failed' ? 'text-rose-700 dark:text-rose-400' : 'text-slate-500'}`}>{step.detail}</span>}
              {step.status === 'running' && lines.length > 0 && (
                <code className="mt-1 block whitespace-pre-wrap break-all rounded bg-slate-100 px-2 py-1 text-xs text-slate-600 dark:bg-slate-800 dark:text-slate-300">{lines.slice(-5).join('\n')}</code>
              )}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

/**
 * Installs the agent on a machine over SSH from the control plane: the form, then the steps as
 * they happen. The password or key goes to the server in the mutation's body only; here it lives
 * in this component's state (never in storage or a URL), kept only while a host key waits to be
 * accepted, and emptied once the install has ended.
 */
export function AddHostSsh() {
  const client = useQueryClient();
  const [address, setAddress] = useState('');
  const [port, setPort] = useState('22');
  const [username, setUsername] = useState('root');
  const [method, setMethod] = useState<'password' | 'key'>('password');
  const [secrets, setSecrets] = useState<Secrets>({});
  const [hostName, setHostName] = useState('');
  const [team, setTeam] = useState('');
  const [nameEdited, setNameEdited] = useState(false);
  const [controlPlaneUrl, setControlPlaneUrl] = useState('');
  const [allowInsecure, setAllowInsecure] = useState(false);
  const [phase, setPhase] = useState<Phase>('form');
  const [steps, setSteps] = useState<StepState[]>([]);
  const [hostKey, setHostKey] = useState<HostKey | null>(null);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string; host?: string } | null>(null);
  const [operationId, setOperationId] = useState<string | null>(null);
  const sub = useRef<{ unsubscribe(): void } | null>(null);

  useEffect(() => {
    setControlPlaneUrl(agentUrlHere());
    setAllowInsecure(window.location.protocol !== 'https:');
    return () => sub.current?.unsubscribe();
  }, []);

  const name = nameEdited ? hostName : defaultHostName(address);

  const onEvent = (e: AddEvent) => {
    if (e.type === 'step') {
      const s = e.step;
      setSteps((prev) => {
        const i = prev.findIndex((p) => p.step.n === s.n);
        const before = i >= 0 ? prev[i]! : { step: s, lines: [] };
        // a 'running' event with a detail is a progress line of its step
        const lines = s.status === 'running' && s.detail ? [...before.lines, s.detail].slice(-50) : before.lines;
        const next = i >= 0 ? prev.slice() : [...prev, before];
        next[i >= 0 ? i : next.length - 1] = { step: s.status === 'running' ? { ...s, detail: undefined } : s, lines };
        return next.sort((a, b) => a.step.n - b.step.n);
      });
      return;
    }
    sub.current?.unsubscribe();
    sub.current = null;
    setOperationId(null);
    if (e.type === 'host-key') {
      // the credentials stay in this component's state for "Accept and continue"
      setHostKey(e);
      setPhase('host-key');
      return;
    }
    setSecrets({});
    if (e.type === 'done') {
      setPhase('done');
      setOutcome({ ok: true, text: `Host ${e.host.name} is enrolled; its host key ${e.fingerprint} was verified.`, host: e.host.name });
      void refresh(client, ['hosts']);
    } else {
      setPhase('failed');
      setOutcome({ ok: false, text: e.message });
    }
  };

  const start = async (knownHostKey?: string) => {
    setSteps([]);
    setOutcome(null);
    setHostKey(null);
    setPhase('running');
    const auth = method === 'password' ? { password: secrets.password ?? '' } : { privateKey: secrets.privateKey ?? '', ...(secrets.passphrase ? { passphrase: secrets.passphrase } : {}) };
    try {
      const { operationId: id } = await api.hosts.addOverSsh.mutate({
        address: address.trim(),
        port: Number(port),
        username: username.trim(),
        ...auth,
        ...(knownHostKey ? { knownHostKey } : {}),
        hostName: name,
        ...(team ? { team } : {}),
        controlPlaneUrl: controlPlaneUrl.trim(),
        allowInsecure,
      });
      setOperationId(id);
      let ended = false;
      sub.current = api.hosts.addOverSshProgress.subscribe({ operationId: id }, {
        onData: (e) => {
          if (e.type !== 'step') ended = true;
          onEvent(e);
        },
        onError: (err) => {
          ended = true;
          setSecrets({});
          setOperationId(null);
          setPhase('failed');
          setOutcome({ ok: false, text: `lost the installation's progress: ${errorMessage(err)}` });
        },
        onComplete: () => {
          if (ended) return;
          setSecrets({});
          setOperationId(null);
          setPhase('failed');
          setOutcome({ ok: false, text: 'the progress stream ended without a result: see the audit log and the host' });
        },
      });
    } catch (err) {
      // refused before anything started (input, role, another install running): the form stays filled in
      setPhase('form');
      setOutcome({ ok: false, text: errorMessage(err) });
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void start();
  };

  const cancel = async () => {
    if (operationId) await api.hosts.cancelAddOverSsh.mutate({ operationId }).catch(() => {});
  };

  const reject = () => {
    setSecrets({});
    setHostKey(null);
    setPhase('form');
    setOutcome({ ok: false, text: 'Host key not accepted: nothing was installed. Enter the password or key again to retry.' });
  };

  const again = () => {
    setPhase('form');
    setSteps([]);
  };

  const busy = phase === 'running' || phase === 'host-key';
  const hasAuth = method === 'password' ? !!secrets.password : !!secrets.privateKey?.trim();
  const canSubmit = !busy && !!address.trim() && !!username.trim() && !!name && !!controlPlaneUrl.trim() && /^\d+$/.test(port) && hasAuth;
  const insecureNeeded = controlPlaneUrl.startsWith('ws://');

  return (
    <>
      {phase === 'form' && (
          <form onSubmit={submit} aria-label="Add host over SSH" autoComplete="off" className="mb-4 max-w-3xl space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
            <div className="grid grid-cols-[1fr_6rem_10rem] gap-3">
              <Field label="Address" hint="the machine's host name or IP address (Debian 12 with systemd)">
                <input value={address} onChange={(e) => setAddress(e.target.value)} required spellCheck={false} placeholder="192.0.2.10" className={inputClass} />
              </Field>
              <Field label="Port">
                <input value={port} onChange={(e) => setPort(e.target.value)} required inputMode="numeric" pattern="\d{1,5}" className={inputClass} />
              </Field>
              <Field label="Username" hint="root, or a user with passwordless sudo">
                <input value={username} onChange={(e) => setUsername(e.target.value)} required spellCheck={false} className={inputClass} />
              </Field>
            </div>
            <fieldset className="text-sm">
              <legend className="mb-1 font-medium text-slate-700 dark:text-slate-300">Log in with</legend>
              <label className="mr-4 inline-flex items-center gap-1.5"><input type="radio" name="method" checked={method === 'password'} onChange={() => setMethod('password')} /> Password</label>
              <label className="inline-flex items-center gap-1.5"><input type="radio" name="method" checked={method === 'key'} onChange={() => setMethod('key')} /> Private key</label>
            </fieldset>
            {method === 'password' ? (
              <Field label="Password" hint="used for this connection only: never stored">
                <input type="password" value={secrets.password ?? ''} onChange={(e) => setSecrets({ password: e.target.value })} required autoComplete="new-password" className={inputClass} />
              </Field>
            ) : (
              <div className="grid grid-cols-[1fr_16rem] gap-3">
                <Field label="Private key" hint="the key file's text (-----BEGIN OPENSSH PRIVATE KEY-----…); used for this connection only, never stored">
                  <textarea value={secrets.privateKey ?? ''} onChange={(e) => setSecrets((s) => ({ ...s, password: undefined, privateKey: e.target.value }))} required rows={6} spellCheck={false} autoComplete="off" className={`${inputClass} font-mono text-xs`} />
                </Field>
                <Field label="Passphrase" hint="only if the key is encrypted">
                  <input type="password" value={secrets.passphrase ?? ''} onChange={(e) => setSecrets((s) => ({ ...s, password: undefined, passphrase: e.target.value }))} autoComplete="new-password" className={inputClass} />
                </Field>
              </div>
            )}
            <div className="grid grid-cols-[16rem_12rem_1fr] gap-3">
              <Field label="Host name" hint="its name in berth: lower-case letters, digits and -">
                <input value={name} onChange={(e) => { setNameEdited(true); setHostName(e.target.value); }} required spellCheck={false} pattern="[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?" className={inputClass} />
              </Field>
              <Field label="Team" hint="the team that owns the host">
                <TeamSelect value={team} onChange={setTeam} />
              </Field>
              <Field label="Control plane URL" hint="the address the agent dials, as the machine reaches this control plane">
                <input value={controlPlaneUrl} onChange={(e) => setControlPlaneUrl(e.target.value)} required spellCheck={false} className={inputClass} />
              </Field>
            </div>
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={allowInsecure} onChange={(e) => setAllowInsecure(e.target.checked)} />
              Allow plain ws:// (unencrypted; trusted networks only)
            </label>
            {insecureNeeded && !allowInsecure && <Notice tone="warning">The control plane URL is ws://: the agent refuses it unless you allow plain ws:// (or it is a loopback address).</Notice>}
            <Button type="submit" variant="primary" disabled={!canSubmit}>Install the agent</Button>
          </form>
      )}

      {outcome && phase === 'form' && <Notice tone="error" className="mb-4 max-w-3xl break-words">{outcome.text}</Notice>}

      {phase !== 'form' && (
        <section aria-label="Installation" className="mb-4 max-w-3xl rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
          <div className="mb-3 flex items-center gap-3 text-sm">
            <p className="text-slate-600 dark:text-slate-400">Installing the agent on {username}@{address}{port !== '22' ? `:${port}` : ''} as <strong>{name}</strong></p>
            {phase === 'running' && operationId && <Button size="sm" className="ml-auto" onClick={() => void cancel()}>Cancel</Button>}
            {(phase === 'done' || phase === 'failed') && <Button size="sm" className="ml-auto" onClick={again}>Back to the form</Button>}
          </div>
          <Checklist steps={steps} />
          {phase === 'host-key' && hostKey && (
            <div role="alertdialog" aria-label="Accept the host key" className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">
              <p className="mb-1 font-medium">The host key of {hostKey.host}:{hostKey.port} is not known yet.</p>
              <p>Its {hostKey.keyType} key has the fingerprint</p>
              <code className="my-2 block break-all text-sm font-semibold">{hostKey.fingerprint}</code>
              <p className="mb-3">Compare it with what <code>ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub</code> prints on the machine (over its console, not over this network). Accept it only if they match: it is then pinned for this install.</p>
              <div className="flex gap-2">
                <Button variant="primary" onClick={() => void start(hostKey.fingerprint)}>Accept and continue</Button>
                <Button onClick={reject}>Reject</Button>
              </div>
            </div>
          )}
          {outcome && (
            <Notice tone={outcome.ok ? 'info' : 'error'} className="mt-4 break-words">
              {outcome.text}
              {outcome.host && <> <Link href={`/hosts/${encodeURIComponent(outcome.host)}`} className="font-medium underline">Open {outcome.host}</Link></>}
            </Notice>
          )}
        </section>
      )}
    </>
  );
}
