import { defineConfig } from 'vitest/config';

// One vitest run covers every workspace: `*.test.ts` are unit tests, `*.int.test.ts` use
// real containers, namespaces, registries and Postgres (root only). Browser tests live in e2e/.
export default defineConfig({
  test: {
    include: ['{apps,packages}/*/src/**/*.test.ts', 'infra/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/.next/**'],
    globalSetup: ['packages/testing/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
