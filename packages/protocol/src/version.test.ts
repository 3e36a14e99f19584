import { describe, expect, it } from 'vitest';
import { incompatibility } from './version.ts';

describe('protocol versions', () => {
  it('lets different minors of one major talk', () => {
    expect(incompatibility('1.0', '1.7')).toBeNull();
    expect(incompatibility('1.3', '1.0')).toBeNull();
  });
  it('refuses another major and says which side to upgrade', () => {
    expect(incompatibility('1.0', '2.1')).toMatch(/upgrade the control plane/);
    expect(incompatibility('2.0', '1.4')).toMatch(/upgrade the agent/);
  });
  it('refuses a malformed version', () => {
    expect(incompatibility('1.0', 'one')).toMatch(/malformed/);
  });
});
