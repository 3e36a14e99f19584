import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliEnv } from '../env.ts';
import { runAttached } from '../proc.ts';
import { UserError } from '../errors.ts';
import { ensureWebBuild } from './build.ts';
import { ensurePackages, TEST_PACKAGES } from './packages.ts';
import { repoRoot } from './paths.ts';

const say = (s: string) => process.stderr.write(`\nberth test: ${s}\n`);

interface Tally { passed: number; failed: number; skipped: number }

const bin = (name: string) => join(repoRoot, 'node_modules/.bin', name);

async function vitest(out: string, args: string[]): Promise<Tally> {
  await runAttached(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...args], { cwd: repoRoot });
  try {
    const r = JSON.parse(await readFile(out, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number; numFailedTestSuites: number };
    // a file that fails to load has no failed tests but a failed suite: count it
    return { passed: r.numPassedTests, failed: r.numFailedTests + (r.numFailedTests === 0 ? r.numFailedTestSuites : 0), skipped: r.numPendingTests + r.numTodoTests };
  } catch {
    return { passed: 0, failed: 1, skipped: 0 };
  }
}

async function playwright(out: string, args: string[]): Promise<Tally> {
  await runAttached(bin('playwright'), ['test', '-c', join(repoRoot, 'e2e/playwright.config.ts'), ...args], { cwd: repoRoot, env: { ...process.env, BERTH_E2E_JSON: out } });
  try {
    const r = JSON.parse(await readFile(out, 'utf8')) as { stats: { expected: number; unexpected: number; skipped: number; flaky: number } };
    return { passed: r.stats.expected + r.stats.flaky, failed: r.stats.unexpected, skipped: r.stats.skipped };
  } catch {
    return { passed: 0, failed: 1, skipped: 0 };
  }
}

/** A check that is not a test runner (lint, typecheck) counts as one test. */
async function check(name: string, cmd: string, args: string[]): Promise<Tally> {
  say(name);
  const code = await runAttached(cmd, args, { cwd: repoRoot });
  if (code !== 0) process.stderr.write(`berth test: ${name} failed (exit ${code})\n`);
  return code === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 };
}

/**
 * `berth test`: installs what the suite needs, then runs every test: lint and typecheck,
 * unit and integration (vitest: real containers, Postgres, registry, lab), and the browser
 * tests (Playwright on Debian's chromium). Ends with one `N passed, N failed, N skipped` line.
 */
export async function test(_env: CliEnv, args: string[]): Promise<number> {
  if (process.getuid?.() !== 0) throw new UserError('berth test must run as root: its integration tests create namespaces, cgroups and mounts');
  await ensurePackages(TEST_PACKAGES, (s) => say(s));
  const out = join(repoRoot, '.berth-test');
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const only = args[0];
  const tallies: Tally[] = [];
  if (!only || only === 'check') {
    tallies.push(await check('lint', bin('eslint'), ['.', '--max-warnings', '0']));
    tallies.push(await check('typecheck', bin('turbo'), ['run', 'typecheck', '--output-logs=errors-only', '--concurrency=2']));
  }
  if (!only || only === 'unit') {
    say('unit and integration tests (vitest)');
    tallies.push(await vitest(join(out, 'vitest.json'), only ? args.slice(1) : []));
  }
  if (!only || only === 'e2e') {
    say('browser tests (playwright)');
    await ensureWebBuild((s) => say(s));
    tallies.push(await playwright(join(out, 'playwright.json'), only ? args.slice(1) : []));
  }
  const sum = tallies.reduce((a, t) => ({ passed: a.passed + t.passed, failed: a.failed + t.failed, skipped: a.skipped + t.skipped }), { passed: 0, failed: 0, skipped: 0 });
  process.stdout.write(`\n${sum.passed} passed, ${sum.failed} failed, ${sum.skipped} skipped\n`);
  return sum.failed === 0 && sum.passed > 0 ? 0 : 1;
}
