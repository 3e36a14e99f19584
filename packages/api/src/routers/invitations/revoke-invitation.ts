import { z } from 'zod';
import { revokeInvitation as revoke } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';
import { InvitationView } from './schemas.ts';

export const revokeInvitation = authedProcedure.meta({ action: 'invitation.revoke' }).input(z.object({ id: z.string().uuid() })).output(InvitationView).mutation(({ ctx, input }) => revoke(ctx.actor, input.id, ctx.db));
