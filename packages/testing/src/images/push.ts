// Pushes an image with the OCI distribution API: blobs first (skipping those present), then
// the manifest by tag. Monolithic uploads: POST to open an upload, PUT the bytes with ?digest=.
import type { Blob } from './digest.ts';
import type { BuiltImage } from './image.ts';
import { RegistryClient } from './registry-client.ts';
import type { RegistryCredentials } from './registry-client.ts';

export interface PushResult {
  /** Manifest digest, as the registry reported it (Docker-Content-Digest). */
  digest: string;
  /** Config digest: the image ID. */
  configDigest: string;
  /** Digests of blobs sent in this push. */
  uploaded: string[];
  /** Digests of blobs the registry already had. */
  skipped: string[];
}

async function pushBlob(client: RegistryClient, blob: Blob): Promise<boolean> {
  const head = await client.expect('HEAD', `blobs/${blob.digest}`, [200, 404]);
  if (head.status === 200) return false;
  const start = await client.expect('POST', 'blobs/uploads/', [202]);
  await start.body?.cancel();
  const location = start.headers.get('location');
  if (!location) throw new Error(`POST ${client.url('blobs/uploads/').href} answered 202 without a Location header`);
  const url = client.url(location);
  url.searchParams.set('digest', blob.digest);
  const put = await client.expect('PUT', url, [201], {
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
    body: blob.data,
  });
  await put.body?.cancel();
  return true;
}

export async function pushImage(
  image: BuiltImage,
  registryUrl: string,
  repo: string,
  tag: string,
  credentials?: RegistryCredentials,
): Promise<PushResult> {
  const client = new RegistryClient(registryUrl, repo, credentials);
  const uploaded: string[] = [];
  const skipped: string[] = [];
  for (const blob of [...image.layers.map((l) => l.blob), image.config]) {
    (await pushBlob(client, blob) ? uploaded : skipped).push(blob.digest);
  }
  const res = await client.expect('PUT', `manifests/${tag}`, [201], {
    headers: { 'content-type': image.manifest.mediaType },
    body: image.manifest.data,
  });
  await res.body?.cancel();
  const digest = res.headers.get('docker-content-digest') ?? image.digest;
  if (digest !== image.digest) throw new Error(`${registryUrl} stored ${repo}:${tag} as ${digest}, expected ${image.digest}`);
  return { digest, configDigest: image.id, uploaded, skipped };
}
