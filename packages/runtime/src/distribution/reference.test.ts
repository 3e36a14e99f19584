import { describe, expect, it } from 'vitest';
import { familiarString, formatReference, InvalidReferenceError, parseReference, parseTagReference } from './reference.ts';

const HEX = 'a'.repeat(64);
const DIGEST = `sha256:${HEX}`;

describe('parseReference normalises as docker does', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
    ['nginx:1.25', 'docker.io/library/nginx:1.25', 'nginx:1.25'],
    ['library/nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
    ['docker.io/nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
    ['index.docker.io/library/nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
    ['user/app', 'docker.io/user/app:latest', 'user/app:latest'],
    ['user/app:v1', 'docker.io/user/app:v1', 'user/app:v1'],
    ['a/b/c', 'docker.io/a/b/c:latest', 'a/b/c:latest'],
    ['localhost/x', 'localhost/x:latest', 'localhost/x:latest'],
    ['localhost:5000/x:1', 'localhost:5000/x:1', 'localhost:5000/x:1'],
    ['127.0.0.1:5000/berth/app:v2', '127.0.0.1:5000/berth/app:v2', '127.0.0.1:5000/berth/app:v2'],
    ['ghcr.io/owner/repo', 'ghcr.io/owner/repo:latest', 'ghcr.io/owner/repo:latest'],
    ['[::1]:5000/x', '[::1]:5000/x:latest', '[::1]:5000/x:latest'],
    ['Registry.Example.com/app', 'Registry.Example.com/app:latest', 'Registry.Example.com/app:latest'],
    [`nginx@${DIGEST}`, `docker.io/library/nginx@${DIGEST}`, `nginx@${DIGEST}`],
    [`nginx:1.25@${DIGEST}`, `docker.io/library/nginx:1.25@${DIGEST}`, `nginx:1.25@${DIGEST}`],
    ['localhost:5000', 'docker.io/library/localhost:5000', 'localhost:5000'],
    ['a_b__c-d---e.f', 'docker.io/library/a_b__c-d---e.f:latest', 'a_b__c-d---e.f:latest'],
    ['x:_tag.1-A', 'docker.io/library/x:_tag.1-A', 'x:_tag.1-A'],
  ])('%s → %s', (input, full, familiar) => {
    const ref = parseReference(input);
    expect(formatReference(ref)).toBe(full);
    expect(familiarString(ref)).toBe(familiar);
  });

  it('splits domain, path, tag and digest', () => {
    expect(parseReference(`127.0.0.1:5000/a/b:t@${DIGEST}`)).toEqual({ domain: '127.0.0.1:5000', path: 'a/b', tag: 't', digest: DIGEST });
    expect(parseReference(`x@${DIGEST}`)).toEqual({ domain: 'docker.io', path: 'library/x', digest: DIGEST });
  });
});

describe('parseReference refuses what docker refuses, saying what is wrong', () => {
  it.each([
    ['', /is empty/],
    [' nginx', /whitespace/],
    ['Nginx', /repository name "Nginx" must be lowercase/],
    ['user/App', /repository name "user\/App" must be lowercase/],
    ['nginx:', /tag "" must be/],
    ['nginx:.x', /tag ".x" must be/],
    [`nginx:${'a'.repeat(129)}`, /tag "a+" must be 1 to 128/],
    ['nginx:a/b', /registry "nginx:a" is not a valid host/],
    ['-nginx', /repository name "-nginx" must be lowercase letters/],
    ['nginx-', /must be lowercase letters/],
    ['a//b', /must be lowercase letters/],
    ['a/b/', /must be lowercase letters/],
    ['host:port/x', /registry "host:port" is not a valid host/],
    ['-host.com/x', /registry "-host.com" is not a valid host/],
    ['nginx@sha256:abc', /digest "sha256:abc" is not <algorithm>:<hex>/],
    [`nginx@sha256:${'A'.repeat(64)}`, /64 lowercase hex/],
    [`nginx@sha256:${'a'.repeat(63)}0a`, /64 lowercase hex/],
    [`nginx@md5:${'a'.repeat(32)}`, /algorithm "md5" is not supported/],
    [HEX, /64-character hexadecimal string/],
    [':tag', /no repository name/],
    [`${'a'.repeat(250)}/bbbbbb`, /longer than 255/],
  ])('%j', (input, message) => {
    expect(() => parseReference(input)).toThrow(InvalidReferenceError);
    expect(() => parseReference(input)).toThrow(message);
  });

  it('names the input in the message and carries a code', () => {
    try {
      parseReference('Bad');
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toBe('invalid reference "Bad": repository name "Bad" must be lowercase');
      expect((err as InvalidReferenceError).code).toBe('INVALID_REFERENCE');
    }
  });

  it('refuses a digest where a tag is being created', () => {
    expect(parseTagReference('app:v1')).toMatchObject({ path: 'library/app', tag: 'v1' });
    expect(() => parseTagReference(`app@${DIGEST}`)).toThrow(/a tag cannot be created with a digest reference/);
  });
});
