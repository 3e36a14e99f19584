// Docker's image verbs: images, pull, tag, rmi, image prune, image inspect.
import { createInterface } from 'node:readline/promises';
import type { ImageSummary, LayerProgress } from '@berth/protocol';
import { UserError } from '../errors.ts';
import { parseFlags } from '../flags.ts';
import { ago, ellipsis, humanSize, shortId, table } from '../format.ts';
import { subscription } from '../subscribe.ts';
import { forEach, hostFor, hostsFor, onEachHost, usage, type Io, type VerbContext } from './verbs.ts';

const HOST_FLAG = { host: { type: 'string' as const, short: 'H' } };

// --- images --------------------------------------------------------------------------------------

/** REPOSITORY and TAG of a "repo:tag" name; the tag is what follows the last colon after the last slash. */
export function splitRef(ref: string): { repository: string; tag: string } {
  const at = ref.indexOf('@');
  if (at >= 0) return { repository: ref.slice(0, at), tag: ref.slice(at + 1) };
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repository: ref, tag: 'latest' };
}

/** `docker images` layout: a row per tag, <none> for an image without one. */
export function imagesTable(images: Array<ImageSummary & { host?: string }>, o: { noTrunc: boolean; showHost: boolean; now?: number }): string {
  const rows = images.flatMap((i) => {
    const names = i.repoTags.length ? i.repoTags.map(splitRef) : [{ repository: '<none>', tag: '<none>' }];
    return names.map((n) => {
      const row = [n.repository, n.tag, o.noTrunc ? i.id : shortId(i.id), ago(i.created, o.now), humanSize(i.size)];
      return o.showHost ? [...row, i.host ?? ''] : row;
    });
  });
  return table(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', ...(o.showHost ? ['HOST'] : [])], rows);
}

export async function imagesCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('images', argv, { all: { type: 'boolean', short: 'a' }, quiet: { type: 'boolean', short: 'q' }, 'no-trunc': { type: 'boolean' }, format: { type: 'string' }, ...HOST_FLAG });
  const format = f.str('format');
  if (format !== undefined && format !== 'json') throw new UserError(`images: unknown --format ${format}: only json is supported`);
  const host = f.str('host') ?? ctx.host;
  const r = await ctx.api.images.list.query({ ...(host ? { host } : {}), all: f.bool('all') });
  for (const u of r.unavailable) ctx.io.err(`berth: ${u.host}: ${u.reason} (its images are not listed)\n`);
  let images = r.images;
  if (f.positionals[0]) {
    const want = f.positionals[0];
    images = images.filter((i) => i.repoTags.some((t) => t === want || splitRef(t).repository === want));
  }
  if (f.bool('quiet')) ctx.io.out([...new Set(images.map((i) => (f.bool('no-trunc') ? i.id : shortId(i.id))))].map((id) => `${id}\n`).join(''));
  else if (format === 'json') ctx.io.out(images.map((i) => `${JSON.stringify(i)}\n`).join(''));
  else ctx.io.out(imagesTable(images, { noTrunc: f.bool('no-trunc'), showHost: !host && r.hosts.length > 1 }));
  return 0;
}

// --- pull ----------------------------------------------------------------------------------------

const STATUS_WORDS: Record<LayerProgress['status'], string> = {
  waiting: 'Waiting',
  downloading: 'Downloading',
  verifying: 'Verifying Checksum',
  extracting: 'Extracting',
  complete: 'Pull complete',
  'already exists': 'Already exists',
};

/** One layer's line, as docker draws it: "3f4d90098f5b: Downloading  1.2MB/3.4MB". */
export function layerLine(l: LayerProgress): string {
  const word = STATUS_WORDS[l.status];
  const sizes = (l.status === 'downloading' || l.status === 'extracting') && l.total > 0 ? `  ${humanSize(l.done)}/${humanSize(l.total)}` : '';
  return `${shortId(l.digest)}: ${word}${sizes}`;
}

/**
 * Draws per-layer progress: on a terminal one line per layer, redrawn in place; otherwise a
 * line each time a layer's state changes, never one per byte count.
 */
export class ProgressLines<T extends { digest: string; status: string }> {
  private readonly order: string[] = [];
  private readonly lines = new Map<string, string>();
  private readonly states = new Map<string, string>();

  constructor(private readonly write: (s: string) => void, private readonly tty: boolean, private readonly render: (p: T) => string) {}

  update(p: T): void {
    const line = this.render(p);
    const known = this.states.has(p.digest);
    const changed = this.states.get(p.digest) !== p.status;
    this.states.set(p.digest, p.status);
    if (!this.tty) {
      if (changed) this.write(`${line}\n`);
      return;
    }
    if (!known) {
      this.order.push(p.digest);
      this.lines.set(p.digest, line);
      this.write(`${line}\n`);
      return;
    }
    if (this.lines.get(p.digest) === line) return;
    this.lines.set(p.digest, line);
    const up = this.order.length - this.order.indexOf(p.digest);
    this.write(`\x1b[${up}A\r\x1b[2K${line}\r\x1b[${up}B`);
  }
}

/** `docker pull` progress. */
export class PullProgress extends ProgressLines<LayerProgress> {
  private downloaded = false;

  constructor(write: (s: string) => void, tty: boolean) {
    super(write, tty, layerLine);
  }

  override update(l: LayerProgress): void {
    if (l.status !== 'already exists' && l.status !== 'waiting') this.downloaded = true;
    super.update(l);
  }

  /** Whether any layer had to be fetched (else the image was up to date). */
  get fetchedAnything(): boolean {
    return this.downloaded;
  }
}

/** Pulls with docker's output; returns the pulled image. */
export async function pullWithProgress(ctx: VerbContext, host: string, ref: string, io: Io): Promise<{ id: string; digest: string; ref: string }> {
  const { repository, tag } = splitRef(ref);
  // what the name meant before, to say "up to date" only when the pull changed nothing
  const before = await ctx.api.images.inspect.query({ host, ref }).then((i) => String((i as { id?: unknown; Id?: unknown }).id ?? (i as { Id?: unknown }).Id ?? ''), () => null);
  io.out(`${tag}: Pulling from ${repository}\n`);
  const progress = new PullProgress(io.out, io.isTTY);
  type PullEvent = { type: 'progress'; layer: LayerProgress } | { type: 'done'; id: string; digest: string; ref: string };
  let done: { id: string; digest: string; ref: string } | null = null;
  for await (const e of subscription<PullEvent>((h) => ctx.api.images.pull.subscribe({ host, ref }, h), ctx.signal)) {
    if (e.type === 'progress') progress.update(e.layer);
    else done = { id: e.id, digest: e.digest, ref: e.ref };
  }
  if (ctx.signal.aborted) throw new UserError('pull cancelled', 130);
  if (!done) throw new UserError(`pull: the pull of ${ref} ended without a result`);
  io.out(`Digest: ${done.digest}\n`);
  io.out(before === done.id ? `Status: Image is up to date for ${done.ref}\n` : `Status: Downloaded newer image for ${done.ref}\n`);
  return done;
}

export async function pullCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('pull', argv, { quiet: { type: 'boolean', short: 'q' }, ...HOST_FLAG });
  if (f.positionals.length !== 1) throw usage('pull', '[-q] NAME[:TAG|@DIGEST]', 'requires exactly 1 argument');
  const quiet: Io = { out: () => {}, err: ctx.io.err, isTTY: false };
  const { hosts, several } = await hostsFor(ctx, f.str('host'));
  if (several) return onEachHost(ctx, hosts, async (h) => `${(await pullWithProgress(ctx, h, f.positionals[0]!, quiet)).digest}`);
  const host = hosts[0]!;
  const r = await pullWithProgress(ctx, host, f.positionals[0]!, f.bool('quiet') ? quiet : ctx.io);
  ctx.io.out(`${r.ref}\n`);
  return 0;
}

// --- push ----------------------------------------------------------------------------------------

type BlobProgress = { digest: string; status: 'waiting' | 'pushing' | 'pushed' | 'mounted' | 'already exists'; done: number; total: number };

/** One blob's line, as docker push draws it: "3f4d90098f5b: Pushing  1.2MB/3.4MB". */
export function blobLine(b: BlobProgress): string {
  const word = { waiting: 'Waiting', pushing: 'Pushing', pushed: 'Pushed', mounted: 'Mounted', 'already exists': 'Layer already exists' }[b.status];
  const sizes = b.status === 'pushing' && b.total > 0 ? `  ${humanSize(b.done)}/${humanSize(b.total)}` : '';
  return `${shortId(b.digest)}: ${word}${sizes}`;
}

export async function pushCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('push', argv, { quiet: { type: 'boolean', short: 'q' }, ...HOST_FLAG });
  if (f.positionals.length !== 1) throw usage('push', '[-q] NAME[:TAG]', 'requires exactly 1 argument');
  const host = await hostFor(ctx, f.str('host'));
  const ref = f.positionals[0]!;
  const quiet = f.bool('quiet');
  const { repository, tag } = splitRef(ref);
  if (!quiet) ctx.io.out(`The push refers to repository [${repository}]\n`);
  const progress = new ProgressLines<BlobProgress>(quiet ? () => {} : ctx.io.out, ctx.io.isTTY, blobLine);
  type PushEvent = { type: 'progress'; blob: BlobProgress } | { type: 'done'; ref: string; digest: string; id: string; size: number };
  let done: Extract<PushEvent, { type: 'done' }> | null = null;
  for await (const e of subscription<PushEvent>((h) => ctx.api.images.push.subscribe({ host, ref }, h), ctx.signal)) {
    if (e.type === 'progress') progress.update(e.blob);
    else done = e;
  }
  if (ctx.signal.aborted) return 130;
  if (!done) throw new UserError(`push: the push of ${ref} ended without a result`);
  ctx.io.out(quiet ? `${done.ref}\n` : `${tag}: digest: ${done.digest} size: ${done.size}\n`);
  return 0;
}

// --- history -------------------------------------------------------------------------------------

export interface HistoryRow {
  id: string;
  created: string | null;
  createdBy: string;
  size: number;
  comment: string;
}

/** `docker history` layout. */
export function historyTable(rows: HistoryRow[], o: { noTrunc: boolean; now?: number }): string {
  return table(['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], rows.map((r) => [
    /^sha256:/.test(r.id) ? (o.noTrunc ? r.id : shortId(r.id)) : '<missing>',
    r.created ? ago(Date.parse(r.created) / 1000, o.now) : '',
    o.noTrunc ? r.createdBy : ellipsis(r.createdBy.replace(/\s+/g, ' '), 45),
    humanSize(r.size),
    r.comment,
  ]));
}

export async function historyCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('history', argv, { 'no-trunc': { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' }, ...HOST_FLAG });
  if (f.positionals.length !== 1) throw usage('history', '[--no-trunc] [-q] IMAGE', 'requires exactly 1 argument');
  const host = await hostFor(ctx, f.str('host'));
  const rows = await ctx.api.images.history.query({ host, ref: f.positionals[0]! });
  if (f.bool('quiet')) ctx.io.out(rows.map((r) => `${/^sha256:/.test(r.id) ? (f.bool('no-trunc') ? r.id : shortId(r.id)) : '<missing>'}\n`).join(''));
  else ctx.io.out(historyTable(rows, { noTrunc: f.bool('no-trunc') }));
  return 0;
}

// --- tag, rmi, prune, inspect --------------------------------------------------------------------

export async function tagCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('tag', argv, HOST_FLAG);
  if (f.positionals.length !== 2) throw usage('tag', 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]', 'requires exactly 2 arguments');
  const host = await hostFor(ctx, f.str('host'));
  await ctx.api.images.tag.mutate({ host, source: f.positionals[0]!, target: f.positionals[1]! });
  return 0;
}

export async function rmiCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('rmi', argv, { force: { type: 'boolean', short: 'f' }, ...HOST_FLAG });
  if (!f.positionals.length) throw usage('rmi', '[-f] IMAGE [IMAGE...]', 'requires at least 1 argument');
  const host = await hostFor(ctx, f.str('host'));
  return forEach(ctx, f.positionals, async (ref) => {
    const r = await ctx.api.images.remove.mutate({ host, ref, force: f.bool('force') });
    return [...r.untagged.map((u) => `Untagged: ${u}\n`), ...r.deleted.map((d) => `Deleted: ${d}\n`)].join('');
  });
}

export async function pruneCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('image prune', argv, { all: { type: 'boolean', short: 'a' }, force: { type: 'boolean', short: 'f' }, ...HOST_FLAG });
  const { hosts, several } = await hostsFor(ctx, f.str('host'));
  if (!f.bool('force')) {
    const warning = f.bool('all') ? 'WARNING! This will remove all images without at least one container associated to them.' : 'WARNING! This will remove all dangling images.';
    if (!process.stdin.isTTY) throw new UserError(`image prune: ${warning} Add -f to go ahead (stdin is not a terminal to ask)`);
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = (await rl.question(`${warning}\nAre you sure you want to continue? [y/N] `)).trim().toLowerCase();
    rl.close();
    if (answer !== 'y' && answer !== 'yes') return 0;
  }
  if (several) {
    return onEachHost(ctx, hosts, async (host) => {
      const r = await ctx.api.images.prune.mutate({ host, all: f.bool('all') });
      return `deleted ${r.deleted.length} image${r.deleted.length === 1 ? '' : 's'}, reclaimed ${humanSize(r.spaceReclaimed)}`;
    });
  }
  const r = await ctx.api.images.prune.mutate({ host: hosts[0]!, all: f.bool('all') });
  if (r.deleted.length) ctx.io.out(`Deleted Images:\n${r.deleted.map((d) => `deleted: ${d}\n`).join('')}\n`);
  ctx.io.out(`Total reclaimed space: ${humanSize(r.spaceReclaimed)}\n`);
  return 0;
}

export async function imageInspectCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('image inspect', argv, HOST_FLAG);
  if (!f.positionals.length) throw usage('image inspect', 'IMAGE [IMAGE...]', 'requires at least 1 argument');
  const host = await hostFor(ctx, f.str('host'));
  const found: unknown[] = [];
  const code = await forEach(ctx, f.positionals, async (ref) => {
    found.push(await ctx.api.images.inspect.query({ host, ref }));
    return '';
  });
  ctx.io.out(`${JSON.stringify(found, null, 4)}\n`);
  return code;
}

/** `docker search [--limit N] REGISTRY/TERM`: repositories of a registry's catalog, asked through a host. */
export async function searchCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('search', argv, { limit: { type: 'string' }, host: { type: 'string', short: 'H' } });
  if (f.positionals.length !== 1) throw usage('search', '[--limit N] REGISTRY/TERM', 'requires exactly 1 argument');
  const limit = f.str('limit') === undefined ? 25 : Number(f.str('limit'));
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new UserError(`search: --limit must be a whole number from 1 to 100, not ${JSON.stringify(f.str('limit'))}`);
  const host = await hostFor(ctx, f.str('host'));
  const found = await ctx.api.images.search.query({ host, term: f.positionals[0]!, limit });
  ctx.io.out(table(['NAME'], found.map((r) => [r.name])));
  return 0;
}
