/**
 * The agent protocol's version. Agent and control plane talk when their majors match;
 * a newer minor only adds optional fields and operations, which the older side ignores.
 */
// 1.1: inventory carries containers, images and volumes
// 1.2: networks (network.* operations, inventory networks, container ports and networks)
// 1.3: healthchecks (ContainerSummary.health, container events health_status: healthy|unhealthy)
// 1.4: secrets and configs (container.create files, its result's files count)
export const PROTOCOL_VERSION = '1.4';

export function parseVersion(v: string): { major: number; minor: number } | null {
  const m = /^(\d+)\.(\d+)$/.exec(v);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : null;
}

/** Why `theirs` cannot talk to `ours`, or null when they can. */
export function incompatibility(ours: string, theirs: string): string | null {
  const a = parseVersion(ours);
  const b = parseVersion(theirs);
  if (!a || !b) return `malformed protocol version ${JSON.stringify(theirs)}`;
  if (a.major !== b.major) return `protocol ${theirs} is not compatible with ${ours}: upgrade the ${b.major < a.major ? 'agent' : 'control plane'} so both speak protocol ${Math.max(a.major, b.major)}.x`;
  return null;
}
