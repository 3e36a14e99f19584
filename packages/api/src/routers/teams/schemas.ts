import { z } from 'zod';
import { TeamRole, Username } from '../users/schemas.ts';

export const TeamRef = z.string().min(1).max(64);
export const TeamName = z.string().min(1).max(63);
const AnyRole = z.enum(['owner', 'admin', 'operator', 'viewer']);

export const TeamView = z.object({ id: z.string(), name: z.string(), createdAt: z.date(), members: z.number(), hosts: z.number(), myRole: AnyRole.nullable() });
export const MemberView = z.object({ userId: z.string(), username: z.string(), role: TeamRole, since: z.date() });
export const MemberInput = z.object({ team: TeamRef, username: Username });
