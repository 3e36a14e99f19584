// Writes an image as an OCI image layout directory (image-spec image-layout.md).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { descriptorOf, digestHex, MEDIA_TYPES } from './digest.ts';
import type { Blob, Descriptor } from './digest.ts';
import type { BuiltImage } from './image.ts';

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

interface OciIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
}

async function writeBlob(dir: string, blob: Blob): Promise<void> {
  await writeFile(join(dir, 'blobs', 'sha256', digestHex(blob.digest)), blob.data);
}

async function readIndex(path: string): Promise<OciIndex> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as OciIndex;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests: [] };
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
}

/**
 * Writes `image` into the layout at `dir` under `refName` (a tag such as "latest"). An existing
 * layout is extended: other refs stay, an entry with the same ref is replaced.
 */
export async function writeOciLayout(image: BuiltImage, dir: string, refName = 'latest'): Promise<Descriptor> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const blob of [...image.layers.map((l) => l.blob), image.config, image.manifest]) await writeBlob(dir, blob);

  const indexPath = join(dir, 'index.json');
  const index = await readIndex(indexPath);
  const entry: Descriptor = { ...descriptorOf(image.manifest), annotations: { [REF_NAME_ANNOTATION]: refName } };
  index.manifests = [...index.manifests.filter((m) => m.annotations?.[REF_NAME_ANNOTATION] !== refName), entry];
  await writeFile(indexPath, JSON.stringify(index));
  return entry;
}
