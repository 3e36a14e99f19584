import { describe, expect, it } from 'vitest';
import { parseMountinfo } from './mountinfo.ts';

describe('parseMountinfo', () => {
  it('reads fields around optional tags and the "-" separator', () => {
    const [m] = parseMountinfo('30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev shared:9 master:2 - cgroup2 cgroup2 rw,nsdelegate\n');
    expect(m).toEqual({
      id: 30,
      parentId: 23,
      device: '0:26',
      root: '/',
      mountPoint: '/sys/fs/cgroup',
      mountOptions: ['rw', 'nosuid', 'nodev'],
      fsType: 'cgroup2',
      source: 'cgroup2',
      superOptions: ['rw', 'nsdelegate'],
    });
  });

  it('unescapes octal sequences in paths and skips malformed lines', () => {
    const mounts = parseMountinfo('garbage\n40 22 0:35 /a\\040b /mnt/my\\040disk rw - ext4 /dev/sdb1 rw\n');
    expect(mounts).toHaveLength(1);
    expect(mounts[0]?.mountPoint).toBe('/mnt/my disk');
    expect(mounts[0]?.root).toBe('/a b');
  });
});
