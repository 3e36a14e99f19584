import type { QueryClient, QueryKey } from '@tanstack/react-query';

/**
 * Reads the queries under `queryKey` again because something they show has changed.
 *
 * invalidateQueries alone can miss the change: a query still on its first read is not read again,
 * the read in flight is reused (react-query cancels and restarts only a query that has data), and
 * that read may have left before the change. Such queries are read once more when it lands.
 */
export async function refresh(client: QueryClient, queryKey: QueryKey): Promise<void> {
  const firstReads = client
    .getQueryCache()
    .findAll({ queryKey })
    .filter((q) => q.state.fetchStatus === 'fetching' && q.state.data === undefined)
    .map((q) => q.queryKey);
  await client.invalidateQueries({ queryKey });
  await Promise.all(firstReads.map((key) => client.invalidateQueries({ queryKey: key, exact: true })));
}
