import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { appendAudit, AppError, requireHostRole, type Actor, type FleetDispatcher } from '@berth/core';
import type { Db } from '@berth/db';
import { StreamChannel, type Channel, type MuxStream } from '@berth/protocol';
import { crossSite, type OriginPolicy } from './request-origin.ts';
import { requestActor } from './request-actor.ts';

const STATUS: Record<string, number> = { UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, INVALID: 400, HOST_UNAVAILABLE: 503, TIMEOUT: 504 };

/**
 * `docker save` and `docker load` over plain HTTP, because archives are bytes, often large:
 * GET /api/images/save?host=H&ref=R… streams the tar as the agent writes it; POST
 * /api/images/load?host=H streams the request body to the agent. Nothing is staged on the
 * control plane, and flow control reaches from the browser to the agent's disk.
 */
export class ImageTransfer {
  constructor(private readonly o: { db: Db; fleet: FleetDispatcher; log: (level: 'info' | 'warn' | 'error', msg: string, f?: Record<string, unknown>) => void; origins: OriginPolicy }) {}

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    try {
      const actor = await this.authenticate(req);
      const url = new URL(req.url ?? '/', 'http://x');
      const hostName = url.searchParams.get('host');
      if (!hostName) throw new AppError('INVALID', 'say which host: ?host=NAME');
      if (path === '/api/images/save' && req.method === 'GET') return await this.save(actor, hostName, url.searchParams.getAll('ref'), res);
      if (path === '/api/images/load' && req.method === 'POST') return await this.load(actor, hostName, req, res);
      if (path === '/api/containers/export' && req.method === 'GET') return await this.export(actor, hostName, url.searchParams.get('id'), res);
      throw new AppError('INVALID', 'use GET /api/images/save?host=H&ref=R, POST /api/images/load?host=H or GET /api/containers/export?host=H&id=C');
    } catch (err) {
      this.fail(res, err);
    }
  }

  private fail(res: ServerResponse, err: unknown): void {
    const app = err instanceof AppError ? err : null;
    if (!app) this.o.log('error', 'image transfer failed', { err: (err as Error).message });
    if (res.headersSent) return void res.destroy(err as Error); // mid-download: the client sees a truncated transfer
    res.writeHead(app ? (STATUS[app.code] ?? 502) : 500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: app ? app.message : 'internal error: see the control plane log', code: app?.code ?? 'INTERNAL' }));
  }

  private async authenticate(req: IncomingMessage): Promise<Actor> {
    const actor = await requestActor(req, this.o);
    if (!actor) throw new AppError('UNAUTHORIZED', 'sign in, or pass an API token (Authorization: Bearer berth_…)');
    // a page on another site must not make a signed-in browser upload an image
    if (crossSite(req, this.o.origins)) throw new AppError('FORBIDDEN', 'cross-site image transfer refused');
    return actor;
  }

  private async audit(actor: Actor, action: string, hostId: string, objectType: string, objectId: string | null, params: object, outcome: 'ok' | 'error', error?: string) {
    await this.o.db.$transaction((tx) => appendAudit(tx, actor, { action, hostId, objectType, objectId, params, outcome, error: error ?? null })).catch(() => {});
  }

  private async save(actor: Actor, hostName: string, refs: string[], res: ServerResponse): Promise<void> {
    if (refs.length === 0 || refs.length > 100 || refs.some((r) => r.length === 0 || r.length > 512)) throw new AppError('INVALID', 'name the images to save: ?ref=NAME (up to 100)');
    const host = await requireHostRole(actor, hostName, 'viewer', 'saving images', this.o.db);
    const opened = this.o.fleet.openStream(host.id, 'image.save', { refs }, { timeoutMs: 0 });
    await this.download(actor, res, opened, refs[0]!, { action: 'image.save', hostId: host.id, objectType: 'image', objectId: refs.join(' '), params: { refs } });
  }

  /** `docker export`: operators only, since a container's files may hold what its image did not. */
  private async export(actor: Actor, hostName: string, id: string | null, res: ServerResponse): Promise<void> {
    if (!id || id.length > 128) throw new AppError('INVALID', 'name the container to export: ?id=NAME');
    const host = await requireHostRole(actor, hostName, 'operator', "exporting a container's files", this.o.db);
    const opened = this.o.fleet.openStream(host.id, 'container.export', { id }, { timeoutMs: 0 });
    await this.download(actor, res, opened, id, { action: 'container.export', hostId: host.id, objectType: 'container', objectId: id, params: {} });
  }

  /** Streams an operation's channel-1 bytes as a tar download, auditing the outcome. */
  private async download(actor: Actor, res: ServerResponse, opened: { stream: MuxStream; result: Promise<unknown> }, name: string, audit: { action: string; hostId: string; objectType: string; objectId: string; params: object }): Promise<void> {
    const { stream, result } = opened;
    stream.end();
    res.on('close', () => res.writableFinished || stream.reset('the download was cancelled'));
    const settled = result.then(() => null, (err: unknown) => err);
    try {
      for await (const c of stream) {
        if (c.channel !== StreamChannel.stdout) continue;
        if (!res.headersSent) {
          const file = name.replace(/[^a-zA-Z0-9_.-]+/g, '_').slice(0, 100);
          res.writeHead(200, { 'content-type': 'application/x-tar', 'content-disposition': `attachment; filename="${file}.tar"`, 'cache-control': 'no-store' });
        }
        if (!res.write(c.data)) await once(res, 'drain');
      }
    } catch (err) {
      throw (await settled) ?? err;
    }
    const r = await result.catch(async (err: unknown) => {
      await this.audit(actor, audit.action, audit.hostId, audit.objectType, audit.objectId, audit.params, 'error', (err as Error).message);
      throw err;
    });
    await this.audit(actor, audit.action, audit.hostId, audit.objectType, audit.objectId, { ...audit.params, ...(r && typeof r === 'object' && 'ids' in r ? { ids: (r as { ids: string[] }).ids } : {}) }, 'ok');
    if (!res.headersSent) res.writeHead(200, { 'content-type': 'application/x-tar' });
    res.end();
  }

  private async load(actor: Actor, hostName: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = await requireHostRole(actor, hostName, 'operator', 'loading images', this.o.db);
    const { stream, result } = this.o.fleet.openStream(host.id, 'image.load', {}, { timeoutMs: 0 });
    req.on('aborted', () => stream.reset('the upload was cancelled'));
    const settled = result.then(() => null, (err: unknown) => err);
    try {
      for await (const chunk of req) await stream.write(StreamChannel.stdin as Channel, chunk as Buffer);
      stream.end();
    } catch (err) {
      // the agent refused the archive mid-upload (a bad digest): its reason, not the broken pipe
      throw (await Promise.race([settled, new Promise((r) => setTimeout(() => r(null), 2_000))])) ?? err;
    }
    try {
      const r = await result;
      await this.audit(actor, 'image.load', host.id, 'image', r.images.map((i) => i.id).join(' '), { images: r.images }, 'ok');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ images: r.images, messages: r.messages }));
    } catch (err) {
      await this.audit(actor, 'image.load', host.id, 'image', null, {}, 'error', (err as Error).message);
      throw err;
    }
  }
}
