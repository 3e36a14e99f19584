// How the Docker CLI words things, so that the dashboard reads like `docker ps` and `docker images`.

/** The first 12 hex digits of an ID, without its algorithm: `docker ps`'s CONTAINER ID. */
export const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

/** go-units HumanDuration: "Less than a second", "About a minute", "3 hours", "2 weeks". */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

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

/** Memory as `docker stats` prints it: 1024-based ("12.5MiB"). */
export const binarySize = (bytes: number): string => scaled(bytes, 1024, BINARY, 3);

/** Splits "registry:5000/team/app:v1" into its repository and tag; "<none>" when there is none. */
export function splitRepoTag(ref: string): { repository: string; tag: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repository: ref, tag: '<none>' };
}
