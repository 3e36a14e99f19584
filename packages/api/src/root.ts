import { router } from './trpc.ts';
import { auditRouter } from './routers/audit/index.ts';
import { authRouter } from './routers/auth/index.ts';
import { containersRouter } from './routers/containers/index.ts';
import { eventsRouter } from './routers/events/index.ts';
import { hostsRouter } from './routers/hosts/index.ts';
import { imagesRouter } from './routers/images/index.ts';
import { registriesRouter } from './routers/registries/index.ts';
import { health } from './routers/system/health.ts';
import { volumesRouter } from './routers/volumes/index.ts';
import { networksRouter } from './routers/networks/index.ts';
import { servicesRouter, stacksRouter } from './routers/services/index.ts';
import { secretsRouter } from './routers/secrets/index.ts';
import { usersRouter } from './routers/users/index.ts';
import { teamsRouter } from './routers/teams/index.ts';
import { invitationsRouter } from './routers/invitations/index.ts';

export const appRouter = router({ health, auth: authRouter, hosts: hostsRouter, audit: auditRouter, events: eventsRouter, containers: containersRouter, images: imagesRouter, volumes: volumesRouter, networks: networksRouter, registries: registriesRouter, services: servicesRouter, stacks: stacksRouter, secrets: secretsRouter, users: usersRouter, teams: teamsRouter, invitations: invitationsRouter });
export type AppRouter = typeof appRouter;
