import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryHostFs, rootedHostFs, statfsNearest } from './host-fs.ts';
import type { HostFs } from './host-fs.ts';

const FILES = { '/etc/os-release': 'ID=debian\n', '/proc/self/mountinfo': '1 0 0:1 / / rw - ext4 /dev/vda rw\n' };

// Every HostFs implementation must behave the same for what host facts rely on.
function hostFsSuite(name: string, make: () => Promise<HostFs>) {
  describe(`HostFs contract: ${name}`, () => {
    it('reads files by absolute path', async () => {
      const fs = await make();
      expect(await fs.readFile('/etc/os-release')).toBe('ID=debian\n');
    });

    it('rejects a missing file with ENOENT', async () => {
      const fs = await make();
      await expect(fs.readFile('/etc/missing')).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('says which files and directories exist', async () => {
      const fs = await make();
      expect(await fs.exists('/proc/self/mountinfo')).toBe(true);
      expect(await fs.exists('/proc/self')).toBe(true);
      expect(await fs.exists('/nope')).toBe(false);
    });

    it('statfs of a missing dir falls back to its nearest existing ancestor', async () => {
      const fs = await make();
      const s = await statfsNearest(fs, '/etc/berth/not/yet');
      expect(s.type).toBeGreaterThan(0);
      expect(s.blocks).toBeGreaterThan(0);
      expect(s.bsize).toBeGreaterThan(0);
    });
  });
}

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

hostFsSuite('memoryHostFs', async () => memoryHostFs(FILES, { '/': { type: 0xef53, bsize: 4096, blocks: 100, bfree: 50, bavail: 40 } }));
hostFsSuite('rootedHostFs over a fixture directory', async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-hostfs-'));
  roots.push(root);
  for (const [p, text] of Object.entries(FILES)) {
    await mkdir(dirname(join(root, p)), { recursive: true });
    await writeFile(join(root, p), text);
  }
  return rootedHostFs(root);
});
