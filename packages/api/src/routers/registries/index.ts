import { z } from 'zod';
import { listRegistryCredentials, removeRegistryCredential, saveRegistryCredential } from '@berth/core';
import { AppError } from '@berth/core';
import { authedProcedure, roleProcedure, router, type Context } from '../../trpc.ts';

function box(ctx: Context) {
  if (!ctx.secrets) throw new AppError('INVALID', 'this control plane has no secret key to seal credentials with: start it with BERTH_SECRET_KEY_FILE (berth up makes one)');
  return ctx.secrets;
}

/** `docker login`: admins store a registry's credentials, sealed; no procedure ever returns the password. */
const login = roleProcedure('admin', 'storing registry credentials').meta({ action: 'registry.login' })
  .input(z.object({ registry: z.string().min(1).max(255), username: z.string().min(1).max(256), password: z.string().min(1).max(8192) }))
  .output(z.object({ registry: z.string(), username: z.string() }))
  .mutation(({ ctx, input }) => saveRegistryCredential(ctx.actor, input, box(ctx), ctx.db));

const logout = roleProcedure('admin', 'removing registry credentials').meta({ action: 'registry.logout' })
  .input(z.object({ registry: z.string().min(1).max(255) }))
  .output(z.object({ registry: z.string() }))
  .mutation(({ ctx, input }) => removeRegistryCredential(ctx.actor, input.registry, ctx.db));

const list = authedProcedure
  .output(z.array(z.object({ registry: z.string(), username: z.string(), updatedAt: z.date() })))
  .query(({ ctx }) => listRegistryCredentials(ctx.actor, ctx.db));

export const registriesRouter = router({ login, logout, list });
