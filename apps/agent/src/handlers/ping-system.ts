import type { OperationParams, OperationResult } from '@berth/protocol';

export const pingSystem = async (_p: OperationParams<'system.ping'>): Promise<OperationResult<'system.ping'>> => ({ pong: true, at: Date.now() });
