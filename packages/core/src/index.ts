export * from './errors.ts';
export * from './actor.ts';
export * from './audit/service.ts';
export * from './users/service.ts';
export * from './join-tokens/service.ts';
export * from './hosts/service.ts';
export { redact } from './audit/redact.ts';
export * from './fleet/dispatcher.ts';
