// Errors of an installation over SSH. Each says which host, what went wrong and what to do next;
// none ever carries a password, a private key or a join token.

export class SshInstallError extends Error {
  constructor(
    message: string,
    /** The step that failed (1-based), when known. */
    readonly step?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SshInstallError';
  }
}

/** The host presented a key nobody has accepted yet: show `fingerprint`, ask, retry with it pinned. */
export class HostKeyUnknownError extends SshInstallError {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly fingerprint: string,
    readonly keyType: string,
  ) {
    super(`the host key of ${host}:${port} is not known yet: its ${keyType} key has the fingerprint ${fingerprint}. Check it on the host (ssh-keygen -lf /etc/ssh/ssh_host_${keyFileName(keyType)}_key.pub) and accept it to continue`, 2);
    this.name = 'HostKeyUnknownError';
  }
}

/** The host presented another key than the pinned one: possibly an attacker in the middle. Never connect. */
export class HostKeyChangedError extends SshInstallError {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly expected: string,
    readonly fingerprint: string,
  ) {
    super(`the host key of ${host}:${port} has changed: it was pinned as ${expected} but the host now presents ${fingerprint}. Refusing to connect: someone may be intercepting the connection. If the host was reinstalled, check the new fingerprint on it and pin that one instead`, 2);
    this.name = 'HostKeyChangedError';
  }
}

/** The name OpenSSH gives the host key file of a key type: ssh-ed25519 -> ed25519. */
export function keyFileName(keyType: string): string {
  if (keyType.includes('ed25519')) return 'ed25519';
  if (keyType.startsWith('ecdsa')) return 'ecdsa';
  if (keyType.includes('rsa')) return 'rsa';
  return keyType;
}
