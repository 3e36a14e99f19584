import { router } from '../../trpc.ts';
import { createSecret } from './create-secret.ts';
import { inspectSecret } from './inspect-secret.ts';
import { listSecrets } from './list-secrets.ts';
import { removeSecret } from './remove-secret.ts';

export const secretsRouter = router({ create: createSecret, list: listSecrets, inspect: inspectSecret, remove: removeSecret });
