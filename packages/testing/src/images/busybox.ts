// Busybox-based test images built from the host's static busybox: nothing is downloaded.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { buildImage, DEFAULT_CREATED } from './image.ts';
import type { BuiltImage, ImageConfigOptions } from './image.ts';
import { buildLayer } from './layer.ts';
import type { LayerEntry } from './tar.ts';

const execFileAsync = promisify(execFile);

export const BUSYBOX_PATH = '/bin/busybox';

export interface BusyboxImageOptions extends Omit<ImageConfigOptions, 'cmd'> {
  /** Defaults to ["sh"]. */
  cmd?: string[];
  /** Each inner list becomes one more layer on top of the busybox layer. */
  extraLayers?: LayerEntry[][];
  /** A static busybox to copy; defaults to /bin/busybox (Debian's busybox-static). */
  busyboxPath?: string;
}

interface Busybox {
  binary: Buffer;
  /** Applet paths relative to the root, as `busybox --list-full` prints them (bin/sh, usr/sbin/httpd...). */
  applets: string[];
}

const busyboxCache = new Map<string, Promise<Busybox>>();

function loadBusybox(path: string): Promise<Busybox> {
  let cached = busyboxCache.get(path);
  if (!cached) {
    cached = (async () => {
      const binary = await readFile(path).catch((err: NodeJS.ErrnoException) => {
        throw new Error(`cannot read ${path} (${err.code ?? err.message}): run \`apt-get install busybox-static\``);
      });
      const { stdout } = await execFileAsync(path, ['--list-full']);
      const applets = stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '' && l !== 'bin/busybox');
      return { binary, applets };
    })();
    cached.catch(() => busyboxCache.delete(path));
    busyboxCache.set(path, cached);
  }
  return cached;
}

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\nnobody:x:65534:\n';

function baseEntries(busybox: Busybox): LayerEntry[] {
  return [
    { path: 'bin/busybox', content: busybox.binary, mode: 0o755 },
    ...busybox.applets.map((applet): LayerEntry => ({ type: 'symlink', path: applet, target: '/bin/busybox' })),
    { path: 'etc/passwd', content: PASSWD },
    { path: 'etc/group', content: GROUP },
    { path: 'etc/hostname', content: 'berth\n' },
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    { type: 'dir', path: 'root', mode: 0o700 },
    ...['proc', 'sys', 'dev', 'var/www', 'usr/local/bin'].map((path): LayerEntry => ({ type: 'dir', path })),
  ];
}

/** A one-layer busybox image (plus `extraLayers`); the same options always give the same digests. */
export async function buildBusyboxImage(opts: BusyboxImageOptions = {}): Promise<BuiltImage> {
  const busybox = await loadBusybox(opts.busyboxPath ?? BUSYBOX_PATH);
  const created = opts.created ?? DEFAULT_CREATED;
  const mtime = new Date(created);
  if (Number.isNaN(mtime.getTime())) throw new Error(`created is not a date: ${created}`);
  const layers = [await buildLayer(baseEntries(busybox), mtime)];
  for (const entries of opts.extraLayers ?? []) layers.push(await buildLayer(entries, mtime));
  const { extraLayers: _extra, busyboxPath: _path, ...config } = opts;
  return buildImage({
    ...config,
    cmd: opts.cmd ?? ['sh'],
    created,
    layers,
    history: layers.map((_, i) => (i === 0 ? `COPY ${BUSYBOX_PATH} /bin/busybox # berth-testing` : `berth-testing extra layer ${i}`)),
  });
}

export const HTTPD_INDEX = 'hello from berth\n';

/** Busybox serving /var/www on port 80 in the foreground. */
export function buildHttpdImage(opts: BusyboxImageOptions = {}): Promise<BuiltImage> {
  return buildBusyboxImage({
    cmd: ['httpd', '-f', '-p', '80', '-h', '/var/www'],
    exposedPorts: ['80/tcp'],
    ...opts,
    extraLayers: [[{ path: 'var/www/index.html', content: HTTPD_INDEX }], ...(opts.extraLayers ?? [])],
  });
}
