/** One line of /proc/self/mountinfo (see proc(5)). */
export interface MountInfo {
  id: number;
  parentId: number;
  /** major:minor of the device. */
  device: string;
  /** Path inside the filesystem that is mounted (not "/" for bind mounts). */
  root: string;
  mountPoint: string;
  mountOptions: string[];
  fsType: string;
  source: string;
  superOptions: string[];
}

/** Parses /proc/self/mountinfo text. Malformed lines are skipped rather than fatal. */
export function parseMountinfo(text: string): MountInfo[] {
  const mounts: MountInfo[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    // Optional fields (shared:N, master:N) end at a lone "-".
    const dash = fields.indexOf('-', 6);
    if (fields.length < 7 || dash < 0 || fields.length < dash + 3) continue;
    const [id, parentId, device, root, mountPoint, mountOptions] = fields;
    mounts.push({
      id: Number(id),
      parentId: Number(parentId),
      device: device ?? '',
      root: unescapeOctal(root ?? ''),
      mountPoint: unescapeOctal(mountPoint ?? ''),
      mountOptions: (mountOptions ?? '').split(','),
      fsType: fields[dash + 1] ?? '',
      source: unescapeOctal(fields[dash + 2] ?? ''),
      superOptions: (fields[dash + 3] ?? '').split(','),
    });
  }
  return mounts;
}

// The kernel writes space, tab, newline and backslash in paths as \040, \011, \012, \134.
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}
