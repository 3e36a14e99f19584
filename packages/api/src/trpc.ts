import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import type { Db, Role } from '@berth/db';
import { AppError, auditRefusal, requireHostRole, toView, requireRole, requireRoleSomewhere, type Actor, type AnyRole, type AppErrorCode, type FleetDispatcher, type HostView, type SecretBox } from '@berth/core';
import { isRefusalRecorded, refusalAction, type AuditAction } from './refusal-action.ts';
import { transformer } from './transformer.ts';

export interface Context {
  db: Db;
  actor: Actor | null;
  remoteAddr: string | null;
  source: Actor['source'];
  fleet: FleetDispatcher;
  /** Seals and opens stored secrets (registry passwords); null when no key was configured. */
  secrets: SecretBox | null;
  /** The session cookie's value, when the call came with one. */
  sessionToken: string | null;
  /** Sets (or with maxAge 0, clears) the session cookie on the response. */
  setSessionCookie(token: string, maxAgeSeconds: number): void;
}

const HTTP_CODE: Record<AppErrorCode, TRPCError['code']> = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  INVALID: 'BAD_REQUEST',
  HOST_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  AGENT_ERROR: 'INTERNAL_SERVER_ERROR',
  TIMEOUT: 'TIMEOUT',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
};

/**
 * What a procedure declares about itself. `host`: it acts on the host its input names (`host`,
 * by name or id) and needs `role` on that host's team; `optional` when without a host it works
 * across the fleet (and filters to the teams the caller sees itself).
 */
export interface Meta {
  host?: { role: AnyRole; what: string; optional?: boolean };
  /**
   * `teamObject`: it reads or changes a team's service, stack, secret or config (named by its
   * input's `name`), or creates one in its input's `team`; the service checks the object's
   * team itself (another team's is NOT_FOUND as an unknown one).
   */
  teamObject?: { kind: 'service' | 'stack' | 'secret'; role: AnyRole; what: string };
  /**
   * `action`: the audit action its change is recorded under (`container.create`), or a function
   * of its raw input giving it, so that a refusal is recorded under the same name as a success.
   */
  action?: AuditAction;
}

const t = initTRPC.context<Context>().meta<Meta>().create({
  transformer,
  // event streams stay open for hours: pings keep proxies from closing idle ones
  sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 40_000 } },
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const app = cause instanceof AppError ? cause : null;
    const issues = cause instanceof ZodError ? cause.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`) : undefined;
    return {
      ...shape,
      message: app ? app.message : issues ? `invalid input: ${issues.join('; ')}` : error.code === 'INTERNAL_SERVER_ERROR' ? 'internal error: see the control plane log' : shape.message,
      data: { ...shape.data, stack: undefined, appCode: app?.code ?? null, details: app?.details ?? null },
    };
  },
});

/** Turns domain errors into tRPC errors with the mapped code; the formatter keeps the message. */
const mapErrors = t.middleware(async ({ ctx, next, type, path, meta, getRawInput }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const app = result.error.cause;
    // a change refused for want of a role is recorded, under the action its success is recorded
    // under (meta.action: container.create), else under the procedure's path (containers.wait);
    // once: not when the procedure recorded it itself, with more to say (refusalRecorded)
    if (app.code === 'FORBIDDEN' && type === 'mutation' && ctx.actor && !isRefusalRecorded(app)) {
      const raw = (await getRawInput().catch(() => undefined)) as { host?: unknown } | undefined;
      const hostRef = raw && typeof raw === 'object' && typeof raw.host === 'string' ? raw.host.slice(0, 64) : null;
      await auditRefusal(ctx.actor, { action: refusalAction(meta, path, raw), hostRef, error: app.message }, ctx.db);
    }
    throw new TRPCError({ code: HTTP_CODE[app.code], message: app.message, cause: app });
  }
  return result;
});

/**
 * For errors raised after a procedure has returned, where the middleware no longer sees them
 * (inside a subscription's stream): domain errors get their mapped code, so that a client
 * does not take "no such container" for a transient failure and retry.
 */
export function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError) return err;
  if (err instanceof AppError) return new TRPCError({ code: HTTP_CODE[err.code], message: err.message, cause: err });
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: (err as Error)?.message ?? String(err), cause: err });
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(mapErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.actor) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in, or pass an API token (Authorization: Bearer berth_…)' });
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});

/**
 * A procedure that acts on one host, named by its input's `host`: the caller needs `role` on
 * the host's team (site roles count on every team, a token's scope caps them). A host of a
 * team the caller does not see is NOT_FOUND exactly as an unknown one. The host is handed on
 * in ctx.host. With `optional`, a call without a host passes (a fleet-wide list, which filters
 * by team itself).
 */
export const hostProcedure = (role: AnyRole, what: string, opts: { optional?: boolean } = {}) =>
  authedProcedure.meta({ host: { role, what, ...(opts.optional ? { optional: true } : {}) } }).use(async ({ ctx, next, getRawInput }) => {
    const raw = (await getRawInput()) as { host?: unknown } | undefined;
    const ref = raw && typeof raw === 'object' ? raw.host : undefined;
    if (ref === undefined && opts.optional) {
      requireRoleSomewhere(ctx.actor, role, what);
      return next({ ctx: { ...ctx, host: null as HostView | null } });
    }
    if (typeof ref !== 'string' || ref.length === 0 || ref.length > 64) throw new AppError('INVALID', 'invalid input: host: give the name or id of a host (`berth hosts` lists them)');
    // one read: the host, checked, with its team
    const host = toView(await requireHostRole(ctx.actor, ref, role, what, ctx.db));
    return next({ ctx: { ...ctx, host: host as HostView | null } });
  });

/**
 * A procedure whose service checks the team itself (join tokens, SSH installs): refused at once
 * when the caller has `role` on no team at all.
 */
export const teamRoleProcedure = (role: AnyRole, what: string) =>
  authedProcedure.use(({ ctx, next }) => {
    requireRoleSomewhere(ctx.actor, role, what);
    return next();
  });

/**
 * A procedure on a team's objects (services, stacks, secrets and configs), whose service finds
 * the object among the teams the caller sees and checks `role` on its team. A change is
 * refused at once when the caller has `role` on no team at all; a read filters by team.
 */
export const teamObjectProcedure = (kind: NonNullable<Meta['teamObject']>['kind'], role: AnyRole, what: string) =>
  authedProcedure.meta({ teamObject: { kind, role, what } }).use(({ ctx, next }) => {
    if (role !== 'viewer') requireRoleSomewhere(ctx.actor, role, what);
    return next();
  });

/** A site-wide procedure that only actors with at least `role` as their site role may call; checked again in the service. */
export const roleProcedure = (role: Role, what: string) =>
  authedProcedure.use(({ ctx, next }) => {
    try {
      requireRole(ctx.actor, role, what);
    } catch (err) {
      throw new TRPCError({ code: 'FORBIDDEN', message: (err as Error).message, cause: err });
    }
    return next();
  });
