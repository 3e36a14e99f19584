import { describe, expect, it } from 'vitest';
import { redact } from './redact.ts';

describe('audit redaction', () => {
  it('removes secrets at any depth and keeps identifiers of secrets', () => {
    expect(redact({ password: 'x', registry: { auth: { username: 'u', password: 'p' }, identityToken: 't' }, joinTokenId: 'id-1', tokenName: 'ci', apiKey: 'k', privateKey: 'pk', image: 'busybox' })).toEqual({
      password: '[redacted]',
      registry: { auth: '[redacted]', identityToken: '[redacted]' },
      joinTokenId: 'id-1',
      tokenName: 'ci',
      apiKey: '[redacted]',
      privateKey: '[redacted]',
      image: 'busybox',
    });
  });
});
