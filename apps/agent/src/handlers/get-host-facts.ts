import type { OperationParams, OperationResult } from '@berth/protocol';
import type { AgentContext } from './types.ts';

export const getHostFacts = (_p: OperationParams<'host.facts'>, ctx: AgentContext): Promise<OperationResult<'host.facts'>> => ctx.facts();
