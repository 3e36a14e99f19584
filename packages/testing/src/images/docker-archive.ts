// Writes an image as the tar `docker save` produced before Docker 25 (and `docker load` still
// reads): manifest.json, repositories, <config>.json and <layer>/{VERSION,json,layer.tar}.
import { writeFile } from 'node:fs/promises';
import { digestHex, sha256Digest } from './digest.ts';
import type { BuiltImage } from './image.ts';
import { buildLayerTar } from './tar.ts';
import type { LayerEntry } from './tar.ts';

export interface DockerArchiveManifestEntry {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

/** `name:tag` → [name, tag]; the colon of a registry port is not a tag separator. */
function splitRepoTag(repoTag: string): [string, string] {
  const slash = repoTag.lastIndexOf('/');
  const colon = repoTag.lastIndexOf(':');
  if (colon <= slash) throw new Error(`repo tag needs an explicit tag (name:tag): ${repoTag}`);
  return [repoTag.slice(0, colon), repoTag.slice(colon + 1)];
}

/** OCI ChainIDs: ChainID(L0) = DiffID(L0), ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)). */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) {
    const parent = out.at(-1);
    out.push(parent ? sha256Digest(Buffer.from(`${parent} ${diffId}`)) : diffId);
  }
  return out;
}

/** The archive's entries, for callers that want the tar in memory. */
export function dockerArchiveEntries(image: BuiltImage, repoTags: string[] = []): LayerEntry[] {
  const created = (JSON.parse(image.config.data.toString('utf8')) as { created?: string }).created;
  // Layer directories are named by chain ID (unique per position even if two layers are equal);
  // docker load only follows the paths in manifest.json.
  const layerDirs = chainIds(image.layers.map((l) => l.diffId)).map(digestHex);
  const configName = `${digestHex(image.id)}.json`;
  const manifest: DockerArchiveManifestEntry[] = [
    { Config: configName, RepoTags: repoTags, Layers: layerDirs.map((d) => `${d}/layer.tar`) },
  ];
  const repositories: Record<string, Record<string, string>> = {};
  const top = layerDirs.at(-1);
  for (const repoTag of repoTags) {
    const [repo, tag] = splitRepoTag(repoTag);
    if (top) (repositories[repo] ??= {})[tag] = top;
  }
  const entries: LayerEntry[] = [{ path: configName, content: image.config.data }];
  image.layers.forEach((layer, i) => {
    const dir = layerDirs[i] as string;
    const legacy = { id: dir, parent: i > 0 ? layerDirs[i - 1] : undefined, created, os: 'linux' };
    entries.push(
      { type: 'dir', path: `${dir}/` },
      { path: `${dir}/VERSION`, content: '1.0' },
      { path: `${dir}/json`, content: JSON.stringify(legacy) },
      { path: `${dir}/layer.tar`, content: layer.tar },
    );
  });
  entries.push({ path: 'manifest.json', content: JSON.stringify(manifest) });
  if (Object.keys(repositories).length) entries.push({ path: 'repositories', content: JSON.stringify(repositories) });
  return entries;
}

/** Writes the archive to `file`; `repoTags` like ["berth/busybox:latest"] name it on load. */
export async function writeDockerArchive(image: BuiltImage, file: string, repoTags: string[] = []): Promise<void> {
  await writeFile(file, await buildLayerTar(dockerArchiveEntries(image, repoTags)));
}
