import { z } from 'zod';
import { createService, deployStack, getService, listServices, listStacks, removeService, removeStack, rollbackService, scaleService, updateService } from '@berth/core';
import { ServiceName, ServiceSpec, StackSpec } from '@berth/protocol';
import { router, teamObjectProcedure } from '../../trpc.ts';
import { deployCompose } from './deploy-compose.ts';
import { checkServicePolicy } from './policy.ts';

// A service is named by its full name (STACK_NAME for a stack's).
const Name = z.string().min(1).max(140).regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'a service is named by its name');
const Written = z.object({ id: z.string(), name: z.string(), version: z.number().int() });
/** The team a new service or stack goes to, by name or id (optional when the caller has one). */
export const TeamRef = z.string().min(1).max(64).optional();

/** `docker service ls` */
const list = teamObjectProcedure('service', 'viewer', 'listing services').input(z.object({ stack: ServiceName.optional() }).default({})).query(({ ctx, input }) => listServices(ctx.actor, input, ctx.db));

/** `docker service inspect` and `docker service ps`: the spec, its versions, the timeline and the replicas. */
const get = teamObjectProcedure('service', 'viewer', 'inspecting a service').input(z.object({ name: Name })).query(({ ctx, input }) => getService(ctx.actor, input.name, ctx.db));

const create = teamObjectProcedure('service', 'operator', 'creating a service').meta({ action: 'service.create' })
  .input(z.object({ spec: ServiceSpec, team: TeamRef }))
  .output(Written)
  .mutation(({ ctx, input }) => {
    checkServicePolicy(ctx.actor, input.spec);
    return createService(ctx.actor, { spec: input.spec, ...(input.team ? { team: input.team } : {}) }, ctx.db);
  });

/** `docker service update`: the whole new spec, and the version it was made from. */
const update = teamObjectProcedure('service', 'operator', 'updating a service').meta({ action: 'service.update' })
  .input(z.object({ name: Name, spec: ServiceSpec, expectedVersion: z.number().int().positive() }))
  .output(Written)
  .mutation(({ ctx, input }) => {
    checkServicePolicy(ctx.actor, input.spec);
    return updateService(ctx.actor, input.name, { spec: input.spec, expectedVersion: input.expectedVersion }, ctx.db);
  });

const scale = teamObjectProcedure('service', 'operator', 'scaling a service').meta({ action: 'service.scale' })
  .input(z.object({ name: Name, replicas: z.number().int().min(0).max(10_000), expectedVersion: z.number().int().positive().optional() }))
  .output(Written)
  .mutation(({ ctx, input }) => scaleService(ctx.actor, input.name, input.replicas, input.expectedVersion, ctx.db));

const rollback = teamObjectProcedure('service', 'operator', 'rolling back a service').meta({ action: 'service.rollback' }).input(z.object({ name: Name })).output(Written).mutation(({ ctx, input }) => rollbackService(ctx.actor, input.name, ctx.db));

const remove = teamObjectProcedure('service', 'operator', 'removing a service').meta({ action: 'service.remove' }).input(z.object({ name: Name })).mutation(({ ctx, input }) => removeService(ctx.actor, input.name, ctx.db));

export const servicesRouter = router({ list, get, create, update, scale, rollback, remove });

/** `docker stack deploy` of a parsed stack (the compose file is parsed by stacks.deployCompose). */
const deploy = teamObjectProcedure('stack', 'operator', 'deploying a stack').meta({ action: 'stack.deploy' })
  .input(z.object({ spec: StackSpec, team: TeamRef }))
  .mutation(({ ctx, input }) => {
    for (const s of input.spec.services) checkServicePolicy(ctx.actor, s);
    return deployStack(ctx.actor, input.spec, ctx.db, ctx.secrets, input.team);
  });

const stackList = teamObjectProcedure('stack', 'viewer', 'listing stacks').query(({ ctx }) => listStacks(ctx.actor, ctx.db));
const stackRemove = teamObjectProcedure('stack', 'operator', 'removing a stack').meta({ action: 'stack.remove' }).input(z.object({ name: ServiceName })).mutation(({ ctx, input }) => removeStack(ctx.actor, input.name, ctx.db));

export const stacksRouter = router({ deploy, deployCompose, list: stackList, remove: stackRemove });
