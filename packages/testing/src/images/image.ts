// Assembles config and manifest around a list of layers: the one image description every output
// (OCI layout, docker archive, registry push) is written from.
import { descriptorOf, MEDIA_TYPES, toBlob } from './digest.ts';
import type { Blob } from './digest.ts';
import type { Layer } from './layer.ts';

export interface ImageConfigOptions {
  cmd?: string[];
  entrypoint?: string[];
  env?: string[];
  workingDir?: string;
  /** e.g. ['80/tcp'] or [80] (tcp implied). */
  exposedPorts?: (string | number)[];
  labels?: Record<string, string>;
  user?: string;
  /** ISO date written to the config and history; fixed so digests are reproducible. */
  created?: string;
  /** OCI architecture name; defaults to the host's (the busybox binary is the host's). */
  architecture?: string;
  /** HEALTHCHECK: written as Docker does, config.Healthcheck with durations in nanoseconds. */
  healthcheck?: { test: string[]; intervalMs?: number; timeoutMs?: number; startPeriodMs?: number; startIntervalMs?: number; retries?: number };
}

export interface BuildImageOptions extends ImageConfigOptions {
  layers: Layer[];
  /** One history line per layer, for `docker history`. */
  history?: string[];
}

export interface BuiltImage {
  manifest: Blob;
  config: Blob;
  layers: Layer[];
  /** Manifest digest: what a registry answers in Docker-Content-Digest. */
  digest: string;
  /** Config digest: the image ID docker shows. */
  id: string;
}

export const DEFAULT_CREATED = '2024-01-01T00:00:00Z';
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function hostArchitecture(): string {
  const names: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return names[process.arch] ?? process.arch;
}

function portKey(port: string | number): string {
  return typeof port === 'number' || !port.includes('/') ? `${port}/tcp` : port;
}

export function buildImage(opts: BuildImageOptions): BuiltImage {
  const created = opts.created ?? DEFAULT_CREATED;
  // Key order is fixed by construction and undefined fields drop out, so the JSON is stable.
  const config = {
    created,
    architecture: opts.architecture ?? hostArchitecture(),
    os: 'linux',
    config: {
      User: opts.user,
      ExposedPorts: opts.exposedPorts?.length ? Object.fromEntries(opts.exposedPorts.map((p) => [portKey(p), {}])) : undefined,
      Env: opts.env ?? [DEFAULT_PATH],
      Entrypoint: opts.entrypoint,
      Cmd: opts.cmd,
      WorkingDir: opts.workingDir,
      Labels: opts.labels && Object.keys(opts.labels).length ? sortedRecord(opts.labels) : undefined,
      Healthcheck: opts.healthcheck ? dockerHealthcheck(opts.healthcheck) : undefined,
    },
    rootfs: { type: 'layers', diff_ids: opts.layers.map((l) => l.diffId) },
    history: opts.layers.map((_, i) => ({ created, created_by: opts.history?.[i] ?? `berth-testing layer ${i}` })),
  };
  const configBlob = toBlob(MEDIA_TYPES.config, Buffer.from(JSON.stringify(config)));
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: descriptorOf(configBlob),
    layers: opts.layers.map((l) => descriptorOf(l.blob)),
  };
  const manifestBlob = toBlob(MEDIA_TYPES.manifest, Buffer.from(JSON.stringify(manifest)));
  return { manifest: manifestBlob, config: configBlob, layers: opts.layers, digest: manifestBlob.digest, id: configBlob.digest };
}

const ns = (ms: number | undefined) => (ms === undefined ? undefined : ms * 1_000_000);

function dockerHealthcheck(h: NonNullable<ImageConfigOptions['healthcheck']>) {
  return { Test: h.test, Interval: ns(h.intervalMs), Timeout: ns(h.timeoutMs), StartPeriod: ns(h.startPeriodMs), StartInterval: ns(h.startIntervalMs), Retries: h.retries };
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
