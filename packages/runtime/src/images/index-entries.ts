// Image records as index.json entries. One entry per name (a tag or digest reference, fully
// qualified) pointing at the image's manifest; an image with no name keeps one entry without
// a ref.name annotation: a dangling image (`<none>:<none>` in `docker images`).
import type { BlobDescriptor } from '../content/store.ts';
import { REF_NAME_ANNOTATION } from '../content/store.ts';

/** Config digest: the image ID. */
export const IMAGE_ID_ANNOTATION = 'io.berth.image.id';
/** Comma-separated repo digests (repo@digest of what the registry served). */
export const REPO_DIGESTS_ANNOTATION = 'io.berth.image.repo-digests';

export interface ImageTarget {
  /** The image's manifest (single platform). */
  manifest: Pick<BlobDescriptor, 'mediaType' | 'digest' | 'size'>;
  id: string;
  repoDigests: string[];
}

export function entryName(entry: BlobDescriptor): string | undefined {
  return entry.annotations?.[REF_NAME_ANNOTATION];
}

export function entryRepoDigests(entry: BlobDescriptor): string[] {
  return (entry.annotations?.[REPO_DIGESTS_ANNOTATION] ?? '').split(',').filter((s) => s !== '');
}

/** Every repo digest recorded for the image with this manifest. */
export function repoDigestsOf(entries: readonly BlobDescriptor[], manifestDigest: string): string[] {
  return [...new Set(entries.filter((e) => e.digest === manifestDigest).flatMap(entryRepoDigests))];
}

function makeEntry(target: ImageTarget, name: string | undefined): BlobDescriptor {
  const annotations: Record<string, string> = { [IMAGE_ID_ANNOTATION]: target.id };
  if (name !== undefined) annotations[REF_NAME_ANNOTATION] = name;
  if (target.repoDigests.length > 0) annotations[REPO_DIGESTS_ANNOTATION] = [...new Set(target.repoDigests)].sort().join(',');
  return { mediaType: target.manifest.mediaType, digest: target.manifest.digest, size: target.manifest.size, annotations };
}

function targetOf(entries: readonly BlobDescriptor[], manifestDigest: string): ImageTarget | null {
  const first = entries.find((e) => e.digest === manifestDigest);
  if (!first) return null;
  return { manifest: first, id: first.annotations?.[IMAGE_ID_ANNOTATION] ?? '', repoDigests: repoDigestsOf(entries, manifestDigest) };
}

/** Keeps one dangling entry for every image left without names, and none for named images. */
function normalise(entries: BlobDescriptor[], before: readonly BlobDescriptor[]): BlobDescriptor[] {
  const named = new Set(entries.filter((e) => entryName(e) !== undefined).map((e) => e.digest));
  const out = entries.filter((e) => entryName(e) !== undefined || !named.has(e.digest));
  const present = new Set(out.map((e) => e.digest));
  for (const digest of new Set(before.map((e) => e.digest))) {
    if (present.has(digest)) continue;
    // Lost its last name without being removed: keep it, dangling.
    const target = targetOf(before, digest);
    if (target) out.push(makeEntry(target, undefined));
    present.add(digest);
  }
  // One dangling entry per image.
  const seen = new Set<string>();
  return out.filter((e) => {
    if (entryName(e) !== undefined) return true;
    if (seen.has(e.digest)) return false;
    seen.add(e.digest);
    return true;
  });
}

/** Points `name` at `target`; whatever image had the name before keeps its others, or dangles. */
export function withName(entries: readonly BlobDescriptor[], name: string, target: ImageTarget): BlobDescriptor[] {
  const repoDigests = [...new Set([...repoDigestsOf(entries, target.manifest.digest), ...target.repoDigests])];
  const merged = { ...target, repoDigests };
  const out = entries
    .filter((e) => entryName(e) !== name)
    .map((e) => (e.digest === target.manifest.digest ? makeEntry(merged, entryName(e)) : e));
  out.push(makeEntry(merged, name));
  return normalise(out, entries);
}

/** Records an image with no name (a pull by digest without a tag still names it by digest). */
export function withImage(entries: readonly BlobDescriptor[], target: ImageTarget): BlobDescriptor[] {
  if (entries.some((e) => e.digest === target.manifest.digest)) return [...entries];
  return [...entries, makeEntry(target, undefined)];
}

/** Removes one name; the image stays (dangling if it was the last name). */
export function withoutName(entries: readonly BlobDescriptor[], name: string): BlobDescriptor[] {
  return normalise(
    entries.filter((e) => entryName(e) !== name),
    entries,
  );
}

/** Removes the image with this manifest and all its names. */
export function withoutImage(entries: readonly BlobDescriptor[], manifestDigest: string): BlobDescriptor[] {
  return entries.filter((e) => e.digest !== manifestDigest);
}
