import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '@berth/api';
import { readConfig } from './config.ts';
import type { CliEnv } from './env.ts';
import { UserError } from './errors.ts';
import { FetchEventSource } from './event-source.ts';

export type Api = ReturnType<typeof createTRPCClient<AppRouter>>;

/** Queries and mutations batched over HTTP; subscriptions (logs, exec, pull) over Server-Sent Events. */
export function apiLinks(url: string, token: string) {
  const base = `${url.replace(/\/$/, '')}/api/trpc`;
  const headers = { authorization: `Bearer ${token}`, 'x-berth-client': 'cli' };
  return [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({ url: base, transformer: superjson, EventSource: FetchEventSource, eventSourceOptions: () => ({ headers }) }),
      false: httpBatchLink({ url: base, transformer: superjson, headers: () => headers }),
    }),
  ];
}

/** Where the control plane is and the token to use: BERTH_URL/BERTH_TOKEN, or what `berth up` wrote. */
export async function controlPlane(env: CliEnv): Promise<{ url: string; token: string }> {
  const config = await readConfig(env.BERTH_CONFIG);
  const url = env.BERTH_URL ?? config?.url;
  const token = env.BERTH_TOKEN ?? config?.token;
  if (!url || !token) throw new UserError(`no control plane configured: run ./berth up, or set BERTH_URL and BERTH_TOKEN (looked in ${env.BERTH_CONFIG})`);
  return { url: url.replace(/\/$/, ''), token };
}

/** The API client, authenticated with BERTH_TOKEN or the token `berth up` wrote. */
export async function apiClient(env: CliEnv): Promise<Api> {
  const { url, token } = await controlPlane(env);
  return createTRPCClient<AppRouter>({ links: apiLinks(url, token) });
}

/** API errors become one line for the user. */
export function explain(err: unknown, env: CliEnv): Error {
  if (err instanceof TRPCClientError) {
    if (err.data?.code === 'UNAUTHORIZED' || (err.cause as { status?: number } | undefined)?.status === 401) return new UserError(`not signed in: ${err.message} (the token in ${env.BERTH_CONFIG} may be revoked; ./berth up writes a new one)`);
    return new UserError(err.message);
  }
  const cause = (err as { cause?: { code?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return new UserError('cannot reach the control plane: is it running? (./berth up -d)');
  return err as Error;
}
