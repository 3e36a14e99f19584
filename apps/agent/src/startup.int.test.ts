import { spawn } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeArgs } from '@berth/testing/fleet';

function agentExit(env: Record<string, string>, uid?: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, nodeArgs('agent'), { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], ...(uid !== undefined ? { uid, gid: uid } : {}) });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('agent start-up checks', () => {
  it('refuses to run as anyone but root, in one line', async () => {
    const r = await agentExit({ BERTH_CONTROL_PLANE: 'ws://127.0.0.1:1/agent', TSX_TSCONFIG_PATH: '' }, 65534);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['berth agent: the agent must run as root: it creates namespaces, cgroups, mounts and network rules (run it from the systemd unit, or with sudo)']);
  });

  it('refuses plain ws:// to a remote address unless allowed', async () => {
    const r = await agentExit({ BERTH_CONTROL_PLANE: 'ws://192.0.2.1/agent' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^berth agent: configuration: BERTH_CONTROL_PLANE ws:\/\/192\.0\.2\.1\/agent is plain ws:\/\/ to a remote address: use wss:\/\//);
  });

  it('refuses a BERTH_USERNS_REMAP it cannot have, in one line: bad syntax, and a user that does not exist', async () => {
    const bad = await agentExit({ BERTH_CONTROL_PLANE: 'ws://127.0.0.1:1/agent', BERTH_USERNS_REMAP: 'two words' });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toEqual(['berth agent: configuration: BERTH_USERNS_REMAP="two words" is not "default" or USER[:GROUP] (names or numeric ids)']);
    const dir = await mkdtemp(join(tmpdir(), 'berth-remap-missing-'));
    try {
      const missing = await agentExit({ BERTH_CONTROL_PLANE: 'ws://127.0.0.1:1/agent', BERTH_USERNS_REMAP: 'no-such-remap-user', BERTH_STATE_DIR: join(dir, 'state') });
      expect(missing.code).toBe(1);
      expect(missing.stderr.trim().split('\n')).toEqual([
        'berth agent: user namespace remapping (BERTH_USERNS_REMAP=no-such-remap-user): BERTH_USERNS_REMAP names the user no-such-remap-user, which /etc/passwd does not have: create it (useradd --system no-such-remap-user) or use BERTH_USERNS_REMAP=default',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names every runtime it tried and why, when none works', async () => {
    // a PATH with only a runc that is not a runtime
    const dir = await mkdtemp(join(tmpdir(), 'berth-noruntime-'));
    try {
      await symlink('/bin/false', join(dir, 'runc'));
      const r = await agentExit({ BERTH_CONTROL_PLANE: 'ws://127.0.0.1:1/agent', PATH: dir, BERTH_STATE_DIR: join(dir, 'state') });
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^berth agent: no working OCI runtime: crun: .*; runc: .*\. Install runc or crun \(apt-get install runc crun\)\.$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
