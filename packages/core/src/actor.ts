import type { Role } from '@berth/db';
import { AppError } from './errors.ts';

/** Who is asking, and through what: every service call and audit entry carries one. */
export interface Actor {
  kind: 'user' | 'system';
  id: string | null;
  name: string;
  role: Role;
  source: 'web' | 'cli' | 'api' | 'system';
  remoteAddr: string | null;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function requireRole(actor: Actor, role: Role, what: string): void {
  if (RANK[actor.role] < RANK[role]) throw new AppError('FORBIDDEN', `${what} needs the ${role} role; ${actor.name} is ${actor.role}: ask an admin`);
}

export const systemActor = (name = 'berth'): Actor => ({ kind: 'system', id: null, name, role: 'admin', source: 'system', remoteAddr: null });
