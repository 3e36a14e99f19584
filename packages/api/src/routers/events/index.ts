import { router } from '../../trpc.ts';
import { streamEvents } from './stream-events.ts';

export const eventsRouter = router({ stream: streamEvents });
