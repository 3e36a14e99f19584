'use client';
import { notifyManager, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';

// An answer reaches the components in the task that read it, not in a timer after it: a filter
// change's rows rendered one task and up to 4 ms later (react-query batches its notifications in
// a setTimeout(0) by default; a microtask batches them the same within the task).
if (typeof window !== 'undefined') notifyManager.setScheduler(queueMicrotask);

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(() => new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: true } } }));
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
