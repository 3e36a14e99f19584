// A throwaway local registry (Debian's docker-registry) for pull and push tests.
export { startRegistry, REGISTRY_BINARY } from './start-registry.ts';
export type { RunningRegistry, StartRegistryOptions } from './start-registry.ts';
export { registryConfigYaml } from './config.ts';
export type { RegistryConfigOptions } from './config.ts';
export { htpasswdLine } from './htpasswd.ts';
export { freePort } from './free-port.ts';
