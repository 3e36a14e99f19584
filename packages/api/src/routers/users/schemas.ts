import { z } from 'zod';

export const SiteRole = z.enum(['admin', 'operator', 'viewer']);
export const TeamRole = z.enum(['owner', 'admin', 'operator', 'viewer']);
export const Username = z.string().min(1).max(63);

export const UserView = z.object({
  id: z.string(),
  username: z.string(),
  role: SiteRole.nullable(),
  createdAt: z.date(),
  teams: z.array(z.object({ id: z.string(), name: z.string(), role: TeamRole })),
});
