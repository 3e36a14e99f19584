import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '@berth/api';

/** The dashboard's API client: same origin, the session cookie rides along. */
export const api = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({ url: '/api/trpc', transformer: superjson }),
      false: httpBatchLink({ url: '/api/trpc', transformer: superjson }),
    }),
  ],
});

export const isUnauthorized = (err: unknown): boolean => err instanceof TRPCClientError && err.data?.code === 'UNAUTHORIZED';
export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
