// File capabilities (the security.capability xattr, e.g. ping's cap_net_raw) under a user
// namespace. A v1/v2 xattr belongs to the host's root: the kernel ignores it inside a namespace
// whose root is another host uid. A v3 xattr names its root (rootid), so a layer unpacked for
// a remap gets v3 with the rootid shifted to the range: the capabilities work for the
// container's root as they would without remapping (what the kernel itself writes when a
// namespaced root sets them).

const REVISION_MASK = 0xff000000;
const REVISION_1 = 0x01000000;
const REVISION_2 = 0x02000000;
const REVISION_3 = 0x03000000;
const FLAGS_MASK = ~REVISION_MASK >>> 0;

/**
 * The xattr as v3 with its root shifted by `toHost` (container id → host id), or null when it
 * cannot be read or its root has no host id (the capability is dropped: the kernel would
 * ignore it anyway).
 */
export function shiftFileCapability(value: Buffer, toHost: (id: number) => number | null): Buffer | null {
  if (value.length < 4) return null;
  const magic = value.readUInt32LE(0);
  const revision = (magic & REVISION_MASK) >>> 0;
  let data: Buffer;
  let rootid = 0;
  if (revision === REVISION_1 && value.length === 12) data = Buffer.concat([value.subarray(4, 12), Buffer.alloc(8)]);
  else if (revision === REVISION_2 && value.length === 20) data = value.subarray(4, 20);
  else if (revision === REVISION_3 && value.length === 24) {
    data = value.subarray(4, 20);
    rootid = value.readUInt32LE(20);
  } else return null;
  const hostRoot = toHost(rootid);
  if (hostRoot === null) return null;
  const out = Buffer.alloc(24);
  out.writeUInt32LE((REVISION_3 | (magic & FLAGS_MASK)) >>> 0, 0);
  data.copy(out, 4);
  out.writeUInt32LE(hostRoot, 20);
  return out;
}

/**
 * The reverse, for commits: a v3 xattr whose root is the range start becomes the plain v2 an
 * image carries (its capabilities for whoever is root). Null when its root is not mapped.
 */
export function unshiftFileCapability(value: Buffer, toContainer: (hostId: number) => number | null): Buffer | null {
  if (value.length !== 24 || ((value.readUInt32LE(0) & REVISION_MASK) >>> 0) !== REVISION_3) return value;
  const root = toContainer(value.readUInt32LE(20));
  if (root === null) return null;
  if (root !== 0) return shiftFileCapability(value, () => root);
  const out = Buffer.alloc(20);
  out.writeUInt32LE((REVISION_2 | (value.readUInt32LE(0) & FLAGS_MASK)) >>> 0, 0);
  value.copy(out, 4, 4, 20);
  return out;
}
