// Docker's secret and config verbs (ls|create|inspect|rm): the control plane keeps them sealed
// and hands them to the hosts of the services that mount them; no verb shows content again.
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.ts';
import { labelFlags, parseFlags } from '../flags.ts';
import { since, table } from '../format.ts';
import { forEach, usage, type VerbContext } from './verbs.ts';

type Kind = 'secret' | 'config';

/** The content: a file, or `-` for standard input (as docker secret create NAME -). */
async function readContent(kind: Kind, source: string): Promise<Buffer> {
  if (source === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks);
  }
  return readFile(source).catch((err: NodeJS.ErrnoException) => {
    throw new UserError(`${kind} create: cannot read ${source} (${err.code ?? err.message}): give a readable file, or - to read standard input`);
  });
}

async function create(kind: Kind, ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags(`${kind} create`, argv, { label: { type: 'string', short: 'l', multiple: true }, team: { type: 'string' } });
  if (f.positionals.length !== 2) throw usage(`${kind} create`, '[--label KEY=VALUE] [--team TEAM] NAME FILE|-', 'requires exactly 2 arguments');
  const [name, source] = f.positionals as [string, string];
  const data = await readContent(kind, source);
  // the team that owns it: only its services may mount it (needed when in several teams)
  const team = f.str('team');
  const r = await ctx.api.secrets.create.mutate({ kind, name, data: data.toString('base64'), labels: labelFlags(`${kind} create`, f.list('label')), ...(team ? { team } : {}) });
  ctx.io.out(`${r.id}\n`);
  return 0;
}

async function ls(kind: Kind, ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags(`${kind} ls`, argv, { quiet: { type: 'boolean', short: 'q' }, format: { type: 'string' } });
  const format = f.str('format');
  if (format !== undefined && format !== 'json') throw new UserError(`${kind} ls: unknown --format ${format}: only json is supported`);
  const rows = await ctx.api.secrets.list.query({ kind });
  if (f.bool('quiet')) ctx.io.out(rows.map((r) => `${r.id}\n`).join(''));
  else if (format === 'json') ctx.io.out(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  // TEAM always, as `berth hosts` shows it
  else ctx.io.out(table(['ID', 'NAME', 'SIZE', 'CREATED', 'USED BY', 'TEAM'], rows.map((r) => [r.id.replaceAll('-', '').slice(0, 25), r.name, `${r.size} B`, since(r.createdAt), r.services.join(','), r.team.name])));
  return 0;
}

async function inspect(kind: Kind, ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags(`${kind} inspect`, argv, {});
  if (!f.positionals.length) throw usage(`${kind} inspect`, `${kind.toUpperCase()} [${kind.toUpperCase()}...]`, 'requires at least 1 argument');
  const found: unknown[] = [];
  const code = await forEach(ctx, f.positionals, async (name) => {
    const r = await ctx.api.secrets.inspect.query({ kind, name });
    // docker's shape; Data is never sent back, for configs neither
    found.push({ ID: r.id, CreatedAt: r.createdAt.toISOString(), Spec: { Name: r.name, Labels: r.labels }, Size: r.size, Stack: r.stack, Team: r.team.name, UsedBy: r.services });
    return '';
  });
  ctx.io.out(`${JSON.stringify(found, null, 4)}\n`);
  return code;
}

async function rm(kind: Kind, ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags(`${kind} rm`, argv, {});
  if (!f.positionals.length) throw usage(`${kind} rm`, `${kind.toUpperCase()} [${kind.toUpperCase()}...]`, 'requires at least 1 argument');
  return forEach(ctx, f.positionals, async (name) => {
    await ctx.api.secrets.remove.mutate({ kind, name });
  });
}

function command(kind: Kind) {
  const sub: Record<string, (kind: Kind, ctx: VerbContext, argv: string[]) => Promise<number>> = { create, ls, list: ls, inspect, rm, remove: rm };
  return async (ctx: VerbContext, argv: string[]): Promise<number> => {
    const [verb, ...rest] = argv;
    const run = verb ? sub[verb] : undefined;
    if (!run) throw new UserError(`${kind}: unknown command ${JSON.stringify(verb ?? '')}: use create, ls, inspect or rm`);
    return run(kind, ctx, rest);
  };
}

export const secretCommand = command('secret');
export const configCommand = command('config');
