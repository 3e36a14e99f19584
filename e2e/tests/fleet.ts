import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { mutate, query, withAdminApi } from './api.ts';

/**
 * The fleet the specs work on, and the steps they share to set it up and clean it: the e2e
 * stack's host, the test image in the local registry, extra agents, and what goes through the
 * API around the browser.
 */

/** The stack's own agent, enrolled by the global setup (e2e/stack.ts). */
export const HOST = 'local';
/** The local registry of the global setup, host:port; unset when docker-registry could not start. */
export const registry = process.env.BERTH_E2E_REGISTRY;
/** The busybox image the global setup pushed to that registry. */
export const testImage = `${registry}/busybox:latest`;

interface Listed { containers: { id: string; name: string }[] }

/** A container's name as the specs give it (the engine may list it with a leading slash). */
const bareName = (name: string) => name.replace(/^\//, '');

/** A host's status as the control plane lists it, or undefined when it is not enrolled. */
export async function hostStatus(api: APIRequestContext, name: string): Promise<string | undefined> {
  return (await query<{ name: string; status: string }[]>(api, 'hosts.list', undefined)).find((h) => h.name === name)?.status;
}

/** Creates a container on the stack's host through the API (`docker run -d` with `start`); returns its id. */
export function createContainer(spec: { image: string; name: string; cmd: string[]; binds?: string[] }, { start }: { start: boolean }): Promise<string> {
  return withAdminApi(async (api) => (await mutate<{ id: string }>(api, 'containers.create', { host: HOST, start, spec })).id);
}

/** Removes a container of the stack's host by name through the API, forced, as `docker rm -f`. */
export function removeContainer(name: string): Promise<void> {
  return withAdminApi(async (api) => {
    const { containers } = await query<Listed>(api, 'containers.list', { host: HOST, all: true });
    const c = containers.find((x) => bareName(x.name) === name);
    if (!c) throw new Error(`no container ${name} on ${HOST} to remove`);
    await mutate(api, 'containers.remove', { host: HOST, id: c.id, force: true, volumes: false });
  });
}

/** What a spec makes on the stack's host, by name. */
export interface Leftovers {
  containers?: string[];
  networks?: string[];
  volumes?: string[];
  images?: string[];
  /** registries the spec logged in to */
  registries?: string[];
}

/**
 * A beforeAll and afterAll hook that removes what a spec makes, whatever state a failed run
 * left it in: its containers (forced; one that will not go is warned about), then its
 * networks, volumes, images (forced) and registry logins, which are gone already when the
 * spec passed.
 */
function cleanUp(what: Leftovers): () => Promise<void> {
  return () => withAdminApi(async (api) => {
    // the global setup starts the agent without waiting for it to enrol
    await expect.poll(() => hostStatus(api, HOST), { timeout: 60_000 }).toBe('online');
    const { containers } = await query<Listed>(api, 'containers.list', { host: HOST, all: true });
    for (const c of containers.filter((x) => what.containers?.includes(bareName(x.name)))) {
      await mutate(api, 'containers.remove', { host: HOST, id: c.id, force: true, volumes: false }).catch((err: Error) => console.warn(`clean-up: ${err.message}`));
    }
    for (const network of what.networks ?? []) await mutate(api, 'networks.remove', { host: HOST, network }).catch(() => undefined);
    for (const name of what.volumes ?? []) await mutate(api, 'volumes.remove', { host: HOST, name }).catch(() => undefined);
    for (const ref of what.images ?? []) await mutate(api, 'images.remove', { host: HOST, ref, force: true }).catch(() => undefined);
    for (const r of what.registries ?? []) await mutate(api, 'registries.logout', { registry: r }).catch(() => undefined);
  });
}

/**
 * Called in a describe block of tests that work on the stack's host with the test image: they
 * are skipped when docker-registry could not start (the reason is in the message), and what
 * they make is removed before and after them.
 */
export function usesStackHost(leftovers: Leftovers): void {
  test.skip(!registry, `no test registry: ${process.env.BERTH_E2E_REGISTRY_ERROR ?? 'BERTH_E2E_REGISTRY is not set'}`); // skipped only when the stack could not start docker-registry (./berth test installs it; the message says why)
  const clean = cleanUp(leftovers);
  test.beforeAll(clean);
  test.afterAll(clean);
}

/**
 * Pulls the test image onto the stack's host from the Images page and waits until the form
 * says it is pulled; `whilePulling` looks at the form in between. Returns the form.
 */
export async function pullTestImage(page: Page, whilePulling?: (form: Locator) => Promise<void>): Promise<Locator> {
  await page.getByRole('link', { name: 'Images', exact: true }).click();
  await expect(page).toHaveURL(/\/images$/);
  const form = page.getByRole('form', { name: 'Pull an image' });
  await form.getByLabel('Host', { exact: true }).selectOption(HOST);
  await form.getByLabel('Image to pull').fill(testImage);
  await form.getByRole('button', { name: 'Pull' }).click();
  await whilePulling?.(form);
  await expect(form.getByRole('status').filter({ hasText: `Pulled ${testImage} on ${HOST}` })).toBeVisible({ timeout: 60_000 });
  return form;
}

/** An agent started on this machine for one test, under `name`, with no container networking. */
export interface ExtraAgent {
  /** SIGTERM, and its exit */
  stop(): Promise<void>;
  /** kills it if it still runs and removes its state */
  dispose(): Promise<void>;
}

/** Starts another agent on this machine that enrols with the stack at `controlPlane` (http URL) using `token`. */
export async function startAgent(name: string, token: string, controlPlane: string): Promise<ExtraAgent> {
  const state = await mkdtemp(join(tmpdir(), `berth-${name}-`));
  const agent = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../apps/agent/src/main.ts')], {
    env: { ...process.env, BERTH_CONTROL_PLANE: `ws://${new URL(controlPlane).host}/agent`, BERTH_HOST_NAME: name, BERTH_JOIN_TOKEN: token, BERTH_STATE_DIR: state, BERTH_CGROUP_PARENT: `berth-${name}-${process.env.BERTH_E2E_RUN}`, BERTH_BRIDGE: 'none' /* no container networking needed here */ },
    stdio: 'ignore',
  });
  const running = () => agent.exitCode === null && agent.signalCode === null;
  return {
    async stop() {
      const stopped = new Promise((r) => agent.once('exit', r));
      agent.kill('SIGTERM');
      await stopped;
    },
    async dispose() {
      if (running()) agent.kill('SIGKILL');
      await rm(state, { recursive: true, force: true });
    },
  };
}
