import { request, type APIRequestContext } from '@playwright/test';

/** tRPC over plain HTTP with superjson's envelope, for set-up and clean-up around the browser. */
export async function query<T>(ctx: APIRequestContext, path: string, input: unknown): Promise<T> {
  const res = await ctx.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);
  if (!res.ok()) throw new Error(`${path}: HTTP ${res.status()} ${await res.text()}`);
  return ((await res.json()) as { result: { data: { json: T } } }).result.data.json;
}

/**
 * What the dashboard sends with every change, and the gateway asks of a signed-in browser's
 * (docs/security.md, CSRF): the control plane's own Origin, and the session's CSRF token from the
 * berth_csrf cookie the gateway set beside the session.
 */
export async function changeHeaders(ctx: APIRequestContext): Promise<Record<string, string>> {
  const token = (await ctx.storageState()).cookies.find((c) => c.name === 'berth_csrf')?.value;
  return { origin: new URL(process.env.BERTH_E2E_URL!).origin, ...(token ? { 'x-berth-csrf': token } : {}) };
}

export async function mutate<T>(ctx: APIRequestContext, path: string, input: unknown): Promise<T> {
  const res = await ctx.post(`/api/trpc/${path}`, { data: { json: input }, headers: await changeHeaders(ctx) });
  if (!res.ok()) throw new Error(`${path}: HTTP ${res.status()} ${await res.text()}`);
  return ((await res.json()) as { result: { data: { json: T } } }).result.data.json;
}

/** An API client signed in as the e2e admin, for hooks that have no page. */
export async function adminApi(): Promise<APIRequestContext> {
  const ctx = await request.newContext({ baseURL: process.env.BERTH_E2E_URL! });
  await mutate(ctx, 'auth.login', { username: process.env.BERTH_E2E_USER!, password: process.env.BERTH_E2E_PASSWORD! });
  return ctx;
}

/** Runs `use` with an admin API client, disposed of afterwards whatever happens. */
export async function withAdminApi<T>(use: (api: APIRequestContext) => Promise<T>): Promise<T> {
  const api = await adminApi();
  try {
    return await use(api);
  } finally {
    await api.dispose();
  }
}
