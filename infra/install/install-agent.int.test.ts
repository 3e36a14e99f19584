import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const install = join(here, 'install-agent.sh');
const uninstall = join(here, 'uninstall-agent.sh');
const UNIT = 'etc/systemd/system/berth-agent.service';
const ENV = 'etc/berth/agent.env';
// Quotes, $, backquote, backslash, space and & : everything the EnvironmentFile quoting must keep.
const TOKEN = 'bjt_fake"tok$en`x\\y z&1';

interface Run { code: number; stdout: string; stderr: string }

/** Runs a script with an argument array (no shell) and DESTDIR set; never throws on exit != 0. */
function run(script: string, args: string[], destdir: string): Promise<Run> {
  return new Promise((done) => {
    execFile('bash', [script, ...args], { env: { ...process.env, DESTDIR: destdir }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

function onPath(cmd: string): string | undefined {
  return (process.env.PATH ?? '').split(delimiter).map((d) => join(d, cmd)).find((p) => existsSync(p));
}

/** The command line without the secret: `--join-token` values never appear in messages. */
const base = ['--source', repo, '--no-deps', '--control-plane', 'wss://berth.example.com/agent', '--name', 'h1'];

describe('install-agent.sh into DESTDIR', () => {
  let dest: string;
  let first: Run;

  beforeAll(async () => {
    dest = await mkdtemp(join(tmpdir(), 'berth-install-'));
    first = await run(install, [...base, '--join-token', TOKEN, '--prefix', '/opt/berth-test'], dest);
  });
  afterAll(async () => {
    await rm(dest, { recursive: true, force: true });
  });

  it('succeeds and prints numbered steps, running neither apt-get nor systemctl', () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const steps = first.stdout.split('\n').filter((l) => /^\[\d+\/\d+\] /.test(l));
    expect(steps.length).toBe(8);
    expect(steps[0]).toMatch(/^\[1\/8\] /);
    expect(steps[7]).toMatch(/^\[8\/8\] /);
    expect(first.stdout).toContain('would run: systemctl daemon-reload');
    expect(first.stdout).toContain('would run: systemctl restart berth-agent.service');
    expect(first.stdout).not.toMatch(/^ *run: /m);
  });

  it('writes the unit with KillMode=process, Delegate=yes, Restart=always and ExecStart under the prefix', async () => {
    const unit = await readFile(join(dest, UNIT), 'utf8');
    const lines = unit.split('\n');
    expect(lines).toContain('KillMode=process');
    expect(lines).toContain('Delegate=yes');
    expect(lines).toContain('Restart=always');
    expect(lines).toContain('Type=simple');
    expect(lines).toContain('EnvironmentFile=/etc/berth/agent.env');
    expect(lines).toContain('WorkingDirectory=/opt/berth-test');
    expect(lines).toContain('StateDirectory=berth');
    expect(lines.find((l) => l.startsWith('ExecStart='))).toMatch(/^ExecStart=\/\S+\/node --import tsx \/opt\/berth-test\/apps\/agent\/src\/main\.ts$/);
    expect(lines.filter((l) => l.startsWith('After='))).toContain('After=network-online.target');
    expect(lines.some((l) => /^RestartSec=\d+s$/.test(l))).toBe(true);
    expect(lines.some((l) => /^LimitNOFILE=\d+$/.test(l))).toBe(true);
    expect(unit).not.toMatch(/\/opt\/berth[^-]/);
    expect((await stat(join(dest, UNIT))).mode & 0o777).toBe(0o644);
  });

  it('copies the agent into the prefix without .git, node_modules or .next', () => {
    expect(existsSync(join(dest, 'opt/berth-test/apps/agent/src/main.ts'))).toBe(true);
    expect(existsSync(join(dest, 'opt/berth-test/infra/systemd/berth-agent.service'))).toBe(true);
    expect(existsSync(join(dest, 'opt/berth-test/.git'))).toBe(false);
    expect(existsSync(join(dest, 'opt/berth-test/node_modules'))).toBe(false);
  });

  it('writes the env file 0600 with the values double-quoted and escaped', async () => {
    const st = await stat(join(dest, ENV));
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.uid).toBe(process.getuid?.() ?? st.uid);
    const env = (await readFile(join(dest, ENV), 'utf8')).split('\n');
    expect(env).toContain('BERTH_CONTROL_PLANE="wss://berth.example.com/agent"');
    expect(env).toContain('BERTH_HOST_NAME="h1"');
    expect(env).toContain('BERTH_JOIN_TOKEN="bjt_fake\\"tok\\$en\\`x\\\\y z&1"');
    expect(env.filter((l) => l && !l.startsWith('#')).every((l) => /^BERTH_[A-Z_0-9]+=".*"$/.test(l))).toBe(true);
  });

  it('writes the env file so that a shell reading it gets the exact token back (same rules as systemd)', async () => {
    const r = await new Promise<string>((done, fail) =>
      execFile('bash', ['-c', 'set -a; . "$1"; printf %s "$BERTH_JOIN_TOKEN"', '_', join(dest, ENV)], (err, out) => (err ? fail(err) : done(out))),
    );
    expect(r).toBe(TOKEN);
  });

  it('creates the state directory 0711', async () => {
    expect((await stat(join(dest, 'var/lib/berth'))).mode & 0o777).toBe(0o711);
  });

  const analyze = onPath('systemd-analyze');
  // Skipped only where systemd-analyze is not installed: it is what checks the unit's syntax.
  it.skipIf(!analyze)('passes `systemd-analyze verify` (skipped when systemd-analyze is not installed)', async () => { // skipped where systemd-analyze is not installed: it is what checks the unit's syntax
    const r = await new Promise<Run>((done) =>
      execFile(analyze!, ['verify', join(dest, UNIT)], (err, stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr })),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).not.toMatch(/berth-agent\.service:\d+/);
  });

  it('refuses a value with a newline, exit != 0, one line that does not echo the value', async () => {
    const r = await run(install, [...base, '--join-token', 'abc\nSECRET', '--prefix', '/opt/berth-nl'], dest);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--join-token contains a newline/);
    expect(r.stderr).not.toContain('SECRET');
    expect(existsSync(join(dest, 'opt/berth-nl'))).toBe(false);
    const nameNl = await run(install, ['--source', repo, '--no-deps', '--control-plane', 'wss://cp/agent', '--join-token', 't', '--name', 'a\nb'], dest);
    expect(nameNl.code).not.toBe(0);
    expect(nameNl.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('refuses a first install without --join-token, saying how to get one', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'berth-install-'));
    try {
      const r = await run(install, base, fresh);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('berth host join-token --name h1');
      expect(existsSync(join(fresh, ENV))).toBe(false);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it('refuses plain ws:// to a remote address without --allow-insecure', async () => {
    const r = await run(install, ['--source', repo, '--no-deps', '--control-plane', 'ws://10.1.2.3/agent', '--join-token', 't'], dest);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/plain ws:\/\/ .*--allow-insecure/);
  });

  it('uninstall removes the unit, the prefix and the env file, keeps /var/lib/berth and says containers keep running', async () => {
    const r = await run(uninstall, [], dest);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('would run: systemctl disable --now berth-agent.service');
    expect(r.stdout).toMatch(/containers keep running/i);
    expect(existsSync(join(dest, UNIT))).toBe(false);
    expect(existsSync(join(dest, 'opt/berth-test'))).toBe(false); // found through the unit's WorkingDirectory
    expect(existsSync(join(dest, ENV))).toBe(false);
    expect(existsSync(join(dest, 'var/lib/berth'))).toBe(true);
  });

  it('uninstall --purge also names the agent\'s bridges and nftables table to remove, and removes the state', async () => {
    await mkdir(join(dest, 'var/lib/berth/networks'), { recursive: true });
    await writeFile(join(dest, 'var/lib/berth/networks/a.json'), JSON.stringify({ id: 'a', name: 'bridge', bridge: 'berth0' }, null, 2));
    await writeFile(join(dest, 'var/lib/berth/networks/b.json'), JSON.stringify({ id: 'b', name: 'app', bridge: 'br-0123456789ab' }, null, 2));
    await writeFile(join(dest, 'var/lib/berth/networks/c.json'), JSON.stringify({ id: 'c', name: 'evil', bridge: 'x; rm -rf /' }, null, 2));
    const r = await run(uninstall, ['--purge'], dest);
    expect(r.code, r.stderr).toBe(0);
    // under DESTDIR nothing on the host is touched: the commands are only named
    expect(r.stdout).toContain('would run: ip link delete berth0');
    expect(r.stdout).toContain('would run: ip link delete br-0123456789ab');
    expect(r.stdout).not.toContain('rm -rf /');
    expect(r.stdout).toContain('would run: nft delete table ip berth');
    expect(existsSync(join(dest, 'var/lib/berth'))).toBe(false);
  });
});
