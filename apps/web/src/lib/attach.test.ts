import { describe, expect, it } from 'vitest';
import { attachPlan } from './attach.ts';
import { decodeServerFrame } from './exec-frames.ts';

describe('attachPlan', () => {
  it('types into a container created with -it, its terminal following the panel', () => {
    expect(attachPlan({ Id: 'abc', Config: { Tty: true, OpenStdin: true } }, 'shell')).toEqual({ stdin: true, tty: true, readOnlyReason: null });
  });

  it('only watches a container created without -i, saying why', () => {
    const plain = attachPlan({ Config: { Tty: false, OpenStdin: false } }, 'web');
    expect(plain).toMatchObject({ stdin: false, tty: false });
    expect(plain.readOnlyReason).toMatch(/^Input is not connected: web was not created with -i/);
    // -t alone: still its terminal's output, at the panel's size
    expect(attachPlan({ Config: { Tty: true, OpenStdin: false } }, 'web')).toMatchObject({ stdin: false, tty: true });
  });

  it('does not type into -i without -t, a stdin that wants lines rather than keystrokes', () => {
    const p = attachPlan({ Config: { Tty: false, OpenStdin: true } }, 'cat');
    expect(p).toMatchObject({ stdin: false, tty: false });
    expect(p.readOnlyReason).toMatch(/without -t/);
  });

  it('reads an inspect document without Config as a container to watch', () => {
    expect(attachPlan({}, 'x')).toMatchObject({ stdin: false, tty: false });
    expect(attachPlan(null, 'x')).toMatchObject({ stdin: false, tty: false });
  });

  it('reads the end of an attach: the exit code, or null once detached', () => {
    expect(decodeServerFrame('{"exit":0}')).toEqual({ kind: 'exit', code: 0 });
    expect(decodeServerFrame('{"exit":null}')).toEqual({ kind: 'exit', code: null });
  });
});
