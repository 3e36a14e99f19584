'use client';
import { Button, Field, inputClass, Notice } from '@berth/ui';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { isIpv4 } from '@berth/protocol/ports';
import { NETWORK_NAME } from '../lib/networks.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { ConfirmAction } from './confirm-action.tsx';
import { invalidateNetworks } from './networks-panel.tsx';

/** The connect form's aliases and address, checked as typed; the default bridge takes neither. */
export function checkConnect(network: string, aliasText: string, ip: string): { aliases: string[]; errors: { aliases?: string; ip?: string } } {
  const aliases = aliasText.split(/[\s,]+/).filter(Boolean);
  const errors: { aliases?: string; ip?: string } = {};
  const bad = aliases.find((a) => !NETWORK_NAME.test(a));
  if (bad !== undefined) errors.aliases = `"${bad}": an alias is [a-zA-Z0-9][a-zA-Z0-9_.-]*`;
  else if (aliases.length && network === 'bridge') errors.aliases = 'the default bridge network takes no aliases: connect to a user-defined network';
  const addr = ip.trim();
  if (addr && !isIpv4(addr)) errors.ip = 'an IPv4 address, e.g. 10.10.0.20';
  else if (addr && network === 'bridge') errors.ip = 'the default bridge network takes no fixed address';
  return { aliases, errors };
}

/**
 * `docker network connect`, from either side: on a network's page the user picks a container,
 * on a container's page a network. Only what can be connected is offered.
 */
export function ConnectForm({ host, network, container, choices, onDone }: {
  host: string;
  /** the fixed side; the other is chosen from `choices` */
  network?: string;
  container?: string;
  choices: { value: string; label: string }[];
  onDone?: (message: string) => void;
}) {
  const client = useQueryClient();
  const [picked, setPicked] = useState('');
  const [aliasText, setAliasText] = useState('');
  const [ip, setIp] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const choice = picked && choices.some((c) => c.value === picked) ? picked : choices[0]?.value ?? '';
  const net = network ?? choice;
  const ctr = container ?? choice;
  const { aliases, errors } = checkConnect(net, aliasText, ip);
  const invalid = !!errors.aliases || !!errors.ip;
  const what = network ? 'Container' : 'Network';
  const label = network ? `Connect a container to ${network}` : `Connect ${container} to a network`;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!choice || invalid) return;
    setBusy(true);
    setError(null);
    try {
      await api.networks.connect.mutate({ host, network: net, container: ctr, aliases, ...(ip.trim() ? { ipv4Address: ip.trim() } : {}) });
      setAliasText('');
      setIp('');
      setPicked('');
      onDone?.(`Connected ${ctr} to ${net}`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
      invalidateNetworks(client);
    }
  };

  if (choices.length === 0) {
    return <p className="text-sm text-slate-500">{network ? `Every container on this host is on ${network} already, or uses the host or none mode.` : 'No other network to connect to: create one on the host\'s Networks tab.'}</p>;
  }
  return (
    <form onSubmit={submit} noValidate aria-label={label} className="rounded-md border border-slate-200 p-3 dark:border-slate-800">
      <div className="flex flex-wrap items-start gap-3">
        <Field label={what} className="min-w-40">
          <select value={choice} onChange={(e) => setPicked(e.target.value)} className={inputClass}>
            {choices.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
          </select>
        </Field>
        <Field label="Aliases" error={errors.aliases ?? null} hint="optional; more names on this network" className="min-w-40 flex-1">
          <input value={aliasText} onChange={(e) => setAliasText(e.target.value)} aria-invalid={!!errors.aliases} placeholder="api db" spellCheck={false} autoComplete="off" className={`${inputClass} font-mono`} />
        </Field>
        <Field label="IPv4 address" error={errors.ip ?? null} hint="optional; --ip" className="min-w-36">
          <input value={ip} onChange={(e) => setIp(e.target.value)} aria-invalid={!!errors.ip} placeholder="automatic" spellCheck={false} autoComplete="off" className={`${inputClass} font-mono`} />
        </Field>
        <Button type="submit" className="mt-6" disabled={busy || invalid}>{busy ? 'Connecting…' : 'Connect'}</Button>
      </div>
      {error && <Notice tone="error" className="mt-3">{error}</Notice>}
    </form>
  );
}

/** `docker network disconnect`, confirmed first: a running container loses the address at once. */
export function DisconnectButton({ host, network, container }: { host: string; network: string; container: string }) {
  const client = useQueryClient();
  return (
    <ConfirmAction
      label={`Disconnect ${container} from ${network}`}
      button="Disconnect"
      danger={false}
      question={`Disconnect ${container} from ${network}?`}
      confirm="Confirm disconnect"
      pendingText="Disconnecting…"
      className="min-w-32"
      action={() => api.networks.disconnect.mutate({ host, network, container, force: false })}
      onSettled={() => invalidateNetworks(client)}
    />
  );
}
