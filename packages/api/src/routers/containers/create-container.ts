import { z } from 'zod';
import { AppError, appendAudit, rankOf, roleOnTeam } from '@berth/core';
import { ContainerCreate } from '@berth/protocol';
import { hostProcedure } from '../../trpc.ts';
import { auditedCall, HostName, resolveHost } from './agent.ts';
import { adminOnlyFeatures, auditedSpec } from './policy.ts';
import { refusalRecorded } from '../../refusal-action.ts';

const CREATE_TIMEOUT_MS = 120_000;
const START_TIMEOUT_MS = 60_000;

/**
 * `docker create`, and with `start` `docker run -d`: the container stays created when it
 * cannot start, and the error says so. Operators may create containers; --privileged, host
 * bind mounts and host-level capabilities need an admin of the
 * host's team (or a site admin).
 */
export const createContainer = hostProcedure('operator', 'creating a container').meta({ action: 'container.create' })
  .input(z.object({
    host: HostName,
    spec: ContainerCreate,
    start: z.boolean().default(false),
    /** `run --rm` attached: a container that cannot start is removed, as Docker's daemon removes an auto-remove one */
    removeIfNotStarted: z.boolean().default(false),
  }))
  .output(z.object({ id: z.string(), name: z.string(), started: z.boolean() }))
  .mutation(async ({ ctx, input }) => {
    // only the reconciler hands a container its secrets (opened from the sealed store)
    if (input.spec.files.length) throw new AppError('INVALID', 'files are how services get their secrets and configs: create a secret (berth secret create) and a service that mounts it (berth service create --secret)');
    const host = await resolveHost(ctx, input.host);
    const needsAdmin = adminOnlyFeatures(input.spec);
    // a site admin, or an admin (owner) of the host's team
    const role = roleOnTeam(ctx.actor, host.team.id);
    if (needsAdmin.length && rankOf(role) < rankOf('admin')) {
      const error = `${needsAdmin.join(', ')} needs the admin role; ${ctx.actor.name} is ${role} on team ${host.team.name}${ctx.actor.scope ? ` (through a token scoped to ${ctx.actor.scope})` : ''}: ask an admin, or leave it out`;
      await ctx.db.$transaction((tx) => appendAudit(tx, ctx.actor, { action: 'container.create', hostId: host.id, objectType: 'container', objectId: input.spec.name ?? null, params: auditedSpec(input.spec), outcome: 'refused', error }));
      // recorded above with the spec: the middleware does not record it again
      throw refusalRecorded(new AppError('FORBIDDEN', error));
    }
    const created = await auditedCall(ctx, { action: 'container.create', hostId: host.id, objectType: 'container', objectId: input.spec.name ?? null, params: auditedSpec(input.spec) },
      () => ctx.fleet.request(host.id, 'container.create', input.spec, { timeoutMs: CREATE_TIMEOUT_MS }), (r) => r.name);
    if (!input.start) return { ...created, started: false };
    try {
      await auditedCall(ctx, { action: 'container.start', hostId: host.id, objectType: 'container', objectId: created.name },
        () => ctx.fleet.request(host.id, 'container.start', { id: created.id }, { timeoutMs: START_TIMEOUT_MS }));
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'AGENT_ERROR';
      const cause = (err as Error).message;
      // the exit code the engine recorded for the failed start (Docker's: 127 command not found,
      // 126 not executable), for `berth run` to exit with as `docker run` does
      const exitCode = await ctx.fleet.request(host.id, 'container.inspect', { id: created.id }, { timeoutMs: 10_000 }).then(recordedExitCode, () => null);
      const details = { hostId: host.id, id: created.id, name: created.name, exitCode };
      if (input.removeIfNotStarted || input.spec.autoRemove) {
        const removed = await auditedCall(ctx, { action: 'container.remove', hostId: host.id, objectType: 'container', objectId: created.name, params: { force: true, volumes: true } },
          () => ctx.fleet.request(host.id, 'container.remove', { id: created.id, force: true, volumes: true }, { timeoutMs: 60_000 })).then(() => true, () => false);
        if (removed) throw new AppError(code, `container ${created.name} (${created.id.slice(0, 12)}) could not start, and is removed (--rm): ${cause}`, { ...details, removed: true });
      }
      throw new AppError(code, `created container ${created.name} (${created.id.slice(0, 12)}) but could not start it: ${cause} (it stays created: fix the cause and \`berth start ${created.name}\`, or \`berth rm ${created.name}\`)`, details);
    }
    return { ...created, started: true };
  });

/** State.ExitCode of a `docker inspect` document, when it is a number. */
function recordedExitCode(doc: Record<string, unknown>): number | null {
  const state = doc.State as { ExitCode?: unknown } | undefined;
  return typeof state?.ExitCode === 'number' ? state.ExitCode : null;
}
