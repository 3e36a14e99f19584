import { describe, expect, it } from 'vitest';
import { conmonArgs } from './args.ts';
import { parseSyncMessage } from './launch.ts';

describe('conmon', () => {
  it('argv: API 1, ids, runtime with its root and JSON log, bundle, pid files, k8s-file log without fsync, exit and socket dirs', () => {
    expect(
      conmonArgs({
        id: 'c1', name: 'web', runtimePath: '/usr/sbin/runc', runtimeRoot: '/var/lib/berth/runtime/runc', runtimeLog: '/b/runtime.log',
        bundle: '/b', containerPidFile: '/b/container.pid', conmonPidFile: '/b/conmon.pid', logPath: '/b/container.log', logSizeMax: 1024,
        exitDir: '/var/lib/berth/exits', socketDir: '/var/lib/berth/sockets',
      }),
    ).toEqual([
      '--api-version', '1', '-c', 'c1', '-u', 'c1', '-n', 'web', '-r', '/usr/sbin/runc', '-b', '/b', '-p', '/b/container.pid', '-P', '/b/conmon.pid',
      '-l', 'k8s-file:/b/container.log', '--exit-dir', '/var/lib/berth/exits', '--socket-dir-path', '/var/lib/berth/sockets', '--full-attach', '--no-sync-log',
      '--runtime-arg', '--root', '--runtime-arg', '/var/lib/berth/runtime/runc',
      '--runtime-arg', '--log', '--runtime-arg', '/b/runtime.log',
      '--runtime-arg', '--log-format', '--runtime-arg', 'json',
      '--log-size-max', '1024',
    ]);
  });

  it('sync pipe: a pid, an error, or not yet a whole line', () => {
    expect(parseSyncMessage('{"data": 3889}\n')).toEqual({ ok: true, pid: 3889 });
    expect(parseSyncMessage('{"data": -1, "message": "runc create failed: exec: \\"nope\\": not found"}\n')).toEqual({ ok: false, message: 'runc create failed: exec: "nope": not found' });
    expect(parseSyncMessage('{"data": -1}\n')).toEqual({ ok: false, message: 'conmon reported -1' });
    expect(parseSyncMessage('{"data": 38')).toBeNull();
  });
});
