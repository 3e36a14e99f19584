import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { agentBundlePaths, createAgentBundle } from './bundle.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('the agent bundle', () => {
  it('holds the agent, the workspaces and packages it imports, tsx, the install files, and nothing else of the repo', () => {
    const paths = agentBundlePaths(repo);
    for (const p of ['apps/agent', 'packages/protocol', 'packages/runtime', 'node_modules/@berth/protocol', 'node_modules/@berth/runtime', 'node_modules/zod', 'node_modules/ws', 'node_modules/tsx', 'node_modules/esbuild', 'infra/install', 'infra/systemd', 'package.json']) {
      expect(paths).toContain(p);
    }
    for (const p of ['apps/web', 'apps/gateway', 'packages/db', 'node_modules/next', 'node_modules/@prisma/client', 'node_modules/typescript']) expect(paths).not.toContain(p);
    expect(paths.some((p) => p.startsWith('node_modules/@esbuild/'))).toBe(true); // esbuild's platform binary
  });

  it('is a tar.gz with src/ and node/bin/node, workspace symlinks kept relative, no tests', async () => {
    const b = createAgentBundle(repo);
    const chunks: Buffer[] = [];
    for await (const c of b.stream) chunks.push(c as Buffer);
    await b.done;
    const listing = execFileSync('tar', ['-tvzf', '-'], { input: Buffer.concat(chunks), maxBuffer: 64 << 20, encoding: 'utf8' }).split('\n');
    const names = listing.map((l) => l.split(/\s+/).slice(5).join(' '));
    expect(names).toContain('src/apps/agent/src/main.ts');
    expect(names).toContain('src/infra/install/install-agent.sh');
    expect(names).toContain('node/bin/node');
    expect(names).toContain('src/node_modules/@berth/protocol -> ../../packages/protocol');
    expect(names.some((n) => n.endsWith('.test.ts'))).toBe(false);
    expect(names.some((n) => n.startsWith('src/.git'))).toBe(false);
    expect(listing.every((l) => !l || l.includes(' 0/0 '))).toBe(true); // owned by root on the host whoever made it
  }, 60_000);
});
