import type { Channel, MuxStream } from '@berth/protocol';
import { StreamChannel } from '@berth/protocol';

/** Fires when the control plane resets the request's stream (the user went away). */
export function abortedBy(stream: MuxStream | null): AbortSignal {
  const ac = new AbortController();
  void stream?.closed.then(() => ac.abort());
  return ac.signal;
}

/** One JSON line on the stream's JSON channel, e.g. pull progress. */
export async function writeJsonLine(stream: MuxStream | null, value: unknown): Promise<void> {
  await stream?.write(StreamChannel.json as Channel, Buffer.from(`${JSON.stringify(value)}\n`));
}
