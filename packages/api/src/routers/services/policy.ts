import { requireRole, type Actor } from '@berth/core';
import type { ServiceSpec } from '@berth/protocol';
import { adminOnlyFeatures } from '../containers/policy.ts';

/**
 * A service runs its containers on every host it lands on: what would need the admin role in
 * `docker run` needs it in the service too (privileged, host paths, host capabilities).
 * The spec is the procedure's input, already checked by its schema.
 */
export function checkServicePolicy(actor: Actor, spec: ServiceSpec): void {
  const reasons = adminOnlyFeatures(spec.container);
  if (reasons.length) requireRole(actor, 'admin', `a service with ${reasons.join(', ')}`);
}
