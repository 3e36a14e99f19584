// What the container and image procedures share: resolving a host, recording a mutation in the
// audit log around an agent call, fanning a listing out to the fleet, and relaying a stream.
import { TextDecoder } from 'node:util';
import { z } from 'zod';
import { appendAudit, getHost, listHosts, type HostView } from '@berth/core';
import type { MuxStream } from '@berth/protocol';
import { toTRPCError, type Context } from '../../trpc.ts';

type Authed = Context & { actor: NonNullable<Context['actor']>; host?: HostView | null };

/** A host by name or id, as every procedure here takes it. */
export const HostName = z.string().min(1).max(64);
/** A container by name, id or id prefix, as Docker takes it. */
export const ContainerRef = z.string().min(1).max(128);
export const ImageRef = z.string().min(1).max(512);

/**
 * The host a procedure acts on: the one hostProcedure checked (ctx.host), or looked up with the
 * caller's visibility (another team's host is NOT_FOUND as an unknown one).
 */
export const resolveHost = async (ctx: Authed, host: string): Promise<HostView> =>
  ctx.host && (ctx.host.name === host || ctx.host.id === host) ? ctx.host : getHost(ctx.actor, host, ctx.db);

export interface AuditTarget {
  action: string;
  hostId: string;
  /** container, image, volume… */
  objectType: string;
  objectId: string | null;
  /** never env values nor registry credentials */
  params?: Record<string, unknown>;
}

/**
 * Runs an agent call and records it, ok or failed, in the audit log. The call is not inside
 * the audit transaction: an agent may take minutes, and a transaction must not stay open
 * that long. A failure to record a failure does not hide the original error.
 */
export async function auditedCall<T>(ctx: Authed, target: AuditTarget, call: () => Promise<T>, objectIdOf?: (r: T) => string): Promise<T> {
  const entry = { action: target.action, hostId: target.hostId, objectType: target.objectType, objectId: target.objectId, params: target.params ?? {} };
  let result: T;
  try {
    result = await call();
  } catch (err) {
    await ctx.db.$transaction((tx) => appendAudit(tx, ctx.actor, { ...entry, outcome: 'error', error: (err as Error).message })).catch(() => {});
    throw err;
  }
  await ctx.db.$transaction((tx) => appendAudit(tx, ctx.actor, { ...entry, objectId: objectIdOf ? objectIdOf(result) : entry.objectId, outcome: 'ok' }));
  return result;
}

/** Records one audit entry on its own (for operations that stream, recorded when they end). */
export async function recordAudit(ctx: Authed, target: AuditTarget, outcome: 'ok' | 'error' | 'refused', error?: string): Promise<void> {
  await ctx.db.$transaction((tx) => appendAudit(tx, ctx.actor, { action: target.action, hostId: target.hostId, objectType: target.objectType, objectId: target.objectId, params: target.params ?? {}, outcome, error: error ?? null }));
}

export interface Unavailable {
  host: string;
  reason: string;
}

/**
 * Asks every reachable host at once; a host that is offline or fails to answer is reported
 * in `unavailable` instead of failing the whole listing. Pending and revoked hosts are skipped.
 */
export async function fanOut<T>(ctx: Authed, ask: (host: HostView) => Promise<T[]>): Promise<{ rows: Array<T & { host: string; hostId: string }>; unavailable: Unavailable[]; hosts: string[] }> {
  const hosts = (await listHosts(ctx.actor, ctx.db)).filter((h) => h.status === 'online' || h.status === 'degraded' || h.status === 'offline');
  const rows: Array<T & { host: string; hostId: string }> = [];
  const unavailable: Unavailable[] = [];
  await Promise.all(hosts.map(async (h) => {
    if (h.status === 'offline') return unavailable.push({ host: h.name, reason: `host ${h.name} is offline` });
    try {
      for (const r of await ask(h)) rows.push({ ...r, host: h.name, hostId: h.id });
    } catch (err) {
      unavailable.push({ host: h.name, reason: (err as Error).message });
    }
  }));
  unavailable.sort((a, b) => a.host.localeCompare(b.host));
  return { rows, unavailable, hosts: hosts.map((h) => h.name) };
}

export const LIST_TIMEOUT_MS = 15_000;

/**
 * Reads an agent operation's stream until it ends, then awaits its result. Resets the stream
 * when the subscriber goes away (`signal`), which cancels the operation on the agent. An
 * operation's failure resets its stream: the result's error is the one reported then, with
 * its code (not found, conflict…), rather than the bare reset.
 */
export async function* relayStream<R>(opened: { stream: MuxStream; result: Promise<R> }, signal: AbortSignal | undefined): AsyncGenerator<{ channel: number; data: Buffer }, R> {
  const { stream, result } = opened;
  // nothing goes to the agent on these streams (no stdin: a command reads end-of-file, as with
  // `docker exec` without -i); ending our side now lets both ends forget the stream once the
  // agent ends its side, instead of holding it open on the connection
  stream.end();
  const settled = result.then(() => null, (err: unknown) => err);
  const onAbort = () => stream.reset('the client went away');
  if (signal?.aborted) {
    onAbort();
    return undefined as R;
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  let ended = false;
  try {
    try {
      for await (const chunk of stream) yield chunk;
      ended = true;
    } catch (err) {
      if (signal?.aborted) return undefined as R;
      // the stream is reset when the operation fails: prefer the operation's own error
      const cause = await Promise.race([settled, new Promise((r) => setTimeout(() => r(null), 2_000).unref())]);
      throw toTRPCError(cause ?? err);
    }
    try {
      return await result;
    } catch (err) {
      throw toTRPCError(err);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // the subscriber stopped reading early: tell the agent to stop too
    if (!ended) stream.reset('the client went away');
  }
}

/** Incremental UTF-8 decoding per channel: a character split across chunks stays whole. */
export function channelDecoder(): (channel: number, data: Buffer) => string {
  const decoders = new Map<number, TextDecoder>();
  return (channel, data) => {
    let d = decoders.get(channel);
    if (!d) decoders.set(channel, (d = new TextDecoder('utf-8')));
    return d.decode(data, { stream: true });
  };
}

/** Opens a stream, turning a synchronous refusal (host not connected) into a proper error. */
export function openOrThrow<T>(open: () => T): T {
  try {
    return open();
  } catch (err) {
    throw toTRPCError(err);
  }
}

/**
 * Progress records from a stream's JSON channel (pull, push): whole lines only, each checked
 * against `schema`. A garbled line is skipped: it is not worth failing a transfer for.
 */
export function progressLines<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): (data: Buffer) => T[] {
  const decoder = new TextDecoder('utf-8');
  let partial = '';
  return (data) => {
    const lines = (partial + decoder.decode(data, { stream: true })).split('\n');
    partial = lines.pop() ?? '';
    const out: T[] = [];
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        const parsed = schema.safeParse(JSON.parse(line));
        if (parsed.success) out.push(parsed.data);
      } catch {
        // not JSON: skipped
      }
    }
    return out;
  };
}
