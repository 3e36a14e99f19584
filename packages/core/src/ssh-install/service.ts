// The control plane's side of `host add --ssh`: for the dashboard (and later the CLI) the SSH
// connection is made by the control plane process, which creates the join token itself, sees
// the enrollment in its own database, and records the attempt in the audit log.
import { db as defaultDb, type Db } from '@berth/db';
import type { Actor } from '../actor.ts';
import { requireRoleSomewhere } from '../actor.ts';
import { appendAudit } from '../audit/service.ts';
import { createJoinToken } from '../join-tokens/service.ts';
import { installAgentOverSsh, type InstallResult, type InstallStep } from './install.ts';
import type { SshAuth } from './ssh.ts';

export interface AddHostOverSshInput {
  address: string;
  port?: number;
  username: string;
  /** Used for this one connection; never stored, never audited. */
  auth: SshAuth;
  /** The fingerprint the user accepted (shown by a previous HostKeyUnknownError). */
  knownHostKey?: string;
  hostName: string;
  /** The team the host joins (see createJoinToken when absent). */
  team?: string;
  /** The URL the host's agent dials: wss://…/agent. */
  controlPlaneUrl: string;
  allowInsecure?: boolean;
  pinSha256?: string;
}

export interface AddHostOverSshDeps {
  /** The berth release or checkout to install from (where this control plane runs from). */
  source: string;
  db?: Db;
  onStep?: (step: InstallStep) => void;
  signal?: AbortSignal;
  enrollTimeoutMs?: number;
}

/** Creates a single-use join token, installs the agent over SSH and waits for it to enroll. */
export async function addHostOverSsh(actor: Actor, input: AddHostOverSshInput, deps: AddHostOverSshDeps): Promise<InstallResult> {
  // the team itself is checked when the join token is made (admin of that team)
  requireRoleSomewhere(actor, 'admin', 'adding a host over SSH');
  const db = deps.db ?? defaultDb();
  let jt: { id: string; token: string } | undefined;
  const params = { address: input.address, port: input.port ?? 22, username: input.username, hostName: input.hostName, method: 'password' in input.auth ? 'password' : 'private key', controlPlaneUrl: input.controlPlaneUrl };
  try {
    const result = await installAgentOverSsh({
      host: input.address,
      ...(input.port ? { port: input.port } : {}),
      username: input.username,
      auth: input.auth,
      ...(input.knownHostKey ? { knownHostKey: input.knownHostKey } : {}),
      controlPlaneUrl: input.controlPlaneUrl,
      // made only once the host key is verified and the host checked
      joinToken: async () => (jt = await createJoinToken(actor, { hostName: input.hostName, maxUses: 1, ttlSeconds: 900, ...(input.team ? { team: input.team } : {}) }, db)).token,
      hostName: input.hostName,
      source: deps.source,
      ...(input.allowInsecure ? { allowInsecure: true } : {}),
      ...(input.pinSha256 ? { pinSha256: input.pinSha256 } : {}),
      waitForHost: async (signal) => {
        while (!signal.aborted) {
          const h = await db.host.findUnique({ where: { name: input.hostName }, select: { enrolledAt: true } });
          if (h?.enrolledAt) return;
          await new Promise((r) => setTimeout(r, 500));
        }
      },
      ...(deps.enrollTimeoutMs ? { enrollTimeoutMs: deps.enrollTimeoutMs } : {}),
      ...(deps.onStep ? { onStep: deps.onStep } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    await db.$transaction((tx) => appendAudit(tx, actor, { action: 'host.add-ssh', objectType: 'host', objectId: input.hostName, params: { ...params, fingerprint: result.fingerprint }, outcome: 'ok' }));
    return result;
  } catch (err) {
    await db.$transaction((tx) => appendAudit(tx, actor, { action: 'host.add-ssh', objectType: 'host', objectId: input.hostName, params, outcome: 'error', error: (err as Error).message })).catch(() => {});
    throw err;
  } finally {
    // an unused token must not stay valid for 15 minutes after a failed install
    if (jt) await db.joinToken.updateMany({ where: { id: jt.id, uses: 0 }, data: { revokedAt: new Date() } }).catch(() => {});
  }
}
