/**
 * Pull benchmark: berth's ImageService against `skopeo copy docker://… oci:…`, same image, same
 * local docker-registry on 127.0.0.1, alternating which goes first, fresh empty stores each
 * sample. Per image: a cold pull into an empty store, a re-pull with every layer present
 * ("already exists"), and (multi-layer image) a pull of a second tag sharing all but its top
 * layer. berth also unpacks each layer (skopeo to oci: does not), so berth's unpack time is taken
 * from its progress events, berth's download alone (same client and content store, no unpack)
 * is timed against skopeo, and `umoci raw unpack` of skopeo's layout is timed as the unpack peer.
 *
 *   node --import tsx bench/pull.ts [--samples 10] [--mib 75]
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ImageService, parseManifest, parseReference } from '@berth/runtime';
import { buildBusyboxImage, pushImage } from '@berth/testing/images';
import type { BuiltImage, LayerEntry } from '@berth/testing/images';
import { startRegistry } from '@berth/testing/registry';
import type { RunningRegistry } from '@berth/testing/registry';
import { log, machine, p50, runCommand, stats, time } from './common.ts';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '10' }, mib: { type: 'string', default: '75' } } });
const SAMPLES = Number(values.samples);
const MIB = Number(values.mib);
if (!Number.isInteger(SAMPLES) || SAMPLES < 1 || !(MIB > 0)) throw new Error('--samples must be a positive integer and --mib positive');
const PATH_ENV = { ...process.env, PATH: `/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ''}` };

/** Random-ish, compressible-ish file content: hex text (~50% gzip), raw random (incompressible), repeated lines. */
function content(size: number, kind: number): Buffer {
  if (kind % 5 === 3) return randomBytes(size);
  if (kind % 5 === 4) {
    const line = Buffer.from(`${randomBytes(24).toString('base64')} lorem ipsum dolor sit amet ${kind}\n`);
    return Buffer.concat(Array.from({ length: Math.ceil(size / line.length) }, () => line)).subarray(0, size);
  }
  return Buffer.from(randomBytes(Math.ceil(size / 2)).toString('hex')).subarray(0, size);
}

/** A layer of `big` large files under dir plus `small` small ones (2–8 KiB), `mib` MiB in total. */
function layerEntries(dir: string, mib: number, big: number, small: number): LayerEntry[] {
  const entries: LayerEntry[] = [];
  let smallBytes = 0;
  for (let i = 0; i < small; i++) {
    const size = 2048 + ((i * 2654435761) % 6144);
    smallBytes += size;
    entries.push({ path: `${dir}/small/${String(i % 20)}/f${i}.txt`, content: content(size, i) });
  }
  const each = Math.floor((mib * 2 ** 20 - smallBytes) / big);
  for (let i = 0; i < big; i++) entries.push({ path: `${dir}/big/blob${i}.bin`, content: content(each, i) });
  return entries;
}

interface Sizes {
  layers: number;
  compressedMiB: number;
  uncompressedMiB: number;
}
const sizes = (img: BuiltImage): Sizes => ({
  layers: img.layers.length,
  compressedMiB: +(img.layers.reduce((a, l) => a + l.blob.size, 0) / 2 ** 20).toFixed(1),
  uncompressedMiB: +(img.layers.reduce((a, l) => a + l.tar.length, 0) / 2 ** 20).toFixed(1),
});

interface BerthPull {
  ms: number;
  unpackSumMs: number;
  /** From the last layer's download finishing (its "extracting") to the pull returning. */
  afterLastDownloadMs: number;
  downloadedBytes: number;
  statuses: string[];
}

async function berthPull(svc: ImageService, ref: string): Promise<BerthPull> {
  const extractAt = new Map<string, number>();
  let unpackSum = 0;
  const statuses = new Set<string>();
  const t0 = performance.now();
  const r = await svc.pull(ref, {
    onProgress: (p) => {
      statuses.add(p.status);
      if (p.status === 'extracting') extractAt.set(p.digest, performance.now());
      if (p.status === 'complete') unpackSum += performance.now() - (extractAt.get(p.digest) ?? performance.now());
    },
  });
  const end = performance.now();
  const lastExtract = Math.max(t0, ...extractAt.values());
  return { ms: end - t0, unpackSumMs: unpackSum, afterLastDownloadMs: extractAt.size ? end - lastExtract : 0, downloadedBytes: r.downloadedBytes, statuses: [...statuses] };
}

/**
 * berth's pull without the unpack: the same DistributionClient and ContentStore.ingest (verified
 * blobs in the OCI layout, 3 at a time), then the manifest; what `skopeo copy … oci:` does.
 */
async function berthFetchOnly(svc: ImageService, input: string): Promise<number> {
  const t0 = performance.now();
  await svc.content.init();
  const ref = parseReference(input);
  const top = await svc.client.getManifest(ref);
  const parsed = parseManifest(top.bytes, top.descriptor.mediaType);
  if (parsed.kind !== 'manifest') throw new Error(`${input} is an index; the bench pushes plain manifests`);
  const { manifest } = parsed;
  const source = (digest: string) => async (offset: number) => {
    const res = await svc.client.getBlob(ref, digest, { offset, preferEndpoint: top.endpoint });
    return { body: res.body as AsyncIterable<Uint8Array>, offset: res.offset };
  };
  await svc.content.ingest(manifest.config, source(manifest.config.digest));
  const queue = [...manifest.layers];
  await Promise.all(Array.from({ length: 3 }, async () => {
    for (let l = queue.shift(); l; l = queue.shift()) await svc.content.ingest(l, source(l.digest));
  }));
  await svc.content.writeBuffer(top.descriptor, top.bytes);
  return performance.now() - t0;
}

const skopeo = (src: string, dest: string) => runCommand('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${src}`, `oci:${dest}`], { env: PATH_ENV });

interface Case {
  name: string;
  ref: string;
  /** A second tag sharing all but the top layer, if any. */
  shared?: string;
}

async function main(): Promise<void> {
  const mach = await machine();
  for (const bin of ['skopeo', 'umoci']) await runCommand(bin, ['--version'], { env: PATH_ENV }).catch(() => {
    throw new Error(`${bin} is missing: apt-get install -y skopeo umoci`);
  });
  const skopeoVersion = (await runCommand('skopeo', ['--version'], { env: PATH_ENV })).stdout.trim();
  const umociVersion = (await runCommand('umoci', ['--version'], { env: PATH_ENV })).stdout.trim();
  const work = await mkdtemp(join(tmpdir(), 'berth-bench-pull-'));
  let registry: RunningRegistry | null = null;
  const stop = () => {
    void (async () => {
      await registry?.stop().catch(() => undefined);
      await rm(work, { recursive: true, force: true });
      process.exit(130);
    })();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    registry = await startRegistry();
    log(`registry ${registry.url}; building images`);
    const busybox = await buildBusyboxImage();
    // busybox + 3 layers of random-ish content: ~MIB MiB uncompressed in 4 layers.
    const third = MIB / 3;
    const l1 = layerEntries('usr/lib/bench', third, 8, 400);
    const l2 = layerEntries('opt/bench', third, 6, 300);
    const big = await buildBusyboxImage({ cmd: ['sh'], extraLayers: [l1, l2, layerEntries('app', third, 10, 200)] });
    const big2 = await buildBusyboxImage({ cmd: ['sh'], extraLayers: [l1, l2, layerEntries('app', third, 10, 200)] });
    if (big2.layers[2]?.blob.digest !== big.layers[2]?.blob.digest || big2.layers[3]?.blob.digest === big.layers[3]?.blob.digest) throw new Error('shared-base image is not as intended');
    await pushImage(busybox, registry.url, 'bench/busybox', '1');
    await pushImage(big, registry.url, 'bench/big', '1');
    await pushImage(big2, registry.url, 'bench/big', '2');
    const images = { busybox: sizes(busybox), big: sizes(big), bigTopLayerMiB: +((big2.layers[3]?.blob.size ?? 0) / 2 ** 20).toFixed(1) };
    log(`images: ${JSON.stringify(images)}`);

    const cases: Case[] = [
      { name: 'busybox', ref: `${registry.host}/bench/busybox:1` },
      { name: 'big', ref: `${registry.host}/bench/big:1`, shared: `${registry.host}/bench/big:2` },
    ];
    const results: Record<string, unknown> = {};
    const skopeoStart: number[] = [];
    for (const c of cases) {
      const b = { cold: [] as number[], fetchOnly: [] as number[], unpackSum: [] as number[], afterLastDownload: [] as number[], warm: [] as number[], shared: [] as number[], sharedBytes: 0, warmStatuses: [] as string[] };
      const s = { cold: [] as number[], warm: [] as number[], shared: [] as number[], umociUnpack: [] as number[] };
      // sample -1 is a warm-up of both (JIT, page cache), not recorded
      for (let i = -1; i < SAMPLES; i++) {
        const record = i >= 0;
        const runBerth = async () => {
          const root = await mkdtemp(join(work, 'berth-'));
          try {
            const svc = new ImageService({ root });
            const cold = await berthPull(svc, c.ref);
            const warm = await berthPull(svc, c.ref);
            const shared = c.shared ? await berthPull(svc, c.shared) : null;
            const fetchOnly = await berthFetchOnly(new ImageService({ root: join(root, 'fetch-only') }), c.ref);
            if (record) {
              b.cold.push(cold.ms);
              b.fetchOnly.push(fetchOnly);
              b.unpackSum.push(cold.unpackSumMs);
              b.afterLastDownload.push(cold.afterLastDownloadMs);
              b.warm.push(warm.ms);
              b.warmStatuses = warm.statuses;
              if (shared) {
                b.shared.push(shared.ms);
                b.sharedBytes = shared.downloadedBytes;
              }
            }
          } finally {
            await rm(root, { recursive: true, force: true });
          }
        };
        const runSkopeo = async () => {
          const dir = await mkdtemp(join(work, 'skopeo-'));
          try {
            const cold = await time(() => skopeo(c.ref, `${dir}/oci:1`));
            const warm = await time(() => skopeo(c.ref, `${dir}/oci:1`));
            const shared = c.shared ? await time(() => skopeo(c.shared!, `${dir}/oci:2`)) : null;
            await mkdir(join(dir, 'unpacked'));
            const unpack = await time(() => runCommand('umoci', ['raw', 'unpack', '--image', `${dir}/oci:1`, join(dir, 'unpacked', 'rootfs')], { env: PATH_ENV }));
            const start = await time(() => runCommand('skopeo', ['--version'], { env: PATH_ENV }));
            if (record) {
              s.cold.push(cold);
              s.warm.push(warm);
              if (shared !== null) s.shared.push(shared);
              s.umociUnpack.push(unpack);
              skopeoStart.push(start);
            }
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        };
        if (i % 2 === 0) {
          await runBerth();
          await runSkopeo();
        } else {
          await runSkopeo();
          await runBerth();
        }
        if (record) log(`${c.name} ${i + 1}/${SAMPLES}: berth cold ${b.cold.at(-1)!.toFixed(0)} ms (blobs only ${b.fetchOnly.at(-1)!.toFixed(0)}, unpack Σ ${b.unpackSum.at(-1)!.toFixed(0)}), skopeo cold ${s.cold.at(-1)!.toFixed(0)} ms, umoci unpack ${s.umociUnpack.at(-1)!.toFixed(0)} ms`);
      }
            results[c.name] = {
        coldPullMs: { berth: stats(b.cold), skopeoOci: stats(s.cold), ratioP50: +(p50(b.cold) / p50(s.cold)).toFixed(2) },
        blobsOnlyMs: { berthFetchOnly: stats(b.fetchOnly), skopeoOci: stats(s.cold), ratioP50: +(p50(b.fetchOnly) / p50(s.cold)).toFixed(2) },
        berthUnpackMs: { sumOverLayers: stats(b.unpackSum), afterLastDownload: stats(b.afterLastDownload) },
        skopeoThenUmociRawUnpackMs: { umociUnpack: stats(s.umociUnpack), coldPlusUnpackP50: +(p50(s.cold) + p50(s.umociUnpack)).toFixed(2) },
        alreadyExistsPullMs: { berth: stats(b.warm), skopeoOci: stats(s.warm), ratioP50: +(p50(b.warm) / p50(s.warm)).toFixed(2), berthLayerStatuses: b.warmStatuses },
        ...(c.shared
          ? { sharedBasePullMs: { berth: stats(b.shared), skopeoOci: stats(s.shared), ratioP50: +(p50(b.shared) / p50(s.shared)).toFixed(2), berthDownloadedMiB: +(b.sharedBytes / 2 ** 20).toFixed(1) } }
          : {}),
      };
    }
    console.log(
      JSON.stringify(
        {
          benchmark: 'pull',
          machine: mach,
          versions: { skopeo: skopeoVersion, umoci: umociVersion },
          samples: SAMPLES,
          images,
          skopeoProcessStartMs: stats(skopeoStart),
          results,
          loadavgAtEnd: (await machine()).loadavgAtStart,
        },
        null,
        2,
      ),
    );
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await registry?.stop().catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  }
}

await main();
