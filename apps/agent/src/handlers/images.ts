import { Writable } from 'node:stream';
import { StreamChannel, type Channel, type ImageSummary as ProtocolImage, type MuxStream } from '@berth/protocol';
import { loadMessages } from '@berth/runtime/images/load';
import { imageUsers } from '../engine/host-engine.ts';
import { engineCall } from '../engine/errors.ts';
import { abortedBy, writeJsonLine } from './stream-io.ts';
import type { Handler } from './types.ts';


const seconds = (iso: string | null) => (iso ? Math.floor(Date.parse(iso) / 1000) : 0);

/** `docker images`: one entry per image, with all its names (the CLI prints a row per tag). */
export const listImages: Handler<'image.list'> = (p, ctx) =>
  engineCall(async () => {
    const rows = await ctx.engine.images.list(p.dangling === undefined ? {} : { dangling: p.dangling });
    const byId = new Map<string, ProtocolImage>();
    for (const r of rows) {
      const image = byId.get(r.id) ?? { id: r.id, repoTags: [], repoDigests: [], created: seconds(r.created), size: r.size, containers: imageUsers(ctx.engine.containers, r.id).length };
      if (r.tag !== '<none>' && r.repository !== '<none>') image.repoTags.push(`${r.repository}:${r.tag}`);
      if (r.digest && r.repository !== '<none>') image.repoDigests.push(`${r.repository}@${r.digest}`);
      byId.set(r.id, image);
    }
    return [...byId.values()].map((i) => ({ ...i, repoTags: [...new Set(i.repoTags)], repoDigests: [...new Set(i.repoDigests)] }));
  });

/** `docker pull`, progress per layer as JSON lines on the request's stream. */
export const pullImage: Handler<'image.pull'> = (p, ctx, io) =>
  engineCall(async () => {
    const credentials = p.auth ? { username: p.auth.username, password: p.auth.password } : undefined;
    // progress lines are best effort: a slow reader must not fail the pull
    let writing = Promise.resolve();
    const r = await ctx.engine.images.pull(p.ref, {
      signal: abortedBy(io.stream),
      ...(credentials ? { credentials } : {}),
      onProgress: (layer) => {
        writing = writing.then(() => writeJsonLine(io.stream, layer)).catch(() => undefined);
      },
    });
    await writing;
    ctx.emit('image', { action: 'pull', ref: r.reference, id: r.id });
    return { id: r.id, digest: r.digest, ref: r.reference };
  });

export const tagImage: Handler<'image.tag'> = (p, ctx) =>
  engineCall(async () => {
    await ctx.engine.images.tag(p.source, p.target);
    ctx.emit('image', { action: 'tag', ref: p.target });
    return { ok: true as const };
  });

/** `docker rmi`: refused while a container uses the image, unless forced (which only untags). */
export const removeImage: Handler<'image.remove'> = (p, ctx) =>
  engineCall(async () => {
    const events = await ctx.engine.images.remove(p.ref, {
      force: p.force,
      isImageInUse: (id) => imageUsers(ctx.engine.containers, id)[0],
    });
    const untagged = events.flatMap((e) => ('untagged' in e ? [e.untagged] : []));
    const deleted = events.flatMap((e) => ('deleted' in e ? [e.deleted] : []));
    if (untagged.length || deleted.length) ctx.emit('image', { action: deleted.length ? 'delete' : 'untag', ref: p.ref });
    return { untagged, deleted };
  });

export const inspectImage: Handler<'image.inspect'> = (p, ctx) => engineCall(async () => ({ ...(await ctx.engine.images.inspect(p.ref)) }));

export const pruneImages: Handler<'image.prune'> = (p, ctx) =>
  engineCall(async () => {
    const r = await ctx.engine.images.prune({ all: p.all, isImageInUse: (id) => imageUsers(ctx.engine.containers, id)[0] });
    if (r.deleted.length) ctx.emit('image', { action: 'prune', deleted: r.deleted.length });
    return r;
  });

export const imageHistory: Handler<'image.history'> = (p, ctx) => engineCall(() => ctx.engine.images.history(p.ref));

/** `docker push`: only the blobs the registry lacks; progress per blob on the stream. */
export const pushImage: Handler<'image.push'> = (p, ctx, io) =>
  engineCall(async () => {
    const credentials = p.auth ? { username: p.auth.username, password: p.auth.password } : undefined;
    let writing = Promise.resolve();
    const r = await ctx.engine.images.push(p.ref, {
      signal: abortedBy(io.stream),
      ...(credentials ? { credentials } : {}),
      onProgress: (blob) => {
        writing = writing.then(() => writeJsonLine(io.stream, blob)).catch(() => undefined);
      },
    });
    await writing;
    ctx.emit('image', { action: 'push', ref: r.reference, id: r.id });
    return { ref: r.reference, digest: r.digest, id: r.id, size: r.size };
  });

/** Bytes written to a request's stream, with its flow control as back-pressure. */
function streamSink(stream: MuxStream | null, channel: Channel): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!stream) return done();
      stream.write(channel, chunk).then(() => done(), done);
    },
  });
}

/** `docker save`: the archive streams out as it is written; nothing is staged on the host. */
export const saveImages: Handler<'image.save'> = (p, ctx, io) => engineCall(() => ctx.engine.images.save(p.refs, streamSink(io.stream, StreamChannel.stdout as Channel)));

/** `docker load`: the archive streams in on channel 0; every digest is checked before the store changes. */
export const loadImages: Handler<'image.load'> = (_p, ctx, io) =>
  engineCall(async () => {
    const stream = io.stream;
    async function* bytes(): AsyncGenerator<Uint8Array> {
      if (!stream) return;
      for await (const c of stream) if (c.channel === StreamChannel.stdin) yield c.data;
    }
    const r = await ctx.engine.images.load(bytes());
    for (const i of r.images) ctx.emit('image', { action: 'load', id: i.id, names: i.names });
    return { format: r.format, images: r.images.map((i) => ({ id: i.id, names: i.names })), messages: loadMessages(r) };
  });

/** `docker search`: the registry's catalog filtered by the term, as full names to pull. */
export const searchImages: Handler<'image.search'> = (p, ctx) =>
  engineCall(async () => {
    const names = await ctx.engine.images.client.catalog(p.registry, { ...(p.auth ? { credentials: p.auth } : {}), limit: 10_000 });
    const term = p.term.toLowerCase();
    return names.filter((n) => n.toLowerCase().includes(term)).slice(0, p.limit).map((n) => ({ name: `${p.registry}/${n}` }));
  });
