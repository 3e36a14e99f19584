import { describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { AppError } from '@berth/core';
import { ContainerCreate, type MuxStream } from '@berth/protocol';
import { channelDecoder, relayStream } from './agent.ts';
import { maskSecretEnv } from './inspect-container.ts';
import { adminOnlyFeatures, auditedSpec, hostPathOf } from './policy.ts';

describe('what needs an admin', () => {
  const spec = (o: Partial<ContainerCreate>) => ContainerCreate.parse({ image: 'busybox', ...o });
  it('lets operators run ordinary containers, with named and anonymous volumes', () => {
    expect(adminOnlyFeatures(spec({ binds: ['data:/data', '/anon', '/anon2:ro', 'cache:/c:ro'], capAdd: ['NET_BIND_SERVICE'], network: 'appnet', publish: ['8080:80'] }))).toEqual([]);
    expect(adminOnlyFeatures(spec({ network: 'none' }))).toEqual([]);
  });
  it('names --privileged, host bind mounts and host-level capabilities', () => {
    expect(adminOnlyFeatures(spec({ privileged: true, network: 'host', binds: ['/etc:/host-etc:ro', '/var/run:/r'], capAdd: ['sys_admin', 'CAP_SYS_MODULE', 'ALL'] }))).toEqual([
      '--privileged', '--network host', 'a bind mount of the host path /etc', 'a bind mount of the host path /var/run', '--cap-add sys_admin', '--cap-add CAP_SYS_MODULE', '--cap-add ALL',
    ]);
  });
  it('names --userns=host: on a remapping host it gives the container the host\'s root', () => {
    expect(adminOnlyFeatures(spec({ userns: 'host' }))).toEqual(['--userns host']);
  });
  it('tells host paths from volumes as the engine does', () => {
    expect(hostPathOf('/h:/c')).toBe('/h');
    expect(hostPathOf('/h:/c:rw')).toBe('/h');
    expect(hostPathOf('/c')).toBeNull();
    expect(hostPathOf('/c:ro')).toBeNull();
    expect(hostPathOf('vol:/c')).toBeNull();
  });
  it('keeps env names, never env values, in the audit log', () => {
    expect(auditedSpec(spec({ env: ['DB_PASSWORD=hunter2', 'MODE=a=b'] }))).toMatchObject({ image: 'busybox', env: ['DB_PASSWORD', 'MODE'] });
    expect(JSON.stringify(auditedSpec(spec({ env: ['X=hunter2'] })))).not.toContain('hunter2');
  });
});

describe('inspect', () => {
  it('masks the values of secret-looking env entries and keeps the others', () => {
    const inspected = { Id: 'x', Config: { Env: ['PATH=/bin', 'DB_PASSWORD=hunter2', 'API_KEY=k', 'GITHUB_TOKEN=t', 'TOKEN_ID=7'], Labels: { password: 'kept: not env' } } };
    expect(maskSecretEnv(inspected)).toEqual({ Id: 'x', Config: { Env: ['PATH=/bin', 'DB_PASSWORD=[redacted]', 'API_KEY=[redacted]', 'GITHUB_TOKEN=[redacted]', 'TOKEN_ID=7'], Labels: { password: 'kept: not env' } } });
  });
});

/** A stand-in for the gateway's stream: chunks pushed by the test, END, or RESET. */
function fakeStream() {
  const queue: Array<{ channel: 0 | 1 | 2 | 3; data: Buffer }> = [];
  let wake: (() => void) | null = null;
  let ended = false;
  let failure: Error | null = null;
  const s = {
    resets: [] as string[],
    endedByUs: false,
    push(channel: 0 | 1 | 2 | 3, text: string) {
      queue.push({ channel, data: Buffer.from(text) });
      wake?.();
    },
    finish() {
      ended = true;
      wake?.();
    },
    reset(reason: string) {
      s.resets.push(reason);
      failure ??= new Error(`stream 1 reset: ${reason}`);
      wake?.();
    },
    end() {
      s.endedByUs = true;
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const c = queue.shift();
        if (c) {
          yield c;
          continue;
        }
        if (failure) throw failure;
        if (ended) return;
        await new Promise<void>((r) => (wake = r));
      }
    },
  };
  return s;
}

describe('relaying an agent stream', () => {
  it('passes chunks on, ends our side at once, and returns the result', async () => {
    const s = fakeStream();
    const relay = relayStream({ stream: s as unknown as MuxStream, result: Promise.resolve({ exitCode: 3 }) }, undefined);
    s.push(1, 'a');
    s.push(2, 'b');
    s.finish();
    const got: string[] = [];
    let r = await relay.next();
    for (; !r.done; r = await relay.next()) got.push(`${r.value.channel}:${r.value.data}`);
    expect(got).toEqual(['1:a', '2:b']);
    expect(r.value).toEqual({ exitCode: 3 });
    expect(s.endedByUs).toBe(true);
    expect(s.resets).toEqual([]);
  });

  it("reports the operation's own error (with its code) rather than the reset it caused", async () => {
    const s = fakeStream();
    let fail!: (e: Error) => void;
    const result = new Promise<never>((_r, j) => (fail = j));
    const relay = relayStream({ stream: s as unknown as MuxStream, result }, undefined);
    const reading = relay.next();
    fail(new AppError('NOT_FOUND', 'local: No such container: nope'));
    s.reset('local: No such container: nope');
    const err = await reading.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect(err).toMatchObject({ code: 'NOT_FOUND', message: 'local: No such container: nope' });
  });

  it('resets the stream when the subscriber goes away, cancelling the operation on the agent', async () => {
    const s = fakeStream();
    const ac = new AbortController();
    const relay = relayStream({ stream: s as unknown as MuxStream, result: new Promise(() => {}) }, ac.signal);
    const reading = relay.next();
    ac.abort();
    expect(await reading).toEqual({ done: true, value: undefined });
    expect(s.resets[0]).toBe('the client went away');
  });

  it('resets the stream when the subscriber stops reading early', async () => {
    const s = fakeStream();
    const relay = relayStream({ stream: s as unknown as MuxStream, result: new Promise(() => {}) }, undefined);
    s.push(1, 'x');
    await relay.next();
    await relay.return(undefined as never);
    expect(s.resets).toEqual(['the client went away']);
  });

  it('decodes UTF-8 split across chunks, per channel', () => {
    const decode = channelDecoder();
    const euro = Buffer.from('€');
    expect(decode(1, euro.subarray(0, 1))).toBe('');
    expect(decode(2, Buffer.from('x'))).toBe('x');
    expect(decode(1, euro.subarray(1))).toBe('€');
  });
});
