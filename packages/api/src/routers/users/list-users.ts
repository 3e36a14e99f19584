import { z } from 'zod';
import { listUsers as list } from '@berth/core';
import { roleProcedure } from '../../trpc.ts';
import { UserView } from './schemas.ts';

/** Every user with their site role and teams: site admins only. */
export const listUsers = roleProcedure('admin', 'listing users').output(z.array(UserView)).query(({ ctx }) => list(ctx.actor, ctx.db));
