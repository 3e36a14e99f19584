import { startStack } from './stack.ts';

/**
 * Starts a whole control plane (embedded Postgres, gateway with the dashboard) and a
 * local agent for the browser tests; returns the teardown. Details go to the tests
 * through the environment, which Playwright's workers inherit.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const stack = await startStack();
  process.env.BERTH_E2E_URL = stack.url;
  process.env.BERTH_E2E_USER = stack.admin.username;
  process.env.BERTH_E2E_PASSWORD = stack.admin.password;
  return () => stack.stop();
}
