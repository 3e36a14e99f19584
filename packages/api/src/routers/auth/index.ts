import { router } from '../../trpc.ts';
import { createApiToken } from './create-api-token.ts';
import { login } from './login.ts';
import { logout } from './logout.ts';
import { me } from './me.ts';

export const authRouter = router({ login, logout, me, createApiToken });
