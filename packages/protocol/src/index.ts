export * from './version.ts';
export * from './facts.ts';
export * from './messages.ts';
export * from './operations.ts';
export * from './streams.ts';
export * from './images.ts';
export * from './containers.ts';
export * from './volumes.ts';
