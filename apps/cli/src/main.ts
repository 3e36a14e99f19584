import { parseArgs } from 'node:util';
import { apiClient, controlPlane, explain } from './client.ts';
import { loadEnv, type CliEnv } from './env.ts';
import { UserError } from './errors.ts';
import { auditCsvCommand, auditListCommand, auditVerifyCommand } from './commands/audit.ts';
import { hostsCommand, hostUpdateCommand, infoCommand, joinTokenCommand, removeCommand, revokeCommand } from './commands/hosts.ts';
import { DOCKER_USAGE, dockerMain, isDockerVerb } from './commands/docker.ts';
import { missingApi } from './commands/verbs.ts';
import { rerunTrusting } from './trust.ts';
import { hostMoveCommand, teamCommand, tokenCommand, userCommand, type AccountsIo } from './commands/accounts.ts';

const USAGE = `Usage: berth [-H HOST] [--format json] COMMAND [OPTIONS]

Run berth on this machine:
  up [-d]               start the control plane, embedded Postgres and a local agent
  down                  stop what \`up -d\` started (containers keep running)
  test [check|unit|e2e] run the test suite

Fleet:
  hosts                 list hosts
  host join-token [--name NAME] [--uses N] [--ttl SECONDS] [--team TEAM]
                        create a token an agent enrolls with (into TEAM)
  host move HOST TEAM   give a host to another team (site admins)
  host revoke NAME      revoke a host's key and disconnect it
  host rm NAME          forget a host, so that its name can be enrolled anew
  host add --ssh USER@ADDRESS[:PORT] [--name NAME] [--identity FILE | --password-stdin]
           [--accept-fingerprint SHA256:…] [--control-plane URL] [--allow-insecure]
                        install the agent on a Debian host over SSH and enroll it
  host uninstall --ssh USER@ADDRESS[:PORT] [--identity FILE | --password-stdin] [--purge]
                        remove the agent from a host over SSH
  info                  system-wide information about a host (docker info)
  audit [--limit N] [--user U] [-H HOST] [--action PREFIX] [--outcome ok|error|refused]
        [--since WHEN] [--until WHEN] [--format json|csv]
                        the audit log, newest first (csv: every matching entry)
  audit verify          check the audit log's hash chain

Accounts:
  user create NAME [--role admin|operator|viewer] [--team TEAM [--team-role R]] [--password-stdin]
  user ls | user set-role NAME ROLE|none | user rm NAME
                        site users (site admins); --role is the site-wide role
  team create NAME | team ls | team rename TEAM NAME | team rm TEAM
  team member ls TEAM | team member add|set-role TEAM USER --role owner|admin|operator|viewer
  team member rm TEAM USER
  team invite TEAM [--role R] [--expires 7d]
                        print a one-time invitation link; team invite ls TEAM | rm ID
  token create NAME [--scope viewer|operator|admin] [--expires 30d]
  token ls [--all] | token rm ID|NAME|PREFIX
                        your personal API tokens

${DOCKER_USAGE}
Environment: BERTH_URL, BERTH_TOKEN, BERTH_CA_FILE (default: ~/.config/berth/config.json), PORT, BIND, DATABASE_URL,
  BERTH_TLS=auto|1|0 (berth up: https and wss; auto = when BIND is not loopback), BERTH_TLS_NAMES (more names for its certificate)
`;

async function defaultHost(env: CliEnv, given: string | undefined): Promise<string> {
  if (given) return given;
  const hosts = await (await apiClient(env)).hosts.list.query();
  if (hosts.length === 1) return hosts[0]!.name;
  throw new UserError(hosts.length === 0 ? 'no hosts are enrolled yet' : `several hosts are enrolled (${hosts.map((h) => h.name).join(', ')}): choose one with -H HOST`);
}

/** The global options before the command (-H HOST, --format F), the command and its own argv. */
function splitGlobals(argv: string[]): { host?: string; format?: string; cmd?: string; rest: string[] } {
  const g: { host?: string; format?: string } = {};
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if ((a === '-H' || a === '--host') && i + 1 < argv.length) g.host = argv[++i]!;
    else if (a.startsWith('--host=')) g.host = a.slice('--host='.length);
    else if (/^-H./.test(a)) g.host = a.slice(2);
    else if (a === '--format' && i + 1 < argv.length) g.format = argv[++i]!;
    else if (a.startsWith('--format=')) g.format = a.slice('--format='.length);
    else break;
  }
  return { ...g, ...(argv[i] !== undefined ? { cmd: argv[i] } : {}), rest: argv.slice(i + 1) };
}

/** Docker's verbs: each parses its own flags after the command. */
async function dockerVerb(cmd: string, g: ReturnType<typeof splitGlobals>): Promise<number> {
  if (g.rest[0] === '--help' && cmd !== 'run' && cmd !== 'create' && cmd !== 'network') return process.stdout.write(DOCKER_USAGE), 0;
  const env = loadEnv();
  const rest = g.format && (cmd === 'ps' || cmd === 'images') ? ['--format', g.format, ...g.rest] : g.rest;
  // Ctrl-C stops what streams (logs -f, run, exec, pull); a second one quits at once
  const interrupt = new AbortController();
  process.on('SIGINT', () => (interrupt.signal.aborted ? process.exit(130) : interrupt.abort()));
  try {
    const api = await apiClient(env).catch((err: unknown) => (err instanceof UserError ? missingApi(err) : Promise.reject(err as Error)));
    return await dockerMain({ api, env, host: g.host, signal: interrupt.signal, io: { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s), isTTY: !!process.stdout.isTTY } }, cmd, rest);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw explain(err, env);
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'host' && (argv[1] === 'add' || argv[1] === 'uninstall')) {
    return (await import('./commands/host-add.ts')).hostSshMain(argv.slice(1), loadEnv());
  }
  if (argv[0] === 'user' || argv[0] === 'team' || argv[0] === 'token' || (argv[0] === 'host' && argv[1] === 'move')) {
    const env = loadEnv();
    const globals = splitGlobals(argv);
    const io: AccountsIo = { json: globals.format === 'json', readStdin: async () => { let s = ''; for await (const c of process.stdin) s += String(c); return s; } };
    try {
      const api = await apiClient(env);
      const out = argv[0] === 'user' ? await userCommand(api, argv.slice(1), io)
        : argv[0] === 'team' ? await teamCommand(api, argv.slice(1), io, (await controlPlane(env)).url)
          : argv[0] === 'token' ? await tokenCommand(api, argv.slice(1), io)
            : await hostMoveCommand(api, argv.slice(2));
      return process.stdout.write(out), 0;
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw explain(err, env);
    }
  }
  if (argv[0] === 'host' && argv[1] === 'update') {
    const env = loadEnv();
    try {
      return process.stdout.write(await hostUpdateCommand(await apiClient(env), argv.slice(2))), 0;
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw explain(err, env);
    }
  }
  const globals = splitGlobals(argv);
  if (isDockerVerb(globals.cmd)) return dockerVerb(globals.cmd!, globals);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      host: { type: 'string', short: 'H' },
      format: { type: 'string' },
      detach: { type: 'boolean', short: 'd' },
      name: { type: 'string' },
      uses: { type: 'string' },
      ttl: { type: 'string' },
      limit: { type: 'string' },
      team: { type: 'string' },
      user: { type: 'string' },
      action: { type: 'string' },
      outcome: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  if (values.version) return process.stdout.write('berth 0.1.0\n'), 0;
  const [cmd, ...rest] = positionals;
  if (values.help || !cmd) return process.stdout.write(USAGE), cmd || values.help ? 0 : 1;
  const env = loadEnv();
  const json = values.format === 'json';
  const csv = values.format === 'csv' && cmd === 'audit';
  if (values.format && !json && !csv) throw new UserError(`unknown --format ${values.format}: only json is supported${cmd === 'audit' ? ' (and csv)' : ''}`);
  const int = (v: string | undefined, d: number, what: string) => {
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new UserError(`${what} must be a positive whole number, not ${JSON.stringify(v)}`);
    return n;
  };
  const print = (s: string) => process.stdout.write(s);
  switch (cmd) {
    case 'up':
      await (await import('./local/up.ts')).up(env, { detach: !!values.detach });
      return 0;
    case 'down':
      await (await import('./local/down.ts')).down(env);
      return 0;
    case 'test':
      return (await import('./local/test.ts')).test(env, rest);
  }
  try {
    const api = await apiClient(env);
    switch (cmd) {
      case 'hosts':
        return print(await hostsCommand(api, { json })), 0;
      case 'host':
        if (rest[0] === 'ls' || rest[0] === 'list') return print(await hostsCommand(api, { json })), 0;
        if (rest[0] === 'join-token') return print(await joinTokenCommand(api, { ...(values.name ? { name: values.name } : {}), ...(values.team ? { team: values.team } : {}), uses: int(values.uses, 1, '--uses'), ttl: int(values.ttl, 3600, '--ttl'), json })), 0;
        if (rest[0] === 'revoke' && rest[1]) return print(await revokeCommand(api, rest[1])), 0;
        if (rest[0] === 'rm' && rest[1]) return print(await removeCommand(api, rest[1])), 0;
        throw new UserError('usage: berth host ls | join-token [--name NAME] [--uses N] [--ttl SECONDS] [--team TEAM] | move HOST TEAM | update [--label-add KEY=VALUE] [--label-rm KEY] NAME | revoke NAME | rm NAME');
      case 'info':
        return print(await infoCommand(api, await defaultHost(env, values.host), { json })), 0;
      case 'audit':
        if (rest[0] === 'verify') return print(await auditVerifyCommand(api)), 0;
        {
          const filter = { user: values.user, host: values.host, action: values.action, outcome: values.outcome, since: values.since, until: values.until };
          if (csv) return await auditCsvCommand(await controlPlane(env), filter, process.stdout), 0;
          return print(await auditListCommand(api, { limit: int(values.limit, 50, '--limit'), json, filter })), 0;
        }
      default:
        throw new UserError(`unknown command ${JSON.stringify(cmd)}: see berth --help`);
    }
  } catch (err) {
    throw explain(err, env);
  }
}

const rerun = rerunTrusting();
if (rerun !== null) process.exit(rerun);
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    const user = err instanceof UserError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`berth: ${user ? err.message : err.stack ?? err.message}\n`);
    process.exit(err instanceof UserError ? err.exitCode : 1);
  },
);
