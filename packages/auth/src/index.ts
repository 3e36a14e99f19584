export * from './passwords.ts';
export * from './tokens.ts';
export * from './agent-identity.ts';
