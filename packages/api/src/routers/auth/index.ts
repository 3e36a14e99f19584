import { router } from '../../trpc.ts';
import { createApiToken } from './create-api-token.ts';
import { listApiTokens } from './list-api-tokens.ts';
import { login } from './login.ts';
import { logout } from './logout.ts';
import { logoutEverywhere } from './logout-everywhere.ts';
import { me } from './me.ts';
import { revokeApiToken } from './revoke-api-token.ts';

export const authRouter = router({ login, logout, logoutEverywhere, me, createApiToken, listApiTokens, revokeApiToken });
