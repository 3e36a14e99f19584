// A user namespace's id mappings, as the OCI runtime spec writes them (linux.uidMappings and
// gidMappings): container ids [containerID, containerID+size) are host ids [hostID, hostID+size).
// Docker's userns-remap maps the container's 0 to the start of a subordinate range.

export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface IdMappings {
  uidMappings: IdMapping[];
  gidMappings: IdMapping[];
}

/** The ids the kernel shows for a host id with no mapping in the namespace (overflowuid). */
export const OVERFLOW_ID = 65534;

/** Maps container id 0 to `uidStart` (and `gidStart`) for `size` ids each. */
export function remapMappings(uid: { start: number; size: number }, gid: { start: number; size: number }): IdMappings {
  return {
    uidMappings: [{ containerID: 0, hostID: uid.start, size: uid.size }],
    gidMappings: [{ containerID: 0, hostID: gid.start, size: gid.size }],
  };
}

/** The host id of a container id, or null when the mappings do not cover it. */
export function toHostId(mappings: readonly IdMapping[], id: number): number | null {
  for (const m of mappings) if (id >= m.containerID && id < m.containerID + m.size) return m.hostID + (id - m.containerID);
  return null;
}

/** The container id of a host id, or null when the mappings do not cover it. */
export function toContainerId(mappings: readonly IdMapping[], hostId: number): number | null {
  for (const m of mappings) if (hostId >= m.hostID && hostId < m.hostID + m.size) return m.containerID + (hostId - m.hostID);
  return null;
}

/** Who the container's root is on the host: what its own files (upper dir, /etc/hosts...) are owned by. */
export function hostRoot(m: IdMappings): { uid: number; gid: number } {
  const uid = toHostId(m.uidMappings, 0);
  const gid = toHostId(m.gidMappings, 0);
  if (uid === null || gid === null) throw new Error('the user namespace mappings do not map the container root (id 0)');
  return { uid, gid };
}

/** "100000-165535" for messages. */
export function describeRange(m: readonly IdMapping[]): string {
  return m.map((x) => `${x.hostID}-${x.hostID + x.size - 1}`).join(',');
}
