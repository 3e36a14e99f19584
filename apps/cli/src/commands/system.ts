// `save`, `load`, `system df` and `events`: the verbs that move archives or watch the fleet.
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { controlPlane } from '../client.ts';
import { UserError } from '../errors.ts';
import { parseFlags } from '../flags.ts';
import { humanSize, table } from '../format.ts';
import { subscription } from '../subscribe.ts';
import { hostFor, usage, type VerbContext } from './verbs.ts';

const HOST_FLAG = { host: { type: 'string' as const, short: 'H' } };

async function failure(res: Response, what: string): Promise<UserError> {
  const body = (await res.json().catch(() => null)) as { error?: string } | null;
  return new UserError(`${what}: ${body?.error ?? `the control plane answered ${res.status}`}`);
}

/** `docker save [-o FILE] IMAGE...`: to a file (complete or absent) or to stdout when it is not a terminal. */
export async function saveCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('save', argv, { output: { type: 'string', short: 'o' }, ...HOST_FLAG });
  if (!f.positionals.length) throw usage('save', '[-o FILE] IMAGE [IMAGE...]', 'requires at least 1 argument');
  const host = await hostFor(ctx, f.str('host'));
  const q = new URLSearchParams({ host });
  for (const r of f.positionals) q.append('ref', r);
  return download(ctx, 'save', `/api/images/save?${q}`, f.str('output'));
}

/** `docker export [-o FILE] CONTAINER`: its root filesystem as a tar. */
export async function exportCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('export', argv, { output: { type: 'string', short: 'o' }, ...HOST_FLAG });
  if (f.positionals.length !== 1) throw usage('export', '[-o FILE] CONTAINER', 'requires exactly 1 argument');
  const host = await hostFor(ctx, f.str('host'));
  return download(ctx, 'export', `/api/containers/export?${new URLSearchParams({ host, id: f.positionals[0]! })}`, f.str('output'));
}

/** A tar from the control plane: to `out` (complete or absent), or to stdout when it is not a terminal. */
async function download(ctx: VerbContext, verb: string, path: string, out: string | undefined): Promise<number> {
  if (!out && process.stdout.isTTY) throw new UserError(`${verb}: refusing to write an archive to a terminal: use -o FILE or redirect stdout`);
  const { url, token } = await controlPlane(ctx.env);
  const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: ctx.signal });
  if (!res.ok || !res.body) throw await failure(res, verb);
  const body = Readable.fromWeb(res.body as WebReadableStream);
  if (!out) {
    await pipeline(body, process.stdout);
    return 0;
  }
  const tmp = `${out}.berth-partial`;
  try {
    await pipeline(body, createWriteStream(tmp, { mode: 0o644 }));
    await rename(tmp, out);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new UserError(`${verb}: the archive was not written completely (${(err as Error).message}); ${out} is unchanged`);
  }
  return 0;
}

/** `docker load [-i FILE]`: a docker-archive or OCI archive, gzipped or not, from a file or stdin. */
export async function loadCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('load', argv, { input: { type: 'string', short: 'i' }, quiet: { type: 'boolean', short: 'q' }, ...HOST_FLAG });
  const input = f.str('input');
  if (!input && process.stdin.isTTY) throw new UserError('load: requested load from stdin, but stdin is a terminal: use -i FILE or redirect stdin');
  const host = await hostFor(ctx, f.str('host'));
  const { url, token } = await controlPlane(ctx.env);
  const source = input ? createReadStream(input) : process.stdin;
  source.on('error', () => undefined);
  if (input) await new Promise<void>((resolve, reject) => (source as ReturnType<typeof createReadStream>).once('open', () => resolve()).once('error', (e) => reject(new UserError(`load: cannot read ${input}: ${(e as NodeJS.ErrnoException).code ?? e.message}`))));
  const res = await fetch(`${url}/api/images/load?${new URLSearchParams({ host })}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-tar' },
    body: Readable.toWeb(source) as unknown as RequestInit['body'],
    duplex: 'half',
    signal: ctx.signal,
  } as RequestInit);
  if (!res.ok) throw await failure(res, 'load');
  const r = (await res.json()) as { messages: string[] };
  if (!f.bool('quiet')) ctx.io.out(r.messages.map((m) => `${m}\n`).join(''));
  return 0;
}

/** `docker system df`. */
export async function systemCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'df') throw new UserError(`system: unknown command ${JSON.stringify(sub ?? '')}: use df`);
  const f = parseFlags('system df', rest, HOST_FLAG);
  const host = await hostFor(ctx, f.str('host'));
  const df = await ctx.api.hosts.df.query({ host });
  const pct = (r: { size: number; reclaimable: number }) => (r.size > 0 ? ` (${Math.round((r.reclaimable / r.size) * 100)}%)` : '');
  const row = (type: string, r: { total: number; active: number; size: number; reclaimable: number }) => [type, String(r.total), String(r.active), humanSize(r.size), `${humanSize(r.reclaimable)}${pct(r)}`];
  ctx.io.out(table(['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'], [row('Images', df.images), row('Containers', df.containers), row('Local Volumes', df.volumes)]));
  return 0;
}

type FleetEvent =
  | { kind: 'host.status'; hostId: string; status: string; at: number }
  | { kind: 'host.metrics'; hostId: string; at: number }
  | { kind: 'host.inventory'; hostId: string; at: number }
  | { kind: 'agent.event'; hostId: string; type: string; data: Record<string, unknown>; at: number };

/** One line of `docker events`: time, type, action, id and attributes, plus the host. */
export function eventLine(e: FleetEvent, hostName: (id: string) => string): string | null {
  const time = new Date(e.at).toISOString();
  if (e.kind === 'host.status') return `${time} host ${e.status} ${hostName(e.hostId)}\n`;
  if (e.kind !== 'agent.event') return null;
  const { action, id, name, ...rest } = e.data as { action?: string; id?: string; name?: string } & Record<string, unknown>;
  const attrs = Object.entries({ ...(name ? { name } : {}), ...rest, host: hostName(e.hostId) })
    .filter(([k]) => k !== 'time')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return `${time} ${e.type} ${action ?? 'event'}${id ? ` ${id}` : ''} (${attrs.join(', ')})\n`;
}

/** `docker events`: the fleet's state changes as they happen, until Ctrl-C. */
export async function eventsCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('events', argv, { format: { type: 'string' }, ...HOST_FLAG });
  const format = f.str('format');
  if (format !== undefined && format !== 'json') throw new UserError(`events: unknown --format ${format}: only json is supported`);
  const names = new Map((await ctx.api.hosts.list.query()).map((h) => [h.id, h.name]));
  const only = f.str('host') ?? ctx.host;
  const hostName = (id: string) => names.get(id) ?? id;
  try {
    for await (const e of subscription<FleetEvent>((h) => ctx.api.events.stream.subscribe({ kinds: ['host.status', 'agent.event'] }, h), ctx.signal)) {
      if (only && hostName(e.hostId) !== only) continue;
      const line = format === 'json' ? `${JSON.stringify({ ...e, host: hostName(e.hostId) })}\n` : eventLine(e, hostName);
      if (line) ctx.io.out(line);
    }
  } catch (err) {
    if (ctx.signal.aborted) return 0;
    throw err;
  }
  return 0;
}
