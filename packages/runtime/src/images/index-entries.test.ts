import { describe, expect, it } from 'vitest';
import type { BlobDescriptor } from '../content/store.ts';
import { entryName, withImage, withName, withoutImage, withoutName } from './index-entries.ts';
import type { ImageTarget } from './index-entries.ts';
import { resolveImage } from './resolve.ts';

const image = (c: string): ImageTarget => ({
  manifest: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${c.repeat(64)}`, size: 100 },
  id: `sha256:${c.toUpperCase() === c ? c : String.fromCharCode(c.charCodeAt(0) + 1).repeat(64)}`,
  repoDigests: [`docker.io/library/x@sha256:${c.repeat(64)}`],
});
const A = image('a');
const C = image('c');
const names = (entries: BlobDescriptor[]) => entries.map((e) => [e.digest.slice(7, 8), entryName(e) ?? '<none>']);

describe('image records in index.json', () => {
  it('adds names, moves a name to another image and leaves the old one dangling', () => {
    let entries = withName([], 'docker.io/library/x:1', A);
    entries = withName(entries, 'docker.io/library/x:latest', A);
    expect(names(entries)).toEqual([
      ['a', 'docker.io/library/x:1'],
      ['a', 'docker.io/library/x:latest'],
    ]);
    entries = withName(entries, 'docker.io/library/x:1', C);
    entries = withName(entries, 'docker.io/library/x:latest', C);
    expect(names(entries)).toEqual([
      ['c', 'docker.io/library/x:1'],
      ['c', 'docker.io/library/x:latest'],
      ['a', '<none>'],
    ]);
    // The dangling image keeps its repo digest; naming it again removes the dangling entry.
    expect(entries[2]?.annotations?.['io.berth.image.repo-digests']).toBe(A.repoDigests[0]);
    entries = withName(entries, 'docker.io/library/y:1', A);
    expect(names(entries)).toEqual([
      ['c', 'docker.io/library/x:1'],
      ['c', 'docker.io/library/x:latest'],
      ['a', 'docker.io/library/y:1'],
    ]);
  });

  it('untags to dangling, and removes whole images', () => {
    let entries = withName([], 'docker.io/library/x:1', A);
    entries = withoutName(entries, 'docker.io/library/x:1');
    expect(names(entries)).toEqual([['a', '<none>']]);
    expect(withImage(entries, A)).toHaveLength(1);
    expect(withoutImage(entries, A.manifest.digest)).toEqual([]);
  });

  it('resolves names, repo digests, IDs and unique ID prefixes', () => {
    const entries = withName(withName([], 'docker.io/library/x:1', A), 'docker.io/library/z:2', C);
    expect(resolveImage(entries, 'x:1')).toMatchObject({ manifests: [A.manifest.digest], name: 'docker.io/library/x:1' });
    expect(resolveImage(entries, `x@${A.manifest.digest}`)).toMatchObject({ manifests: [A.manifest.digest], id: A.id });
    expect(resolveImage(entries, A.id)).toMatchObject({ id: A.id });
    expect(resolveImage(entries, A.id.slice(7, 10))).toMatchObject({ id: A.id });
    expect(() => resolveImage(entries, 'x')).toThrow('no such image: x (docker.io/library/x:latest)');
    const ambiguous = withName(entries, 'docker.io/library/w:1', { ...C, manifest: { ...C.manifest, digest: `sha256:${'e'.repeat(64)}` }, id: `sha256:b${'0'.repeat(63)}` });
    expect(() => resolveImage(ambiguous, 'b')).toThrow(/image ID prefix "b" is ambiguous: it matches 2 images/);
  });
});
