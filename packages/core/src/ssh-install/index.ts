// Installing the agent on a remote host over SSH (ssh2), verifying and pinning its host key.
export { installAgentOverSsh, uninstallAgentOverSsh } from './install.ts';
export type { InstallAgentOptions, InstallResult, InstallStep, StepStatus, UninstallAgentOptions } from './install.ts';
export { connectSsh, keyTypeOf } from './ssh.ts';
export type { SshAuth, SshSession, SshTarget } from './ssh.ts';
export { HostKeyChangedError, HostKeyUnknownError, SshInstallError } from './errors.ts';
export { fingerprintOf, parseFingerprint } from './fingerprint.ts';
export { remoteCommand, shQuote } from './quote.ts';
export { agentBundlePaths, createAgentBundle } from './bundle.ts';
export { addHostOverSsh } from './service.ts';
export type { AddHostOverSshInput } from './service.ts';
