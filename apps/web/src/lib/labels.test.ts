import { describe, expect, it } from 'vitest';
import { parseHostLabel, parseLabels } from './labels.ts';

describe('parseHostLabel', () => {
  it('takes KEY=VALUE, and a bare KEY as an empty value, as docker node update --label-add does', () => {
    expect(parseHostLabel(' zone=eu-west ')).toEqual({ key: 'zone', value: 'eu-west' });
    expect(parseHostLabel('ssd')).toEqual({ key: 'ssd', value: '' });
    expect(parseHostLabel('team/x=a=b')).toEqual({ key: 'team/x', value: 'a=b' });
  });

  it('refuses what the server would, saying why', () => {
    expect(parseHostLabel('=eu')).toEqual({ error: 'write KEY=VALUE, e.g. zone=eu' });
    expect(parseHostLabel('my zone=eu')).toEqual({ error: expect.stringMatching(/^"my zone": a label key is letters, digits/) });
    expect(parseHostLabel('zone-=eu')).toHaveProperty('error');
    expect(parseHostLabel(`zone=${'x'.repeat(257)}`)).toEqual({ error: 'a label value is at most 256 characters' });
  });
});

describe('parseLabels', () => {
  it('reads one KEY=value a line, or says which line is not one', () => {
    expect(parseLabels('a=1\n\n b=2 ')).toEqual({ labels: { a: '1', b: '2' } });
    expect(parseLabels('a=1\nnope')).toEqual({ error: '"nope" is not KEY=value' });
  });
});
