// Finding an image by what a user typed, as docker does: a name first (busybox, busybox:1,
// repo@sha256:…), then a repo digest, then an image ID or a unique prefix of one.
import type { BlobDescriptor } from '../content/store.ts';
import { formatReference, parseReference, repositoryName } from '../distribution/reference.ts';
import { ImageError } from './errors.ts';
import { entryName, entryRepoDigests, IMAGE_ID_ANNOTATION } from './index-entries.ts';

export interface ResolvedImage {
  /** Manifest digests of the image(s) meant (several manifests may share one config). */
  manifests: string[];
  id: string;
  /** The name that matched, if the input was a name. */
  name?: string;
}

export function imageIdOf(entry: BlobDescriptor): string {
  return entry.annotations?.[IMAGE_ID_ANNOTATION] ?? '';
}

/** The fully qualified name an input stands for (tag or digest form), or null if not a reference. */
export function referenceName(input: string): string | null {
  try {
    const ref = parseReference(input);
    return ref.digest !== undefined ? `${repositoryName(ref)}@${ref.digest}` : formatReference(ref);
  } catch {
    return null;
  }
}

export function resolveImage(entries: readonly BlobDescriptor[], input: string): ResolvedImage {
  const name = referenceName(input);
  if (name !== null) {
    const byName = entries.find((e) => entryName(e) === name);
    if (byName) return { manifests: [byName.digest], id: imageIdOf(byName), name };
    if (name.includes('@')) {
      const byRepoDigest = entries.find((e) => entryRepoDigests(e).includes(name));
      if (byRepoDigest) return { manifests: [byRepoDigest.digest], id: imageIdOf(byRepoDigest) };
    }
  }
  const idMatch = /^(?:sha256:)?([a-f0-9]{1,64})$/.exec(input);
  if (idMatch) {
    const prefix = `sha256:${idMatch[1]}`;
    const ids = [...new Set(entries.map(imageIdOf).filter((id) => id.startsWith(prefix)))];
    if (ids.length > 1) throw new ImageError('CONFLICT', `image ID prefix ${JSON.stringify(input)} is ambiguous: it matches ${ids.length} images; give more characters`);
    const id = ids[0];
    if (id !== undefined) return { manifests: [...new Set(entries.filter((e) => imageIdOf(e) === id).map((e) => e.digest))], id };
  }
  throw new ImageError('NOT_FOUND', `no such image: ${input}${name !== null ? ` (${name})` : ''}; pull it first or check \`images\``);
}
