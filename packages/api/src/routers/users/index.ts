import { router } from '../../trpc.ts';
import { createUser } from './create-user.ts';
import { listUsers } from './list-users.ts';
import { removeUser } from './remove-user.ts';
import { setSiteRole } from './set-site-role.ts';

export const usersRouter = router({ create: createUser, list: listUsers, setSiteRole, remove: removeUser });
