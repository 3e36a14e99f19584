import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { SOCKET_HIGH_WATER, STREAM_WINDOW, StreamMux } from '@berth/protocol';

/** Both ends of a real websocket on 127.0.0.1, each with a mux, as the hub and the agent have. */
async function pair() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const port = (wss.address() as { port: number }).port;
  const serverSide = once(wss, 'connection') as Promise<[WebSocket]>;
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  await once(client, 'open');
  const [server] = await serverSide;
  const mk = (ws: WebSocket, json: string[]) => {
    const mux = new StreamMux({ sendBinary: (b) => ws.send(b), bufferedAmount: () => ws.bufferedAmount });
    ws.on('message', (d, binary) => (binary ? mux.onFrame(d as Buffer) : json.push(String(d))));
    return mux;
  };
  const agentJson: string[] = [];
  const cpJson: string[] = [];
  return { cp: mk(server, cpJson), agent: mk(client, agentJson), server, client, cpJson, close: () => (client.close(), wss.close()) };
}

describe('streams over a real websocket', () => {
  it('moves 64 MiB to a slow reader while a JSON message still gets through promptly', async () => {
    const { cp, agent, client, cpJson, close } = await pair();
    try {
      const s = cp.open();
      const a = agent.accept(s.id);
      const total = 64 * 1024 * 1024;
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      const writer = (async () => {
        for (let sent = 0; sent < total; sent += chunk.length) {
          await a.write(1, chunk);
          // the agent's socket never holds much more than the high-water mark
          expect(client.bufferedAmount).toBeLessThanOrEqual(SOCKET_HIGH_WATER + 128 * 1024);
        }
        a.end();
      })();
      let read = 0;
      let jsonAt = -1;
      let seenAt = -1;
      for await (const c of s) {
        read += c.data.length;
        if (read >= 8 * 1024 * 1024 && jsonAt < 0 && cpJson.length === 0) {
          client.send(JSON.stringify({ type: 'heartbeat' }));
          jsonAt = read;
        }
        if (read % (4 * 1024 * 1024) < c.data.length) await new Promise((r) => setTimeout(r, 2)); // a slow consumer
        if (jsonAt >= 0 && seenAt < 0 && cpJson.length === 1) seenAt = read;
      }
      await writer;
      expect(read).toBe(total);
      // the heartbeat arrived after at most one window plus the socket's high-water mark of data
      expect(seenAt).toBeGreaterThan(0);
      expect(seenAt - jsonAt).toBeLessThanOrEqual(STREAM_WINDOW + SOCKET_HIGH_WATER + 1024 * 1024);
      s.end();
    } finally {
      close();
    }
  });

  it('fails a stream on both sides when the connection drops mid-transfer', async () => {
    const { cp, agent, server, client, close } = await pair();
    try {
      const s = cp.open();
      const a = agent.accept(s.id);
      client.on('close', () => agent.closeAll('closed'));
      server.on('close', () => cp.closeAll('closed'));
      const reading = (async () => {
        for await (const _ of s) server.terminate();
      })();
      await a.write(1, Buffer.from('first'));
      await expect(reading).rejects.toThrow(/lost: closed/);
      await once(client, 'close');
      await expect(a.write(1, Buffer.from('more'))).rejects.toThrow(/lost: closed/);
    } finally {
      close();
    }
  });
});
