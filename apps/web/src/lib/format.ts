// How the Docker CLI words things, so that the dashboard reads like `docker ps` and `docker images`.

import { humanDuration } from '@berth/protocol/docker-words';

export { humanDuration, shortId } from '@berth/protocol/docker-words';


/** CREATED as `docker ps` shows it, from unix seconds: "5 minutes ago". */
export const createdAgo = (unixSeconds: number, now = Date.now()): string => `${humanDuration(Math.max(0, now - unixSeconds * 1000))} ago`;

const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

function scaled(bytes: number, base: number, units: string[], precision: number): string {
  let v = bytes;
  let i = 0;
  while (v >= base && i < units.length - 1) {
    v /= base;
    i++;
  }
  // 999.96kB rounds up to the next unit: "1MB", not "1000kB"
  if (Number(v.toPrecision(precision)) >= base && i < units.length - 1) {
    v /= base;
    i++;
  }
  return `${Number(v.toPrecision(precision))}${units[i]}`;
}

/** SIZE as `docker images` prints it: 1000-based, three significant digits ("4.26MB"). */
export const dockerSize = (bytes: number): string => scaled(bytes, 1000, DECIMAL, 3);

/** Sizes as `docker system df` and `docker volume` print them: go-units HumanSize, 1000-based, four significant digits ("16.43MB"). */
export const dfSize = (bytes: number): string => scaled(bytes, 1000, DECIMAL, 4);

/** RECLAIMABLE as `docker system df` prints it: the size, then the whole percentage of SIZE when there is any. */
export const reclaimableText = (reclaimable: number, size: number): string =>
  size > 0 ? `${dfSize(reclaimable)} (${Math.floor((reclaimable * 100) / size)}%)` : dfSize(reclaimable);

/** CREATED from an ISO date, as `docker ps` words it: "5 minutes ago". */
export const isoAgo = (iso: string | Date | null, now = Date.now()): string => (iso ? createdAgo(new Date(iso).getTime() / 1000, now) : '—');

/** NET I/O and BLOCK I/O as `docker stats` prints them: cumulative bytes in and out, 1000-based, three digits ("1.45kB / 648B"). */
export const ioPair = (inBytes: number, outBytes: number): string => `${dockerSize(inBytes)} / ${dockerSize(outBytes)}`;

/** Memory as `docker stats` prints it: 1024-based ("12.5MiB"). */
export const binarySize = (bytes: number): string => scaled(bytes, 1024, BINARY, 3);

/** Splits "registry:5000/team/app:v1" into its repository and tag; "<none>" when there is none. */
export function splitRepoTag(ref: string): { repository: string; tag: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repository: ref, tag: '<none>' };
}
