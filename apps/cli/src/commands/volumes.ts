// Docker's volume verbs (volume ls|create|inspect|rm|prune) and registry login/logout.
import { createInterface } from 'node:readline/promises';
import type { VolumeSummary } from '@berth/protocol';
import { UserError } from '../errors.ts';
import { labelFlags, parseFlags } from '../flags.ts';
import { table } from '../format.ts';
import { forEach, hostFor, usage, type VerbContext } from './verbs.ts';

const HOST_FLAG = { host: { type: 'string' as const, short: 'H' } };

/** `docker volume ls` layout; HOST only when the listing spans several hosts. */
export function volumesTable(volumes: Array<VolumeSummary & { host?: string }>, o: { showHost: boolean }): string {
  return table(['DRIVER', 'VOLUME NAME', ...(o.showHost ? ['HOST'] : [])], volumes.map((v) => [v.driver, v.name, ...(o.showHost ? [v.host ?? ''] : [])]));
}

async function volumeLs(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('volume ls', argv, { quiet: { type: 'boolean', short: 'q' }, format: { type: 'string' }, ...HOST_FLAG });
  const format = f.str('format');
  if (format !== undefined && format !== 'json') throw new UserError(`volume ls: unknown --format ${format}: only json is supported`);
  const host = f.str('host') ?? ctx.host;
  const r = await ctx.api.volumes.list.query(host ? { host } : {});
  for (const u of r.unavailable) ctx.io.err(`berth: ${u.host}: ${u.reason} (its volumes are not listed)\n`);
  if (f.bool('quiet')) ctx.io.out(r.volumes.map((v) => `${v.name}\n`).join(''));
  else if (format === 'json') ctx.io.out(r.volumes.map((v) => `${JSON.stringify(v)}\n`).join(''));
  else ctx.io.out(volumesTable(r.volumes, { showHost: !host && new Set([...r.volumes.map((v) => v.host), ...r.unavailable.map((u) => u.host)]).size > 1 }));
  return 0;
}

async function volumeCreate(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('volume create', argv, { label: { type: 'string', short: 'l', multiple: true }, name: { type: 'string' }, ...HOST_FLAG });
  if (f.positionals.length > 1) throw usage('volume create', '[--label KEY=VALUE] [NAME]', 'takes at most 1 argument');
  const labels = labelFlags('volume create', f.list('label'));
  const name = f.positionals[0] ?? f.str('name');
  const host = await hostFor(ctx, f.str('host'));
  const v = await ctx.api.volumes.create.mutate({ host, ...(name ? { name } : {}), labels });
  ctx.io.out(`${v.name}\n`);
  return 0;
}

async function volumeInspect(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('volume inspect', argv, HOST_FLAG);
  if (!f.positionals.length) throw usage('volume inspect', 'VOLUME [VOLUME...]', 'requires at least 1 argument');
  const host = await hostFor(ctx, f.str('host'));
  const found: unknown[] = [];
  const code = await forEach(ctx, f.positionals, async (name) => {
    found.push(await ctx.api.volumes.inspect.query({ host, name }));
    return '';
  });
  ctx.io.out(`${JSON.stringify(found, null, 4)}\n`);
  return code;
}

async function volumeRm(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('volume rm', argv, { force: { type: 'boolean', short: 'f' }, ...HOST_FLAG });
  if (!f.positionals.length) throw usage('volume rm', 'VOLUME [VOLUME...]', 'requires at least 1 argument');
  const host = await hostFor(ctx, f.str('host'));
  return forEach(ctx, f.positionals, async (name) => {
    await ctx.api.volumes.remove.mutate({ host, name });
  });
}

async function volumePrune(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('volume prune', argv, { all: { type: 'boolean', short: 'a' }, force: { type: 'boolean', short: 'f' }, ...HOST_FLAG });
  const host = await hostFor(ctx, f.str('host'));
  if (!f.bool('force')) {
    const warning = f.bool('all') ? 'WARNING! This will remove all local volumes not used by at least one container.' : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
    if (!process.stdin.isTTY) throw new UserError(`volume prune: ${warning} Add -f to go ahead (stdin is not a terminal to ask)`);
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = (await rl.question(`${warning}\nAre you sure you want to continue? [y/N] `)).trim().toLowerCase();
    rl.close();
    if (answer !== 'y' && answer !== 'yes') return 0;
  }
  const r = await ctx.api.volumes.prune.mutate({ host, all: f.bool('all') });
  ctx.io.out(r.deleted.length ? `Deleted Volumes:\n${r.deleted.map((d) => `${d}\n`).join('')}` : 'No volumes were removed\n');
  return 0;
}

const VOLUME_SUB: Record<string, (ctx: VerbContext, argv: string[]) => Promise<number>> = {
  ls: volumeLs, list: volumeLs, create: volumeCreate, inspect: volumeInspect, rm: volumeRm, remove: volumeRm, prune: volumePrune,
};

export async function volumeCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const verb = sub ? VOLUME_SUB[sub] : undefined;
  if (!verb) throw new UserError(`volume: unknown command ${JSON.stringify(sub ?? '')}: use ls, create, inspect, rm or prune`);
  return verb(ctx, rest);
}

// --- login, logout -------------------------------------------------------------------------------

/** Reads stdin to its end (for --password-stdin). */
async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

/**
 * `docker login [-u USER] [--password-stdin] [SERVER]`: an admin stores the registry's
 * credentials in the control plane, sealed; pulls and pushes from any host then use them.
 */
export async function loginCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('login', argv, { username: { type: 'string', short: 'u' }, password: { type: 'string', short: 'p' }, 'password-stdin': { type: 'boolean' } });
  if (f.positionals.length > 1) throw usage('login', '[-u USER] [--password-stdin] [SERVER]', 'takes at most 1 argument');
  const registry = f.positionals[0] ?? 'docker.io';
  const username = f.str('username');
  if (!username) throw new UserError('login: give the user name with -u USER');
  let password = f.str('password');
  if (password !== undefined) ctx.io.err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  if (f.bool('password-stdin')) {
    if (password !== undefined) throw new UserError('login: --password and --password-stdin are mutually exclusive');
    password = (await readStdin()).replace(/\r?\n$/, '');
  }
  if (!password) throw new UserError('login: give the password on stdin with --password-stdin (or with -p)');
  const r = await ctx.api.registries.login.mutate({ registry, username, password });
  ctx.io.out(`Login Succeeded (credentials for ${r.registry} stored in the control plane, sealed)\n`);
  return 0;
}

export async function logoutCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('logout', argv, {});
  if (f.positionals.length > 1) throw usage('logout', '[SERVER]', 'takes at most 1 argument');
  const r = await ctx.api.registries.logout.mutate({ registry: f.positionals[0] ?? 'docker.io' });
  ctx.io.out(`Removing login credentials for ${r.registry}\n`);
  return 0;
}
