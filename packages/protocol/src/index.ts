export * from './version.ts';
export * from './facts.ts';
export * from './messages.ts';
export * from './operations.ts';
export * from './streams.ts';
