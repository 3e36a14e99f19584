import { describe, expect, it } from 'vitest';
import { refParts } from './image-ref.tsx';

describe('refParts', () => {
  it('breaks after each / of the path and before the tag, the digest and a registry\'s port, never inside a port or a digest', () => {
    expect(refParts('127.0.0.1:5000/tools/busybox:latest@sha256:abc')).toEqual(['127.0.0.1', ':5000/', 'tools/', 'busybox', ':latest', '@sha256:abc']);
    expect(refParts('nginx')).toEqual(['nginx']);
    expect(refParts('nginx:1.25')).toEqual(['nginx', ':1.25']);
    expect(refParts('registry.local:5000/app')).toEqual(['registry.local', ':5000/', 'app']);
    expect(refParts('ghcr.io/org/app:v1')).toEqual(['ghcr.io/', 'org/', 'app', ':v1']);
    expect(refParts('app@sha256:00ff')).toEqual(['app', '@sha256:00ff']);
    expect(refParts('sha256:0123abcd')).toEqual(['sha256', ':0123abcd']);
  });
});
