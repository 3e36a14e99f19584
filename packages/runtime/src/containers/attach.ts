// Attaching to a container's main process through conmon's attach socket, as podman does: a
// SOCK_SEQPACKET socket in the bundle (conmon's --full-attach). Each packet from conmon is
// one chunk of output led by a byte naming its pipe (2 stdout, 3 stderr); what we send is the
// container's stdin; shutting our side down ends its stdin (unless conmon keeps it open).
// Terminal size goes through the bundle's ctl fifo: "1 <rows> <cols>\n".
import { closeSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { SeqpacketSocket } from 'node-unix-socket';

export interface AttachChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

export interface AttachSession {
  /** The container's output from the moment of attaching until it exits (or close()). */
  output: AsyncIterable<AttachChunk>;
  /** To the container's stdin (when it was created with -i). */
  write(data: Buffer): Promise<void>;
  /** End of input: the container's stdin closes (docker run -i without -d). */
  closeStdin(): void;
  /** The terminal's size, for containers created with -t. */
  resize(size: { cols: number; rows: number }): Promise<void>;
  /** Detaches; the container keeps running. */
  close(): void;
}

const PIPE = { 2: 'stdout', 3: 'stderr' } as const;
/** conmon's buffers are 8192 bytes plus the pipe byte. */
const PACKET = 8193;

/**
 * Connects to conmon's attach socket. The path can exceed a socket address's 108 bytes (state
 * dirs under long temp paths), so it goes through /proc/self/fd of the opened directory, as
 * conmon itself binds it.
 */
export async function openAttach(id: string, bundle: string): Promise<AttachSession> {
  const dirFd = openSync(bundle, constants.O_RDONLY | constants.O_DIRECTORY);
  const socket = new SeqpacketSocket();
  socket.setInternalReadBufferSize(PACKET);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(`/proc/self/fd/${dirFd}/attach`, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    socket.destroy();
    throw new Error(`cannot attach to container ${id}: ${(err as Error).message}`, { cause: err });
  } finally {
    closeSync(dirFd);
  }

  const queue: AttachChunk[] = [];
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  socket.on('data', (buf: Buffer) => {
    const stream = PIPE[buf[0] as 2 | 3];
    if (stream && buf.length > 1) queue.push({ stream, data: Buffer.from(buf.subarray(1)) });
    notify();
  });
  socket.on('end', () => {
    ended = true;
    notify();
  });
  socket.on('close', () => {
    ended = true;
    notify();
  });
  socket.on('error', (err: Error) => {
    failure = err;
    ended = true;
    notify();
  });

  async function* output(): AsyncGenerator<AttachChunk> {
    for (;;) {
      while (queue.length) yield queue.shift() as AttachChunk;
      if (ended) {
        if (failure) throw failure;
        return;
      }
      await new Promise<void>((r) => (wake = r));
    }
  }

  return {
    output: output(),
    write: (data) =>
      new Promise<void>((resolve) => {
        if (ended) return resolve();
        socket.write(data, 0, data.length, () => resolve());
      }),
    closeStdin: () => {
      if (!ended) socket.end();
    },
    async resize({ cols, rows }) {
      // Non-blocking: a container without a terminal has no reader on the fifo.
      const ctl = await open(join(bundle, 'ctl'), constants.O_WRONLY | constants.O_NONBLOCK).catch(() => null);
      if (!ctl) return;
      try {
        await ctl.write(`1 ${Math.min(rows, 1000)} ${Math.min(cols, 1000)}\n`);
      } finally {
        await ctl.close();
      }
    },
    close: () => {
      ended = true;
      socket.destroy();
      notify();
    },
  };
}
