import { randomUUID } from 'node:crypto';
import { totalmem } from 'node:os';
import type { Readable } from 'node:stream';
import { StreamChannel, TerminalControl, type Channel, type MuxStream } from '@berth/protocol';
import { containerPaths, cpuPercent, toRfc3339NanoUtc, type ExecSession, type ImageConfig, type LogEntry } from '@berth/runtime';
import { dockerStatus } from '../engine/docker-status.ts';
import { commandLine, dockerInspect } from '../engine/docker-inspect.ts';
import { networkNames, portEntries } from '../engine/docker-ports.ts';
import { engineCall } from '../engine/errors.ts';
import { volumeUsers } from '../engine/host-engine.ts';
import { isAnonymousVolume, toContainerConfig } from '../engine/run-config.ts';
import { abortedBy } from './stream-io.ts';
import type { Handler } from './types.ts';

const ok = { ok: true as const };

/** `docker ps [-a]`. */
export const listContainers: Handler<'container.list'> = async (p, ctx) =>
  ctx.engine.containers
    .list()
    .filter((r) => p.all || r.state.status === 'running' || r.state.status === 'paused' || r.state.status === 'restarting')
    .sort((a, b) => b.created.localeCompare(a.created))
    .map((r) => ({
      id: r.id,
      name: r.name,
      image: r.image.ref,
      imageId: r.image.id ?? '',
      command: commandLine(r),
      created: Math.floor(Date.parse(r.created) / 1000),
      state: r.state.status,
      status: dockerStatus(r.state),
      exitCode: r.state.status === 'exited' || r.state.status === 'dead' ? r.state.exitCode : null,
      labels: { ...(r.imageConfig.Labels ?? {}), ...(r.config.labels ?? {}) },
      ports: portEntries(r),
      networks: networkNames(r),
      ...(r.state.health ? { health: r.state.health.status } : {}),
    }));

/** `docker create`: the image must be on the host (the CLI pulls first, as docker run does). */
export const createContainer: Handler<'container.create'> = (p, ctx) =>
  engineCall(async () => {
    const image = await ctx.engine.images.inspect(p.image);
    const prepared = await ctx.engine.images.prepare(p.image);
    const imageConfig = image.config as ImageConfig;
    const defaultNetwork = ctx.engine.networks.list().some((n) => n.isDefault) ? 'bridge' : 'none';
    const config = toContainerConfig(p, randomUUID(), Object.keys(imageConfig.Volumes ?? {}), defaultNetwork);
    const made: string[] = [];
    try {
      for (const v of config.volumes ?? []) {
        const existed = await ctx.engine.volumes.inspect(v.name).then(() => true, () => false);
        await ctx.engine.volumes.create({ name: v.name, anonymous: isAnonymousVolume(v.name) });
        if (!existed) made.push(v.name);
      }
      const r = await ctx.engine.containers.create({
        ...(p.name ? { name: p.name.replace(/^\//, '') } : {}),
        rootfs: { lowerDirs: prepared.lowerdirs, config: imageConfig, imageRef: p.image, imageId: image.id, ...(ctx.engine.images.idMappings ? { idMappings: ctx.engine.images.idMappings } : {}) },
        config,
        ...(p.files.length ? { fileContents: p.files.map((f) => Buffer.from(f.data, 'base64')) } : {}),
      });
      // says how many secrets and configs it mounted: an agent older than protocol 1.4
      // drops `files` without a word, and the control plane must be able to tell
      return { id: r.id, name: r.name, files: r.config.files?.length ?? 0 };
    } catch (err) {
      // nothing half-made: volumes this create brought into being go with it
      for (const name of made) await ctx.engine.volumes.remove(name, () => []).catch(() => undefined);
      throw err;
    }
  });

export const startContainer: Handler<'container.start'> = (p, ctx) => engineCall(() => ctx.engine.containers.start(p.id).then(() => ok));
export const stopContainer: Handler<'container.stop'> = (p, ctx) =>
  engineCall(() => ctx.engine.containers.stop(p.id, p.timeout !== undefined ? { timeoutSec: p.timeout } : {}).then(() => ok));
export const restartContainer: Handler<'container.restart'> = (p, ctx) =>
  engineCall(() => ctx.engine.containers.restart(p.id, p.timeout !== undefined ? { timeoutSec: p.timeout } : {}).then(() => ok));
export const killContainer: Handler<'container.kill'> = (p, ctx) => engineCall(() => ctx.engine.containers.kill(p.id, p.signal).then(() => ok));
export const pauseContainer: Handler<'container.pause'> = (p, ctx) => engineCall(() => ctx.engine.containers.pause(p.id).then(() => ok));
export const unpauseContainer: Handler<'container.unpause'> = (p, ctx) => engineCall(() => ctx.engine.containers.unpause(p.id).then(() => ok));
export const renameContainer: Handler<'container.rename'> = (p, ctx) => engineCall(() => ctx.engine.containers.rename(p.id, p.name.replace(/^\//, '')).then(() => ok));
export const inspectContainer: Handler<'container.inspect'> = (p, ctx) => engineCall(async () => dockerInspect(ctx.engine.containers.inspect(p.id)));

/** `docker rm [-f] [-v]`: named volumes always stay; -v removes the container's anonymous ones. */
export const removeContainer: Handler<'container.remove'> = (p, ctx) =>
  engineCall(async () => {
    const anonymous = (ctx.engine.containers.inspect(p.id).config.volumes ?? []).map((v) => v.name).filter(isAnonymousVolume);
    await ctx.engine.containers.remove(p.id, { force: p.force });
    if (p.volumes) for (const name of anonymous) await ctx.engine.volumes.remove(name, (n) => volumeUsers(ctx.engine.containers, n)).catch(() => undefined);
    return ok;
  });

export const waitContainer: Handler<'container.wait'> = (p, ctx, io) =>
  engineCall(async () => ({ exitCode: (await ctx.engine.containers.wait(p.id, { signal: abortedBy(io.stream) })).exitCode }));

/** `docker stats --no-stream`: two samples a moment apart for the CPU figure. */
export const containerStats: Handler<'container.stats'> = (p, ctx) =>
  engineCall(async () => {
    const t0 = process.hrtime.bigint();
    const a = await ctx.engine.containers.stats(p.id);
    await new Promise((r) => setTimeout(r, 250));
    const b = await ctx.engine.containers.stats(p.id);
    const elapsed = Number(process.hrtime.bigint() - t0);
    return {
      cpuPercent: cpuPercent(a, b, elapsed),
      memoryUsageBytes: b.memoryUsage,
      memoryLimitBytes: b.memoryLimit ?? totalmem(),
      pids: b.pids,
      netRxBytes: b.network.rxBytes,
      netTxBytes: b.network.txBytes,
      blockReadBytes: b.blockReadBytes,
      blockWriteBytes: b.blockWriteBytes,
    };
  });

export const containerTop: Handler<'container.top'> = (p, ctx) => engineCall(() => ctx.engine.containers.top(p.id));
export const containerDiff: Handler<'container.diff'> = (p, ctx) => engineCall(() => ctx.engine.containers.diff(p.id));

function channelOf(e: LogEntry): Channel {
  return (e.stream === 'stderr' ? StreamChannel.stderr : StreamChannel.stdout) as Channel;
}

/** `docker logs [-f] [--tail N] [--since T] [-t]`, each entry on its stream's channel. */
export const containerLogs: Handler<'container.logs'> = (p, ctx, io) =>
  engineCall(async () => {
    const stream = io.stream;
    const opts = { ...(p.tail !== undefined ? { tail: p.tail } : {}), ...(p.since !== undefined ? { since: new Date(p.since * 1000) } : {}) };
    const write = (e: LogEntry) => stream?.write(channelOf(e), Buffer.from(p.timestamps ? `${toRfc3339NanoUtc(e.timeNs)} ${e.text}` : e.text));
    if (!p.follow) {
      for (const e of await ctx.engine.containers.logs(p.id, opts)) await write(e);
      return ok;
    }
    for await (const e of ctx.engine.containers.followLogs(p.id, { ...opts, signal: abortedBy(stream) })) await write(e);
    return ok;
  });

async function pump(from: Readable, to: MuxStream | null, channel: Channel): Promise<void> {
  for await (const chunk of from) await to?.write(channel, chunk as Buffer);
}

/** Where an interactive session's input goes: an exec's process, or an attached container. */
interface SessionInput {
  write(data: Buffer): Promise<void>;
  end(): void;
  resize(cols: number, rows: number): void;
}

const execInput = (session: ExecSession): SessionInput => ({
  write: async (data) => {
    if (!session.stdin.write(data)) await new Promise((r) => session.stdin.once('drain', r));
  },
  end: () => session.stdin.end(),
  resize: (cols, rows) => session.resize(cols, rows),
});

/** Feeds an interactive session: channel 0 to its stdin, resize requests on channel 3. */
async function feed(stream: MuxStream, session: SessionInput): Promise<void> {
  try {
    for await (const c of stream) {
      if (c.channel === StreamChannel.stdin) {
        await session.write(c.data);
      } else if (c.channel === StreamChannel.json) {
        for (const line of c.data.toString('utf8').split('\n').filter(Boolean)) {
          let msg;
          try {
            msg = TerminalControl.safeParse(JSON.parse(line));
          } catch {
            continue; // a garbled control line is ignored, not the end of the session
          }
          if (msg.success) session.resize(msg.data.resize.cols, msg.data.resize.rows);
        }
      }
    }
  } catch {
    // the stream went away: the exec is killed below, an attach detaches
  } finally {
    session.end();
  }
}

/** `docker exec [-i] [-t]`: output streamed, the exit code as the result. */
export const execInContainer: Handler<'container.exec'> = (p, ctx, io) =>
  engineCall(async () => {
    const session = await ctx.engine.containers.exec(p.id, {
      cmd: p.cmd,
      env: p.env,
      ...(p.user ? { user: p.user } : {}),
      ...(p.workingDir ? { workingDir: p.workingDir } : {}),
      ...(p.tty ? { tty: p.tty } : {}),
    });
    const stream = io.stream;
    if (p.interactive && stream) void feed(stream, execInput(session));
    else session.stdin.end();
    // the user went away (stream reset): the process does not linger in the container
    const gone = abortedBy(stream);
    gone.addEventListener('abort', () => session.kill(), { once: true });
    // handled at once: the stream may be reset (the terminal closed) while the process still runs
    const output = Promise.all([pump(session.stdout, stream, StreamChannel.stdout as Channel), pump(session.stderr, stream, StreamChannel.stderr as Channel)]).catch(() => undefined);
    const exitCode = await session.exitCode;
    await output;
    return { exitCode };
  });

/** `docker attach` / the attach of `docker run`: output streamed until it exits, then its exit code. */
export const attachContainer: Handler<'container.attach'> = (p, ctx, io) =>
  engineCall(async () => {
    const session = await ctx.engine.containers.attach(p.id, { start: p.start });
    const stream = io.stream;
    if (p.tty) await session.resize(p.tty);
    // resizes are read even when input is not connected (a read-only attach to a -t container)
    if (stream) {
      void feed(stream, {
        write: async (d) => (p.stdin ? session.write(d) : undefined),
        end: () => (p.stdin ? session.closeStdin() : undefined),
        resize: (cols, rows) => void session.resize({ cols, rows }),
      });
    }
    // the user went away (detached): the container keeps running
    const gone = abortedBy(stream);
    gone.addEventListener('abort', () => session.close(), { once: true });
    try {
      for await (const chunk of session.output) await stream?.write((chunk.stream === 'stderr' ? StreamChannel.stderr : StreamChannel.stdout) as Channel, chunk.data);
    } catch {
      // the stream was reset while writing: detached
    }
    if (gone.aborted) return { exitCode: null };
    return { exitCode: (await ctx.engine.containers.wait(p.id)).exitCode };
  });

/** `docker commit`: paused while its writable layer is read, unless told otherwise. */
export const commitContainer: Handler<'container.commit'> = (p, ctx) =>
  engineCall(async () => {
    const c = ctx.engine.containers.inspect(p.id);
    const pause = p.pause && c.state.status === 'running';
    if (pause) await ctx.engine.containers.pause(c.id);
    try {
      const r = await ctx.engine.images.commit({
        upperDir: containerPaths(ctx.engine.stateDir, c.id).upper,
        // the owners its layer store shifted (a container from before remapping was switched has none)
        idMappings: c.rootfs.idMappings,
        parentReference: c.image.id ?? c.image.ref,
        createdBy: commandLine(c),
        ...(p.author ? { author: p.author } : {}),
        ...(p.message ? { message: p.message } : {}),
        ...(p.ref ? { reference: p.ref } : {}),
      });
      ctx.emit('image', { action: 'commit', id: r.id, ref: r.reference, container: c.name });
      return { id: r.id, ref: r.reference };
    } finally {
      if (pause) await ctx.engine.containers.unpause(c.id).catch(() => undefined);
    }
  });

/** `docker export`: the merged root filesystem streamed as a tar, with the stream's flow control. */
export const exportContainer: Handler<'container.export'> = (p, ctx, io) =>
  engineCall(async () => {
    const stream = io.stream;
    await ctx.engine.containers.export(p.id, async (chunk) => {
      await stream?.write(StreamChannel.stdout as Channel, chunk);
    });
    return ok;
  });
