import { UserError } from '../errors.ts';
import { parseFlags } from '../flags.ts';
import type { Api } from '../client.ts';
import { bytes, since, table } from '../format.ts';
import type { HostFacts } from '@berth/protocol';

export async function hostsCommand(api: Api, o: { json: boolean }): Promise<string> {
  const hosts = await api.hosts.list.query();
  if (o.json) return JSON.stringify(hosts, null, 2) + '\n';
  return table(
    ['NAME', 'STATUS', 'TEAM', 'OS', 'CPUS', 'MEMORY', 'RUNTIME', 'AGENT', 'LAST SEEN', 'LABELS'],
    hosts.map((h) => [h.name, h.status, h.team.name, h.facts?.os ?? '', String(h.facts?.cpus ?? ''), h.facts ? bytes(h.facts.memoryBytes) : '', h.facts?.runtime ? `${h.facts.runtime.name} ${h.facts.runtime.version}` : '', h.agentVersion ?? '', since(h.lastSeenAt), Object.entries(h.labels).map(([k, v]) => `${k}=${v}`).join(',')]),
  );
}

export async function joinTokenCommand(api: Api, o: { name?: string; team?: string; uses: number; ttl: number; json: boolean }): Promise<string> {
  const t = await api.hosts.createJoinToken.mutate({ ...(o.name ? { hostName: o.name } : {}), ...(o.team ? { team: o.team } : {}), maxUses: o.uses, ttlSeconds: o.ttl });
  if (o.json) return JSON.stringify(t, null, 2) + '\n';
  return `${t.token}\n(valid until ${t.expiresAt.toISOString()}, ${t.maxUses} use${t.maxUses > 1 ? 's' : ''}${t.hostName ? `, for host ${t.hostName}` : ''}, joins team ${t.team})\n`;
}

export async function removeCommand(api: Api, name: string): Promise<string> {
  const r = await api.hosts.remove.mutate({ host: name });
  return `${r.removed} removed\n`;
}

export async function revokeCommand(api: Api, name: string): Promise<string> {
  const h = await api.hosts.revoke.mutate({ host: name });
  return `${h.name} revoked\n`;
}

/**
 * docker info's Security Options (from "name=seccomp,profile=builtin" to "seccomp" with its
 * "Profile: builtin") and, when the host remaps, whose ids containers' ids map to.
 */
export function securityLines(f: Pick<HostFacts, 'securityOptions' | 'usernsRemap'>): string[] {
  if (!f.securityOptions) return [];
  const out = [' Security Options:'];
  for (const opt of f.securityOptions) {
    const kv = Object.fromEntries(opt.split(',').map((p) => p.split('=') as [string, string]));
    out.push(`  ${kv.name ?? opt}`);
    if (kv.profile) out.push(`   Profile: ${kv.profile}`);
  }
  const r = f.usernsRemap;
  if (r) out.push(` User Namespace Remap: ${r.user}:${r.group} (uids ${r.uid.start}-${r.uid.start + r.uid.size - 1}, gids ${r.gid.start}-${r.gid.start + r.gid.size - 1})`);
  return out;
}

/** `docker info`, for one host. */
export async function infoCommand(api: Api, host: string, o: { json: boolean }): Promise<string> {
  const f = await api.hosts.facts.query({ host });
  if (o.json) return JSON.stringify(f, null, 2) + '\n';
  return [
    `Host: ${host}`,
    ` Containers: ${f.containers.total}`,
    `  Running: ${f.containers.running}`,
    `  Paused: ${f.containers.paused}`,
    `  Stopped: ${f.containers.stopped}`,
    ` Images: ${f.images}`,
    ` Storage Driver: ${f.storageDriver}`,
    `  Backing Filesystem: ${f.backingFilesystem}`,
    ` Cgroup Driver: ${f.cgroupDriver}`,
    ` Cgroup Version: ${f.cgroupVersion} (${f.cgroupMode})`,
    ` Runtime: ${f.runtime ? `${f.runtime.name} ${f.runtime.version} (${f.runtime.path})` : 'none'}`,
    ...f.runtimesRefused.map((r) => `  Refused: ${r.name}: ${r.reason}`),
    ...securityLines(f),
    ` Kernel Version: ${f.kernel}`,
    ` Operating System: ${f.os}`,
    ` Architecture: ${f.architecture}`,
    ` CPUs: ${f.cpus}`,
    ` Total Memory: ${bytes(f.memoryBytes)}`,
    ` Name: ${f.hostname}`,
    ` Berth Root Dir: ${f.stateDir}`,
    ` Registry Mirrors: ${f.registryMirrors.join(', ') || 'none'}`,
    ...(f.defaultBridge !== undefined ? [` Default Bridge: ${f.defaultBridge ? `${f.defaultBridge.name} ${f.defaultBridge.subnet} (gateway ${f.defaultBridge.gateway})` : 'none'}`] : []),
    ` Agent Version: ${f.agentVersion}`,
    // docker info's own warning, from agents that report it (protocol 1.2)
    ...(f.ipForwarding === false ? ['WARNING: IPv4 forwarding is disabled: containers cannot reach beyond the host (BERTH_IP_FORWARD=1 turns it on)'] : []),
    '',
  ].join('\n');
}

/** `berth host update [--label-add KEY=VALUE] [--label-rm KEY] [--team TEAM] HOST` (docker node update's flags; --team moves it). */
export async function hostUpdateCommand(api: Api, argv: string[]): Promise<string> {
  const f = parseFlags('host update', argv, { 'label-add': { type: 'string', multiple: true }, 'label-rm': { type: 'string', multiple: true }, team: { type: 'string' } });
  if (f.positionals.length !== 1) throw new UserError('host update: requires exactly 1 argument (usage: berth host update [--label-add KEY=VALUE] [--label-rm KEY] [--team TEAM] HOST)');
  const add: Record<string, string> = {};
  for (const l of f.list('label-add')) {
    const eq = l.indexOf('=');
    if (eq === 0 || !l) throw new UserError(`host update: invalid label ${JSON.stringify(l)}: use KEY=VALUE`);
    add[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1);
  }
  const host = f.positionals[0]!;
  if (f.str('team')) await api.hosts.moveToTeam.mutate({ host, team: f.str('team')! });
  if (!Object.keys(add).length && !f.list('label-rm').length && f.str('team')) return `${host}\n`;
  const h = await api.hosts.label.mutate({ host, add, remove: f.list('label-rm') });
  return `${h.name}\n`;
}
