// Docker's stack verbs: deploy -c FILE NAME, ls, ps, services, rm. The compose file is parsed by
// the control plane (the same parser as the dashboard's upload); the CLI sends it with the files
// it names and the variables it uses, read here, where the file is.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { referencedFiles, referencedVariables } from '@berth/compose';
import { UserError } from '../errors.ts';
import { parseFlags } from '../flags.ts';
import { table } from '../format.ts';
import { replicasTable } from './services.ts';
import { forEach, usage, type VerbContext } from './verbs.ts';

export const STACK_USAGE = `Usage: berth stack COMMAND

Manage stacks: services deployed together from a compose file

Commands:
  deploy -c FILE [--team TEAM] NAME
                                    deploy a new stack or update one (services no longer in the file are removed);
                                    --team: the team a new stack goes to (needed when you are an operator in
                                    more than one team); a stack stays in its team
  ls                                list stacks
  ps NAME                           the stack's replicas
  services NAME                     the stack's services
  rm NAME...                        remove stacks, their services and replicas
`;

async function stackDeploy(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('stack deploy', argv, { 'compose-file': { type: 'string', short: 'c', multiple: true }, prune: { type: 'boolean' }, detach: { type: 'boolean', short: 'd' }, team: { type: 'string' } });
  if (f.positionals.length !== 1) throw usage('stack deploy', '-c FILE NAME', 'requires exactly 1 argument');
  const [file, ...more] = f.list('compose-file');
  if (!file) throw usage('stack deploy', '-c FILE NAME', 'give the compose file with -c FILE');
  if (more.length) throw new UserError('stack deploy: berth reads one compose file: merge the overrides into it');
  let compose: string;
  try {
    compose = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`stack deploy: cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const dir = file === '-' ? process.cwd() : dirname(resolve(file));
  // only the variables and files the compose file names leave this machine
  const env: Record<string, string> = {};
  const read = (path: string) => {
    try {
      return readFileSync(isAbsolute(path) ? path : resolve(dir, path));
    } catch {
      return undefined;
    }
  };
  for (const name of referencedVariables(compose, { readFile: read })) if (process.env[name] !== undefined) env[name] = process.env[name]!;
  const files: Record<string, string> = {};
  for (const path of referencedFiles(compose, { env })) {
    const data = read(path);
    if (data) files[path] = data.toString('base64');
  }
  const team = f.str('team');
  const r = await ctx.api.stacks.deployCompose.mutate({ name: f.positionals[0]!, compose, fileName: file === '-' ? 'stdin' : file, files, env, workingDir: dir, ...(team ? { team } : {}) });
  for (const i of r.ignored) ctx.io.err(`Ignoring ${i.path}${i.line ? ` (line ${i.line})` : ''}: ${i.reason}\n`);
  for (const s of r.services) {
    const words = { created: 'Creating service', updated: 'Updating service', unchanged: 'Service unchanged:', removed: 'Removing service' } as const;
    ctx.io.out(`${words[s.action]} ${s.name}\n`);
  }
  return 0;
}

async function stackLs(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('stack ls', argv, { format: { type: 'string' } });
  const rows = await ctx.api.stacks.list.query();
  if (f.str('format') === 'json') return ctx.io.out(rows.map((s) => `${JSON.stringify(s)}\n`).join('')), 0;
  ctx.io.out(table(['NAME', 'SERVICES', 'TEAM'], rows.map((s) => [s.name, String(s.services), s.team.name])));
  return 0;
}

async function stackServices(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('stack services', argv, {});
  if (f.positionals.length !== 1) throw usage('stack services', 'NAME', 'requires exactly 1 argument');
  const rows = await ctx.api.services.list.query({ stack: f.positionals[0]! });
  if (!rows.length) throw new UserError(`Nothing found in stack: ${f.positionals[0]}`);
  ctx.io.out(table(['ID', 'NAME', 'MODE', 'REPLICAS', 'IMAGE'], rows.map((s) => [s.id.replace(/-/g, '').slice(0, 12), s.name, s.mode, `${s.running}/${s.desired ?? s.running}`, s.spec.image])));
  return 0;
}

async function stackPs(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('stack ps', argv, {});
  if (f.positionals.length !== 1) throw usage('stack ps', 'NAME', 'requires exactly 1 argument');
  const services = await ctx.api.services.list.query({ stack: f.positionals[0]! });
  if (!services.length) throw new UserError(`nothing found in stack: ${f.positionals[0]}`);
  const rows = [];
  for (const s of services) {
    const full = await ctx.api.services.get.query({ name: s.name });
    rows.push(...full.replicas.map((r) => ({ ...r, service: s.name })));
  }
  ctx.io.out(replicasTable(rows));
  return 0;
}

async function stackRm(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('stack rm', argv, {});
  if (!f.positionals.length) throw usage('stack rm', 'NAME...', 'requires at least 1 argument');
  return forEach(ctx, f.positionals, async (name) => {
    const r = await ctx.api.stacks.remove.mutate({ name });
    return r.removed.map((s) => `Removing service ${s}\n`).join('');
  });
}

const STACK_SUB: Record<string, (ctx: VerbContext, argv: string[]) => Promise<number>> = {
  deploy: stackDeploy, up: stackDeploy, ls: stackLs, list: stackLs, ps: stackPs, services: stackServices, rm: stackRm, remove: stackRm, down: stackRm,
};

export async function stackCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === 'help') return ctx.io.out(STACK_USAGE), sub === undefined ? 1 : 0;
  const verb = STACK_SUB[sub];
  if (!verb) throw new UserError(`stack: unknown command ${JSON.stringify(sub)}: use deploy, ls, ps, services or rm`);
  return verb(ctx, rest);
}
