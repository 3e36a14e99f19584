import { buildBusyboxImage, pushImage } from '@berth/testing/images';
import { startRegistry, type RunningRegistry } from '@berth/testing/registry';
import { startStack } from './stack.ts';

/** The test image the container and image specs pull, at <registry>/busybox:latest. */
async function startTestRegistry(): Promise<RunningRegistry> {
  const registry = await startRegistry();
  try {
    await pushImage(await buildBusyboxImage(), registry.url, 'busybox', 'latest');
    return registry;
  } catch (err) {
    await registry.stop();
    throw err;
  }
}

/**
 * Starts a whole control plane (embedded Postgres, gateway with the dashboard), a local
 * agent and a local registry holding a busybox image, for the browser tests; returns the
 * teardown. Details go to the tests through the environment, which Playwright's workers
 * inherit. Without docker-registry the specs that need it are skipped, saying why.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const [stack, registry] = await Promise.all([
    startStack(),
    startTestRegistry().catch((err: Error) => {
      process.env.BERTH_E2E_REGISTRY_ERROR = err.message;
      return null;
    }),
  ]);
  process.env.BERTH_E2E_URL = stack.url;
  process.env.BERTH_E2E_USER = stack.admin.username;
  process.env.BERTH_E2E_PASSWORD = stack.admin.password;
  process.env.BERTH_E2E_VIEWER = stack.viewer.username;
  process.env.BERTH_E2E_VIEWER_PASSWORD = stack.viewer.password;
  if (registry) process.env.BERTH_E2E_REGISTRY = registry.host;
  return async () => {
    await stack.stop();
    await registry?.stop();
  };
}
