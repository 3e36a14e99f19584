import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describeRange, detectRuntime, hostExec, resolveUsernsRemap, type DetectedRuntime, type UsernsRemap } from '@berth/runtime';
import { ControlPlaneConnection } from './connection/client.ts';
import { bipSubnet, list, loadEnv, type AgentEnv } from './env.ts';
import { openHostEngine } from './engine/host-engine.ts';
import { createHostContext } from './host-context.ts';
import { loadIdentity } from './identity.ts';
import { createLogger } from './log.ts';

export const AGENT_VERSION = '0.1.0';

/** One line on stderr and exit 1: what is wrong and what to do, never a stack trace. */
function fatal(message: string): never {
  process.stderr.write(`berth agent: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) fatal('the agent must run as root: it creates namespaces, cgroups, mounts and network rules (run it from the systemd unit, or with sudo)');
  let env: AgentEnv;
  try {
    env = loadEnv();
  } catch (err) {
    fatal((err as Error).message);
  }
  const log = createLogger(env.BERTH_LOG_LEVEL);
  // one request's mistake must not take the host's engine down with it (containers would run
  // on, but nobody would watch them until systemd restarts the agent)
  process.on('unhandledRejection', (err) => log('error', 'unhandled failure in a request', { err: (err as Error)?.message ?? String(err) }));
  await mkdir(env.BERTH_STATE_DIR, { recursive: true, mode: 0o711 });
  // before anything else touches the host: a remap that cannot be had stops the agent here
  let userns: UsernsRemap | null;
  try {
    userns = await resolveUsernsRemap(env.BERTH_USERNS_REMAP, { exec: hostExec() });
  } catch (err) {
    fatal(`user namespace remapping (BERTH_USERNS_REMAP=${env.BERTH_USERNS_REMAP}): ${(err as Error).message}`);
  }
  if (userns) log('info', 'user namespace remapping on', { user: userns.user, group: userns.group, uids: describeRange(userns.mappings.uidMappings), gids: describeRange(userns.mappings.gidMappings) });
  let detected: DetectedRuntime;
  try {
    detected = await detectRuntime({ stateDir: env.BERTH_STATE_DIR, exec: hostExec(), searchPath: env.PATH, cgroupParent: env.BERTH_CGROUP_PARENT });
  } catch (err) {
    fatal((err as Error).message);
  }
  log('info', 'OCI runtime chosen', { runtime: detected.chosen.name, version: detected.chosen.version, refused: detected.probes.filter((p) => !p.ok).map((p) => `${p.name}: ${p.reason}`) });
  const identity = await loadIdentity(env.BERTH_STATE_DIR).catch((err: Error) => fatal(err.message));
  const hostName = env.BERTH_HOST_NAME ?? hostname().toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  // events raised before the connection exists (adopting containers at start) are not lost:
  // the inventory sent on connect carries the state they describe
  let emit: (kind: string, data: Record<string, unknown>) => void = () => {};
  const engine = await openHostEngine({
    stateDir: env.BERTH_STATE_DIR,
    detected,
    cgroupParent: env.BERTH_CGROUP_PARENT,
    searchPath: env.PATH,
    registry: { mirrors: list(env.BERTH_REGISTRY_MIRRORS), insecure: list(env.BERTH_INSECURE_REGISTRIES) },
    bridge: env.BERTH_BRIDGE === 'none' ? null : { name: env.BERTH_BRIDGE, ...bipSubnet(env.BERTH_BIP) },
    ipForward: env.BERTH_IP_FORWARD === '1',
    nftTable: env.BERTH_NFT_TABLE,
    dnsServers: list(env.BERTH_DNS),
    userns,
    emit: (kind, data) => emit(kind, data),
    log,
  }).catch((err: Error) => fatal(`cannot open the container engine: ${err.message}`));
  const conn = new ControlPlaneConnection({
    url: env.BERTH_CONTROL_PLANE,
    hostName,
    ...(env.BERTH_JOIN_TOKEN ? { joinToken: env.BERTH_JOIN_TOKEN } : {}),
    ...(env.BERTH_CA_FILE ? { caFile: env.BERTH_CA_FILE } : {}),
    ...(env.BERTH_PIN_SHA256 ? { pinSha256: env.BERTH_PIN_SHA256 } : {}),
    identity,
    idempotencyDir: join(env.BERTH_STATE_DIR, 'commands'),
    agentVersion: AGENT_VERSION,
    ctx: createHostContext({ stateDir: env.BERTH_STATE_DIR, agentVersion: AGENT_VERSION, detected, engine, emit: (kind, data) => emit(kind, data) }),
    log,
    onFatal: (message) => fatal(`the control plane refused this agent: ${message}`),
  });
  emit = (kind, data) => {
    conn.event(kind, data);
    conn.inventoryChanged();
  };
  await conn.start();
  const stop = () => {
    log('info', 'agent stopping; containers keep running');
    conn.stop();
    // the engine's watchers stop; conmon keeps every container running
    void engine.close().finally(() => setTimeout(() => process.exit(0), 200).unref());
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

await main();
