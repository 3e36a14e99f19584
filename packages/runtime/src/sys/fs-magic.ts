// statfs f_type magic numbers, named as `docker info` names a "Backing Filesystem"
// (moby daemon/graphdriver/driver_linux.go).
const FS_NAMES: ReadonlyMap<number, string> = new Map([
  [0x61756673, 'aufs'],
  [0x9123683e, 'btrfs'],
  [0x28cd3d45, 'cramfs'],
  [0x0000f15f, 'ecryptfs'],
  [0x0000ef53, 'extfs'],
  [0xf2f52010, 'f2fs'],
  [0x47504653, 'gpfs'],
  [0x000072b6, 'jffs2'],
  [0x3153464a, 'jfs'],
  [0x00006969, 'nfs'],
  [0x858458f6, 'ramfs'],
  [0x52654973, 'reiserfs'],
  [0x0000517b, 'smb'],
  [0x73717368, 'squashfs'],
  [0x01021994, 'tmpfs'],
  [0xa501fcf5, 'vxfs'],
  [0x58465342, 'xfs'],
  [0x2fc12fc1, 'zfs'],
  [0x794c7630, 'overlayfs'],
  [0x65735546, 'fuse'],
  [0x63677270, 'cgroup2'],
  [0x0027e0eb, 'cgroup'],
]);

/** Docker's name for a statfs magic number, or `<unknown>` with the number in hex. */
export function fsTypeName(magic: number): string {
  // Some platforms report the magic as a signed 32-bit value.
  return FS_NAMES.get(magic >>> 0) ?? `<unknown 0x${(magic >>> 0).toString(16)}>`;
}
