import { Operations, type MuxStream, type OperationName, type OperationParams, type OperationResult } from '@berth/protocol';
import { getHostFacts } from './get-host-facts.ts';
import { pingSystem } from './ping-system.ts';
import { HandlerError, type AgentContext } from './types.ts';

/** A request's byte stream, when the control plane opened one for it (logs, exec). */
export interface RequestIo {
  stream: MuxStream | null;
}

type Handlers = { [K in OperationName]: (params: OperationParams<K>, ctx: AgentContext, io: RequestIo) => Promise<OperationResult<K>> };

// The compiler checks that every operation in the protocol has exactly one handler here.
const handlers: Handlers = {
  'host.facts': getHostFacts,
  'system.ping': pingSystem,
};

/** Validates the params against the protocol, then runs the operation's handler. */
export async function dispatch(op: string, params: unknown, ctx: AgentContext, io: RequestIo = { stream: null }): Promise<unknown> {
  if (!Object.hasOwn(Operations, op)) throw new HandlerError('unknown_operation', `this agent does not know operation ${JSON.stringify(op).slice(0, 80)}: upgrade it`);
  const name = op as OperationName;
  const parsed = Operations[name].params.safeParse(params);
  if (!parsed.success) throw new HandlerError('invalid_params', `invalid params for ${name}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return (handlers[name] as (p: unknown, c: AgentContext, io: RequestIo) => Promise<unknown>)(parsed.data, ctx, io);
}

export { HandlerError, type AgentContext } from './types.ts';
