import { defineConfig } from '@playwright/test';

// Playwright cannot download its browsers here: Debian's chromium, with the flags that keep
// it from reaching out to the network.
export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: process.env.BERTH_E2E_JSON ?? 'test-results/report.json' }]],
  globalSetup: './global-setup.ts',
  use: {
    baseURL: process.env.BERTH_E2E_URL,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    },
  },
});
