import { describe, expect, it } from 'vitest';
import { decodeServerFrame, execUrl, resizeMessage } from './exec-frames.ts';
import { dfSize, reclaimableText } from './format.ts';
import { parseLabels, VOLUME_NAME } from './labels.ts';

describe('exec frames', () => {
  it('splits the channel byte from the output', () => {
    const f = decodeServerFrame(new Uint8Array([1, 52, 50, 10]).buffer);
    expect(f.kind).toBe('output');
    if (f.kind === 'output') {
      expect(f.channel).toBe(1);
      expect(new TextDecoder().decode(f.bytes)).toBe('42\n');
    }
  });

  it('reads the exit code and the refusal', () => {
    expect(decodeServerFrame('{"exit":0}')).toEqual({ kind: 'exit', code: 0 });
    expect(decodeServerFrame('{"error":"running a command in a container needs the operator role","code":"FORBIDDEN"}')).toEqual({ kind: 'error', message: 'running a command in a container needs the operator role', code: 'FORBIDDEN' });
    expect(decodeServerFrame('nonsense')).toEqual({ kind: 'unknown' });
  });

  it('builds the socket address and the resize message', () => {
    expect(execUrl({ protocol: 'https:', host: 'berth.example:8443' })).toBe('wss://berth.example:8443/api/exec');
    expect(execUrl({ protocol: 'http:', host: '127.0.0.1:3000' })).toBe('ws://127.0.0.1:3000/api/exec');
    expect(resizeMessage(120, 40)).toBe('{"resize":{"cols":120,"rows":40}}');
  });
});

describe('docker system df figures', () => {
  it('prints sizes with four digits and the reclaimable share', () => {
    expect(dfSize(16_432_100)).toBe('16.43MB');
    expect(dfSize(0)).toBe('0B');
    expect(reclaimableText(11_630_000, 16_430_000)).toBe('11.63MB (70%)');
    expect(reclaimableText(0, 0)).toBe('0B');
  });
});

describe('labels', () => {
  it('reads KEY=value lines, values may hold =', () => {
    expect(parseLabels('team=web\n\n  tier=a=b ')).toEqual({ labels: { team: 'web', tier: 'a=b' } });
    expect(parseLabels('=x')).toEqual({ error: '"=x" is not KEY=value' });
    expect(VOLUME_NAME.test('e2e-data')).toBe(true);
    expect(VOLUME_NAME.test('-bad')).toBe(false);
  });
});
