import { createTRPCClient, httpBatchLink, httpLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '@berth/api';
import { CSRF_COOKIE, CSRF_HEADER } from '@berth/api/csrf-names';

/**
 * The session's CSRF token, from the cookie the gateway sets beside the session cookie, as the
 * header the gateway checks on every state-changing request of a signed-in browser. Every call
 * that changes something sends it: the tRPC links here, and fetch() elsewhere (image load).
 */
export function csrfHeaders(): Record<string, string> {
  if (typeof document === 'undefined') return {};
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === CSRF_COOKIE) return { [CSRF_HEADER]: v.join('=') };
  }
  return {};
}

/** The dashboard's API client: same origin, the session cookie rides along, and the CSRF token as a header. */
export const api = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({ url: '/api/trpc', transformer: superjson }), // GET (SSE): changes nothing
      false: splitLink({
        // the containers table's view: its request leaves at once, not at the end of the task
        // (a batch waits for it, and a click's task renders the new view first: tens of ms).
        // stats samples twice 250 ms apart: in a batch, every answer beside it would wait for it.
        condition: (op) => op.path === 'containers.search' || op.path === 'containers.stats',
        true: httpLink({ url: '/api/trpc', transformer: superjson, headers: csrfHeaders }),
        false: httpBatchLink({ url: '/api/trpc', transformer: superjson, headers: csrfHeaders }),
      }),
    }),
  ],
});

export const isUnauthorized = (err: unknown): boolean => err instanceof TRPCClientError && err.data?.code === 'UNAUTHORIZED';
export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
