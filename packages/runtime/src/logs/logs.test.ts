import { mkdtemp, rename, rm, appendFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseLog, parseRecord, parseTimeNs } from './k8s-file.ts';
import { followLogs, formatEntry, readLogs, selectEntries, toRfc3339NanoUtc } from './read.ts';

const LOG = [
  '2026-11-23T09:36:37.133370708+00:00 stdout F hello',
  '2026-11-23T09:36:38.000000001+00:00 stderr F err one',
  '2026-11-23T09:36:39.5+00:00 stdout P par',
  '2026-11-23T09:36:39.600000000+00:00 stderr F err two',
  '2026-11-23T09:36:39.7+00:00 stdout F tial',
  '2026-11-23T09:36:40.000000000+00:00 stdout F ',
  'garbage line',
  '2026-11-23T09:36:41.000000000+00:00 stdout P no newline at the end',
  '',
].join('\n');

describe('k8s-file parsing', () => {
  it('reads time, stream, partial tag and content', () => {
    expect(parseRecord('2026-11-23T09:36:37.133370708+00:00 stdout F hello world')).toMatchObject({ stream: 'stdout', partial: false, content: 'hello world' });
    expect(parseRecord('2026-11-23T09:36:37Z stderr P x')).toMatchObject({ stream: 'stderr', partial: true, content: 'x' });
    expect(parseRecord('nonsense')).toBeNull();
  });

  it('keeps nanoseconds and offsets', () => {
    expect(parseTimeNs('2026-11-23T09:36:37.133370708+00:00')).toBe(1795426597133370708n);
    expect(parseTimeNs('2026-11-23T10:36:37.133370708+01:00')).toBe(1795426597133370708n);
    expect(toRfc3339NanoUtc(1795426597133370708n)).toBe('2026-11-23T09:36:37.133370708Z');
  });

  it('joins partial lines per stream, keeps empty lines and a trailing partial', () => {
    const entries = parseLog(LOG);
    expect(entries.map((e) => [e.stream, e.text])).toEqual([
      ['stdout', 'hello\n'],
      ['stderr', 'err one\n'],
      ['stderr', 'err two\n'],
      ['stdout', 'partial\n'],
      ['stdout', '\n'],
      ['stdout', 'no newline at the end'],
    ]);
    expect(entries[3]?.time).toBe('2026-11-23T09:36:39.5+00:00');
  });
});

describe('logs options', () => {
  const entries = parseLog(LOG);
  it('filters streams, tail, since and until', () => {
    expect(selectEntries(entries, { stderr: false }).every((e) => e.stream === 'stdout')).toBe(true);
    expect(selectEntries(entries, { stdout: false }).map((e) => e.text)).toEqual(['err one\n', 'err two\n']);
    expect(selectEntries(entries, { tail: 2 }).map((e) => e.text)).toEqual(['\n', 'no newline at the end']);
    expect(selectEntries(entries, { tail: 0 })).toEqual([]);
    expect(selectEntries(entries, { since: new Date('2026-11-23T09:36:39.6Z') }).map((e) => e.text)).toEqual(['err two\n', '\n', 'no newline at the end']);
    expect(selectEntries(entries, { until: new Date('2026-11-23T09:36:38Z') }).map((e) => e.text)).toEqual(['hello\n']);
    expect(selectEntries(entries, { stdout: false, tail: 1 }).map((e) => e.text)).toEqual(['err two\n']);
  });
  it('formats with and without timestamps', () => {
    const first = entries[0];
    if (!first) throw new Error('no entry');
    expect(formatEntry(first, false)).toBe('hello\n');
    expect(formatEntry(first, true)).toBe('2026-11-23T09:36:37.133370708Z hello\n');
  });
});

describe('reading and following a log file', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a missing log reads as empty', async () => {
    expect(await readLogs('/nonexistent/berth/log')).toEqual([]);
  });

  it('follows appends and survives rotation by rename', async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-logs-'));
    const path = join(dir, 'container.log');
    await writeFile(path, '2026-11-23T09:00:00Z stdout F one\n2026-11-23T09:00:01Z stdout F two\n');
    expect((await readLogs(path, { tail: 1 })).map((e) => e.text)).toEqual(['two\n']);
    let finished = false;
    const got: string[] = [];
    const follow = (async () => {
      for await (const e of followLogs(path, { tail: 1, pollMs: 10, done: () => finished })) got.push(e.text);
    })();
    const until = async (n: number) => {
      for (let i = 0; i < 200 && got.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    };
    await until(1);
    // A record written in two pieces, then a partial line and its end.
    await appendFile(path, '2026-11-23T09:00:02Z stdout P th');
    await new Promise((r) => setTimeout(r, 30));
    await appendFile(path, 'r\n2026-11-23T09:00:02Z stdout F ee\n');
    await until(2);
    // conmon rotates: a new file takes the old one's place.
    await writeFile(join(dir, 'new.log'), '2026-11-23T09:00:03Z stderr F four\n');
    await rename(join(dir, 'new.log'), path);
    await until(3);
    finished = true;
    await follow;
    expect(got).toEqual(['two\n', 'three\n', 'four\n']);
  });
});
