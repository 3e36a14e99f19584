import { router } from './trpc.ts';
import { auditRouter } from './routers/audit/index.ts';
import { authRouter } from './routers/auth/index.ts';
import { eventsRouter } from './routers/events/index.ts';
import { hostsRouter } from './routers/hosts/index.ts';
import { health } from './routers/system/health.ts';

export const appRouter = router({ health, auth: authRouter, hosts: hostsRouter, audit: auditRouter, events: eventsRouter });
export type AppRouter = typeof appRouter;
