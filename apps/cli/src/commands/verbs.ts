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
