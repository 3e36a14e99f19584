// "Add host over SSH" through the API, as the dashboard does it: hosts.addOverSsh (a mutation: the
// password travels in the POST body) starts the install in the gateway process, and
// hosts.addOverSshProgress (SSE, only the operation's id in the URL) streams its steps. The target
// is a whole Debian 12 booted with systemd-nspawn in a lab host's namespace, as in
// ssh-install.int.test.ts, and for the same reason the agent cannot enroll there (no OCI runtime
// works in that machine): the install is expected to end with step 7 failing with the agent's own
// reason. Enrollment itself is covered by fleet.int.test.ts.
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '@berth/api';
import { createApiToken, createUser, systemActor, type Actor } from '@berth/core';
import { useTestDatabase } from '@berth/testing/db';
import { startGateway, type RunningGateway } from '@berth/testing/fleet';
import { useLab } from '@berth/testing/lab';
import { bootDebianHost, ensureRootfs, MirrorUnreachableError, type DebianHost } from '@berth/testing/debian-host';
import { FetchEventSource } from '../../cli/src/event-source.ts';

let skipReason = '';
try {
  await ensureRootfs({ log: (l) => console.log(`[debian-host] ${l}`) });
} catch (err) {
  if (!(err instanceof MirrorUnreachableError)) throw err;
  skipReason = err.message;
}
const skipped = skipReason ? ` (skipped: ${skipReason})` : '';

const PASSWORD = 'pw-"quoted" $HOME `x` \\ it\'s secret';

type Client = ReturnType<typeof createTRPCClient<AppRouter>>;
type AddEvent = { type: 'step'; step: { n: number; total: number; title: string; status: string; detail?: string } } | { type: 'host-key'; fingerprint: string; keyType: string } | { type: 'done'; fingerprint: string; host: { id: string; name: string } } | { type: 'error'; message: string; step: number | null };

function client(url: string, token: string, seenUrls: string[]): Client {
  const base = `${url}/api/trpc`;
  const headers = { authorization: `Bearer ${token}` };
  // every URL the client requests, to prove no secret is ever in one
  const fetchSpy: typeof fetch = (input, init) => {
    seenUrls.push(String(input instanceof Request ? input.url : input));
    return fetch(input, init);
  };
  class SpiedEventSource extends FetchEventSource {
    constructor(u: string | URL, init?: ConstructorParameters<typeof FetchEventSource>[1]) {
      seenUrls.push(String(u));
      super(u, init);
    }
  }
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url: base, transformer: superjson, EventSource: SpiedEventSource, eventSourceOptions: () => ({ headers }) }),
        false: httpBatchLink({ url: base, transformer: superjson, headers: () => headers, fetch: fetchSpy }),
      }),
    ],
  });
}

/** Every event of an operation until its final one; rejects with the subscription's error. */
function watch(api: Client, operationId: string, timeoutMs = 110_000): Promise<AddEvent[]> {
  return new Promise((resolve, reject) => {
    const events: AddEvent[] = [];
    const timer = setTimeout(() => {
      sub.unsubscribe();
      reject(new Error(`no final event within ${timeoutMs} ms: ${JSON.stringify(events)}`));
    }, timeoutMs);
    const end = (f: () => void) => {
      clearTimeout(timer);
      sub.unsubscribe();
      f();
    };
    const sub = api.hosts.addOverSshProgress.subscribe({ operationId }, {
      onData: (e) => {
        events.push(e as AddEvent);
        if (e.type !== 'step') end(() => resolve(events));
      },
      onError: (err) => end(() => reject(err)),
      onComplete: () => end(() => resolve(events)),
    });
  });
}

const codeOf = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof TRPCClientError ? (e.data?.code as string) : String(e)));

describe('hosts.addOverSsh: adding a host over SSH through the API, with the steps streamed', () => {
  const t = useTestDatabase();
  const lab = useLab(1);
  let gw: RunningGateway;
  let debian: DebianHost;
  let admin: Client;
  let otherAdmin: Client;
  let viewer: Client;
  let operator: Client;
  const urls: string[] = [];
  let input: { address: string; username: string; password: string; hostName: string; controlPlaneUrl: string; allowInsecure: boolean };

  beforeAll(async () => {
    if (skipReason) return;
    debian = await bootDebianHost(lab().host('h1'), { rootPassword: PASSWORD });
    gw = await startGateway({ databaseUrl: t().url, bind: lab().gateway });
    const tokenFor = async (username: string, role: Actor['role']) => {
      const u = await createUser(systemActor(), { username, password: 'a-long-password', role }, t().db);
      const actor: Actor = { kind: 'user', id: u.id, name: u.username, role, source: 'api', remoteAddr: null };
      return client(gw.url, (await createApiToken(actor, { name: 'test' }, t().db)).token, urls);
    };
    admin = await tokenFor('ops', 'admin');
    otherAdmin = await tokenFor('ops2', 'admin');
    viewer = await tokenFor('vera', 'viewer');
    operator = await tokenFor('otto', 'operator');
    input = { address: debian.address, username: 'root', password: PASSWORD, hostName: 'h1', controlPlaneUrl: gw.wsUrl, allowInsecure: true };
  });
  afterAll(async () => {
    await debian?.destroy();
    await gw?.stop();
  });

  it(`refuses viewers and operators, and checks the input${skipped}`, async ({ skip }) => {
    if (skipReason) return skip(skipReason);
    expect(await codeOf(viewer.hosts.addOverSsh.mutate(input))).toBe('FORBIDDEN');
    expect(await codeOf(operator.hosts.addOverSsh.mutate(input))).toBe('FORBIDDEN');
    expect(await codeOf(watch(operator, '00000000-0000-4000-8000-000000000000', 10_000))).toBe('FORBIDDEN');
    const { password: _p, ...noAuth } = input;
    expect(await codeOf(admin.hosts.addOverSsh.mutate(noAuth))).toBe('BAD_REQUEST');
    expect(await codeOf(admin.hosts.addOverSsh.mutate({ ...input, controlPlaneUrl: 'http://example.com/agent' }))).toBe('BAD_REQUEST');
    expect(await t().db.joinToken.count()).toBe(0);
  });

  it(`reports an unknown host key as an event with the fingerprint to accept, before anything is sent${skipped}`, async ({ skip }) => {
    if (skipReason) return skip(skipReason);
    const { operationId } = await admin.hosts.addOverSsh.mutate(input);
    const events = await watch(admin, operationId, 30_000);
    const steps = events.flatMap((e) => (e.type === 'step' ? [e.step] : []));
    expect(steps.find((s) => s.n === 1 && s.status === 'done')).toBeTruthy();
    expect(steps.find((s) => s.n === 2 && s.status === 'failed')).toBeTruthy();
    expect(events.at(-1)).toMatchObject({ type: 'host-key', fingerprint: debian.hostKeys.ed25519, keyType: 'ssh-ed25519' });
    expect(await t().db.joinToken.count()).toBe(0); // no token is made for an unverified host
    expect((await debian.exec(['test', '-e', '/opt/berth'])).code).not.toBe(0);
    // the operation can be watched again (past events replayed), by its admin only
    expect(await watch(admin, operationId, 10_000)).toEqual(events);
    expect(await codeOf(watch(otherAdmin, operationId, 10_000))).toBe('NOT_FOUND');
  });

  it(`installs with the accepted key: steps 1-6 done, step 7 fails with the agent's own reason; no secret in a URL or the audit log${skipped}`, { timeout: 120_000 }, async ({ skip }) => {
    if (skipReason) return skip(skipReason);
    const { operationId } = await admin.hosts.addOverSsh.mutate({ ...input, knownHostKey: debian.hostKeys.ed25519! });
    // a second install of the same host while this one runs is refused
    expect(await codeOf(admin.hosts.addOverSsh.mutate({ ...input, knownHostKey: debian.hostKeys.ed25519! }))).toBe('CONFLICT');
    const events = await watch(admin, operationId);
    const last = new Map<number, string>();
    for (const e of events) if (e.type === 'step') last.set(e.step.n, e.step.status);
    for (let n = 1; n <= 6; n++) expect(last.get(n), JSON.stringify(events)).toBe('done');
    expect(last.get(7)).toBe('failed');
    const check = events.find((e) => e.type === 'step' && e.step.n === 4 && e.step.status === 'done');
    expect(check).toMatchObject({ step: { detail: 'root, Debian GNU/Linux 12 (bookworm), x86_64, systemd' } });
    const end = events.at(-1)!;
    expect(end.type).toBe('error');
    expect(end.type === 'error' && end.message).toMatch(/the agent is installed but exits at start, so it cannot enroll: berth agent: no working OCI runtime: .*read-only file system/);
    expect(end.type === 'error' && end.step).toBe(7);
    expect(await debian.exec(['systemctl', 'is-enabled', 'berth-agent.service']).then((r) => r.stdout.trim())).toBe('enabled');
    // the unused single-use token is revoked when the install fails
    const jt = await t().db.joinToken.findMany();
    expect(jt.map((x) => [x.hostName, x.uses, x.revokedAt !== null])).toEqual([['h1', 0, true]]);

    const audit = await t().db.auditEntry.findMany({ where: { action: 'host.add-ssh' }, orderBy: { id: 'asc' } });
    // the viewer's and the operator's refused attempts first, under the same action
    expect(audit.map((a) => [a.actorName, a.outcome])).toEqual([['vera', 'refused'], ['otto', 'refused'], ['ops', 'error'], ['ops', 'error']]);
    expect(audit[3]!.params).toMatchObject({ address: debian.address, username: 'root', method: 'password', hostName: 'h1' });
    const everything = [JSON.stringify(audit.map((a) => ({ ...a, id: String(a.id) }))), JSON.stringify(events), urls.join('\n'), gw.log()].join('\n');
    expect(everything.includes(PASSWORD)).toBe(false);
    expect(everything.includes('secret')).toBe(false);
    // the subscription URLs carry the operation's id only
    expect(urls.some((u) => u.includes('addOverSshProgress'))).toBe(true);
  });
});
