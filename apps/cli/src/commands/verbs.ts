// What every Docker verb gets: the API, where to write, the host chosen with -H, and a signal
// that fires on Ctrl-C (for the commands that stream).
import { TRPCClientError } from '@trpc/client';
import type { Api } from '../client.ts';
import { explain } from '../client.ts';
import type { CliEnv } from '../env.ts';
import { UserError } from '../errors.ts';

export interface Io {
  out(s: string): void;
  err(s: string): void;
  /** stdout is a terminal: progress is redrawn in place */
  isTTY: boolean;
}

export interface VerbContext {
  api: Api;
  env: CliEnv;
  /** -H given before the verb */
  host: string | undefined;
  io: Io;
  /** fires on Ctrl-C */
  signal: AbortSignal;
}

/** The host a verb acts on: -H, or the only enrolled host. */
export async function hostFor(ctx: VerbContext, given?: string): Promise<string> {
  const h = given ?? ctx.host;
  if (h) return h;
  const hosts = await ctx.api.hosts.list.query();
  if (hosts.length === 1) return hosts[0]!.name;
  throw new UserError(hosts.length === 0 ? 'no hosts are enrolled yet' : `several hosts are enrolled (${hosts.map((x) => x.name).join(', ')}): choose one with -H HOST`);
}

/**
 * The hosts an operation that may span the fleet acts on (`pull`, `image prune`): `-H all`
 * means every online host, `-H h1,h2` those; otherwise the one host as for other verbs.
 */
export async function hostsFor(ctx: VerbContext, given?: string): Promise<{ hosts: string[]; several: boolean }> {
  const h = given ?? ctx.host;
  if (h === 'all') {
    const hosts = (await ctx.api.hosts.list.query()).filter((x) => x.status === 'online' || x.status === 'degraded').map((x) => x.name);
    if (hosts.length === 0) throw new UserError('no host is online');
    return { hosts, several: true };
  }
  if (h?.includes(',')) return { hosts: [...new Set(h.split(',').map((x) => x.trim()).filter(Boolean))], several: true };
  return { hosts: [await hostFor(ctx, given)], several: false };
}

/**
 * Runs `each` on every host at once and reports per host, as `HOST: result`: what a fleet-wide
 * pull or prune prints. Exit 1 when any host failed; the others' results stand.
 */
export async function onEachHost(ctx: VerbContext, hosts: string[], each: (host: string) => Promise<string>): Promise<number> {
  const results = await Promise.all(hosts.map(async (host) => {
    try {
      return { host, ok: true, text: await each(host) };
    } catch (err) {
      return { host, ok: false, text: message(err, ctx.env) };
    }
  }));
  for (const r of results) (r.ok ? ctx.io.out : ctx.io.err)(`${r.ok ? '' : 'berth: '}${r.host}: ${r.text}\n`);
  return results.every((r) => r.ok) ? 0 : 1;
}

/** The tRPC code of an API error ('NOT_FOUND', 'FORBIDDEN'…), when it is one. */
export const apiCode = (err: unknown): string | undefined => (err instanceof TRPCClientError ? (err.data as { code?: string } | undefined)?.code : undefined);

/** One line for the user, as the top level prints it. */
export const message = (err: unknown, env: CliEnv): string => explain(err, env).message;

/**
 * Runs `each` for every name, as `docker stop a b c` does: successes print the name,
 * failures go to stderr, and the exit code is 1 when any failed.
 */
export async function forEach(ctx: VerbContext, names: string[], each: (name: string) => Promise<string | void>): Promise<number> {
  let failed = 0;
  for (const name of names) {
    try {
      const out = await each(name);
      ctx.io.out(out ?? `${name}\n`);
    } catch (err) {
      failed++;
      ctx.io.err(`berth: ${message(err, ctx.env)}\n`);
    }
  }
  return failed ? 1 : 0;
}

/**
 * An API client that is not there: any use throws `why` (no control plane configured). Verbs
 * get it so that `--help` and flag errors come first, as they need no control plane.
 */
export function missingApi(why: Error): Api {
  return new Proxy({} as Api, {
    get(_target, prop) {
      // not a promise: `await` looks for `then`
      if (prop === 'then') return undefined;
      throw why;
    },
  });
}

/** Usage error for a verb: one line, exit 1. */
export const usage = (verb: string, synopsis: string, problem: string) => new UserError(`${verb}: ${problem} (usage: berth ${verb} ${synopsis})`);
