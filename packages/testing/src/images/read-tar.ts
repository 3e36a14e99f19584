// Reads a (possibly gzipped) tar into memory: for tests that check what a layer or archive holds.
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { Header } from 'tar-stream';

export interface TarEntry {
  header: Header;
  data: Buffer;
}

export async function readTar(archive: Buffer): Promise<TarEntry[]> {
  const raw = archive[0] === 0x1f && archive[1] === 0x8b ? gunzipSync(archive) : archive;
  const extract = tar.extract();
  const entries: TarEntry[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      entries.push({ header: entry.header, data: Buffer.concat(chunks) });
    }
  })();
  extract.end(raw);
  await done;
  return entries;
}
