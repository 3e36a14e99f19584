import { AppError, requireRole, type Actor } from '@berth/core';
import type { ServiceSpecInput } from '@berth/protocol';
import { ServiceSpec } from '@berth/protocol';
import { adminOnlyFeatures } from '../containers/policy.ts';

/**
 * A service runs its containers on every host it lands on: what would need the admin role in
 * `docker run` needs it in the service too (privileged, host paths, host capabilities).
 */
export function checkServicePolicy(actor: Actor, input: ServiceSpecInput): void {
  const parsed = ServiceSpec.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('INVALID', `service spec: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const reasons = adminOnlyFeatures(parsed.data.container);
  if (reasons.length) requireRole(actor, 'admin', `a service with ${reasons.join(', ')}`);
}
