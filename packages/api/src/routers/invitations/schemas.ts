import { z } from 'zod';
import { TeamRole } from '../users/schemas.ts';

export const InvitationView = z.object({
  id: z.string(),
  team: z.string(),
  role: TeamRole,
  createdAt: z.date(),
  expiresAt: z.date(),
  acceptedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  state: z.enum(['pending', 'accepted', 'revoked', 'expired']),
});
export const InvitationToken = z.string().regex(/^bi_[A-Za-z0-9_-]{20,64}$/, 'an invitation token starts with bi_');
