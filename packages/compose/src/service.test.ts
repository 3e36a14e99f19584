// Each way compose lets a service key be written, and what the replica's container gets from it.
import { describe, expect, it } from 'vitest';
import { b64, container, parse, service } from './test-helpers.ts';

const web = (body: string, rest = '', options: Parameters<typeof parse>[1] = {}) => parse(service(`image: nginx\n${body}`, rest), options).stack.services[0]!;
const ignoredOf = (body: string, rest = '', options: Parameters<typeof parse>[1] = {}) => parse(service(`image: nginx\n${body}`, rest), options).ignored;

describe('command and entrypoint', () => {
  it('splits a string as compose does and takes a list as it is', () => {
    expect(web('command: nginx -g "daemon off;"').container.cmd).toEqual(['nginx', '-g', 'daemon off;']);
    expect(web('command: ["sh", "-c", "echo $$HOME"]').container.cmd).toEqual(['sh', '-c', 'echo $HOME']);
    expect(web('entrypoint: /docker-entrypoint.sh --verbose').container.entrypoint).toEqual(['/docker-entrypoint.sh', '--verbose']);
  });

  it('clears the image entrypoint with "" or [] and keeps the image CMD when command is null', () => {
    expect(web('entrypoint: ""').container.entrypoint).toEqual([]);
    expect(web('entrypoint: []').container.entrypoint).toEqual([]);
    expect(web('command:').container.cmd).toBeUndefined();
  });
});

describe('environment and env_file', () => {
  it('reads a map and a list; numbers and booleans as written', () => {
    expect(web('environment:\n  A: 1\n  B: true\n  C: "x=y"\n  D: 0.50').container.env).toEqual(['A=1', 'B=true', 'C=x=y', 'D=0.50']);
    expect(web('environment:\n  - A=1\n  - B=\n  - C=x=y').container.env).toEqual(['A=1', 'B=', 'C=x=y']);
  });

  it('takes a key without a value from the environment, or leaves it unset and says so', () => {
    const text = service('image: nginx\nenvironment: [FROM_SHELL, MISSING]');
    const { stack, ignored } = parse(text, { env: { FROM_SHELL: 'here' } });
    expect(stack.services[0]?.container.env).toEqual(['FROM_SHELL=here']);
    expect(ignored).toEqual([{ path: 'services.web.environment[1]', line: 4, reason: 'MISSING has no value here and is not set in the environment: it is left unset' }]);
    expect(web('environment:\n  FROM_SHELL:\n', '', { env: { FROM_SHELL: 'here' } }).container.env).toEqual(['FROM_SHELL=here']);
  });

  it('reads env files in order, then environment over them', () => {
    const files: Record<string, string> = { 'a.env': 'A=from-a\nB=from-a\n', 'b.env': 'B=from-b\nC=from-b\n' };
    const s = web('env_file: [a.env, b.env]\nenvironment:\n  C: from-environment', '', { readFile: (p) => files[p] });
    expect(s.container.env).toEqual(['A=from-a', 'B=from-b', 'C=from-environment']);
    expect(web('env_file: a.env', '', { readFile: (p) => files[p] }).container.env).toEqual(['A=from-a', 'B=from-a']);
  });

  it('skips an optional env file that is missing, and says so', () => {
    const text = service('image: nginx\nenv_file:\n  - path: ./default.env\n  - path: ./override.env\n    required: false');
    const { stack, ignored } = parse(text, { readFile: (p) => (p === './default.env' ? 'A=1' : undefined) });
    expect(stack.services[0]?.container.env).toEqual(['A=1']);
    expect(ignored).toEqual([{ path: 'services.web.env_file[1].path', line: 6, reason: 'the optional env file "./override.env" was not found' }]);
  });

  it('interpolates env file values with the variables it is given', () => {
    const s = web('env_file: app.env', '', { env: { REGION: 'eu' }, readFile: () => 'ENDPOINT=https://${REGION}.example.com\n' });
    expect(s.container.env).toEqual(['ENDPOINT=https://eu.example.com']);
  });
});

describe('ports and expose', () => {
  it('reads the short syntax: numbers, ranges, addresses, protocols', () => {
    const s = web(`ports:
  - 80
  - "3000"
  - 8080:80
  - "127.0.0.1:8443:443"
  - "127.0.0.1::5000"
  - "9000-9001:9000-9001"
  - "53:53/udp"`);
    expect(s.container.publish).toEqual(['80', '3000', '8080:80', '127.0.0.1:8443:443', '127.0.0.1::5000', '9000-9001:9000-9001', '53:53/udp']);
  });

  it('reads the long syntax as the short one', () => {
    const s = web(`ports:
  - target: 80
    published: 8080
  - target: 53
    published: "5353"
    protocol: udp
    host_ip: 127.0.0.1
    mode: host
  - target: 9000
  - target: 9100
    host_ip: 127.0.0.1`);
    expect(s.container.publish).toEqual(['8080:80', '127.0.0.1:5353:53/udp', '9000', '127.0.0.1::9100']);
  });

  it('publishes an ingress port on the replica’s host and says so', () => {
    const ignored = ignoredOf('ports:\n  - target: 80\n    published: 80\n    mode: ingress\n    name: http');
    expect(ignored).toEqual([
      { path: 'services.web.ports[0].name', line: 8, reason: 'port names are not kept' },
      { path: 'services.web.ports[0].mode', line: 7, reason: 'berth has no routing mesh: the port is published on each host that runs a replica (as mode: host)' },
    ]);
  });

  it('reads expose as numbers or strings', () => {
    expect(web('expose: [3306, "8000-8001", 53/udp]').container.expose).toEqual(['3306', '8000-8001', '53/udp']);
  });
});

describe('volumes and tmpfs', () => {
  const rest = 'volumes:\n  data:\n  shared:\n    external: true\n  legacy:\n    external: true\n    name: old_data\n';

  it('reads the short syntax: anonymous, named (prefixed with the stack), external, bind, modes', () => {
    const s = web(
      `volumes:
  - /cache
  - data:/var/lib/data
  - data:/srv/ro:ro
  - shared:/shared:rw
  - legacy:/legacy
  - /etc/ssl/certs:/etc/ssl/certs:ro
  - ./conf:/etc/app
  - ../common/conf:/etc/common:ro
  - ~/notes:/notes`,
      rest,
      { workingDir: '/srv/shop', env: { HOME: '/home/ops' } },
    );
    expect(s.container.binds).toEqual([
      '/cache',
      'shop_data:/var/lib/data',
      'shop_data:/srv/ro:ro',
      'shared:/shared',
      'old_data:/legacy',
      '/etc/ssl/certs:/etc/ssl/certs:ro',
      '/srv/shop/conf:/etc/app',
      '/srv/common/conf:/etc/common:ro',
      '/home/ops/notes:/notes',
    ]);
  });

  it('reads the long syntax, tmpfs included', () => {
    const s = web(
      `volumes:
  - type: volume
    source: data
    target: /data
    read_only: true
  - type: bind
    source: /var/log
    target: /host-logs
  - type: volume
    target: /scratch
  - type: tmpfs
    target: /run/cache
    tmpfs:
      size: 64m
      mode: 01777
  - type: tmpfs
    target: /tmp`,
      rest,
    );
    expect(s.container.binds).toEqual(['shop_data:/data:ro', '/var/log:/host-logs', '/scratch']);
    expect(s.container.tmpfs).toEqual({ '/run/cache': `size=${64 * 1024 * 1024},mode=1777`, '/tmp': '' });
  });

  it('reads tmpfs as a string or a list', () => {
    expect(web('tmpfs: /run').container.tmpfs).toEqual({ '/run': '' });
    expect(web('tmpfs: [/run, "/tmp:size=64m,mode=1777"]').container.tmpfs).toEqual({ '/run': '', '/tmp': 'size=64m,mode=1777' });
  });

  it('reports mount options berth does not carry out', () => {
    expect(ignoredOf('volumes:\n  - ./x:/x:ro,z', '', { workingDir: '/srv' })).toEqual([{ path: 'services.web.volumes[0]', line: 5, reason: 'the mount option z is not supported by berth' }]);
    expect(ignoredOf('volumes:\n  - type: bind\n    source: /x\n    target: /x\n    bind:\n      propagation: rshared')).toEqual([
      { path: 'services.web.volumes[0].bind.propagation', line: 9, reason: 'binds are rprivate' },
    ]);
  });
});

describe('networks', () => {
  const rest = 'networks:\n  front:\n  back:\n';

  it('joins the networks listed, by list or map', () => {
    expect(web('networks: [front, back]', rest).networks).toEqual(['front', 'back']);
    expect(web('networks:\n  front:\n  back: {}', rest).networks).toEqual(['front', 'back']);
  });

  it('joins the stack’s default network when none is listed, which the stack then declares', () => {
    const { stack } = parse(service('image: nginx', rest));
    expect(stack.services[0]?.networks).toEqual(['default']);
    expect(stack.networks.map((n) => n.name)).toEqual(['default', 'front', 'back']);
    const explicit = parse(service('image: nginx\nnetworks: [default, front]', rest)).stack;
    expect(explicit.services[0]?.networks).toEqual(['default', 'front']);
    expect(explicit.networks.map((n) => n.name)).toEqual(['default', 'front', 'back']);
  });

  it('does not declare default when no service uses it', () => {
    expect(parse(service('image: nginx\nnetworks: [front]', rest)).stack.networks.map((n) => n.name)).toEqual(['front', 'back']);
  });

  it('ignores aliases and fixed addresses, saying why', () => {
    expect(ignoredOf('networks:\n  front:\n    aliases: [www]\n    ipv4_address: 10.0.0.5', rest)).toEqual([
      { path: 'services.web.networks.front.aliases', line: 6, reason: 'per-service network aliases are not supported: other services reach it by its service name' },
      { path: 'services.web.networks.front.ipv4_address', line: 7, reason: 'addresses come from the network’s IPAM' },
    ]);
  });

  it('lets the file declare the default network, e.g. as an external one', () => {
    const { stack } = parse(service('image: nginx', 'networks:\n  default:\n    external: true\n    name: proxy\n'));
    expect(stack.services[0]?.networks).toEqual(['proxy']);
    expect(stack.networks).toEqual([{ name: 'proxy', external: true, internal: false, labels: {} }]);
  });

  it('uses an external network by its own name', () => {
    const { stack } = parse(service('image: nginx\nnetworks: [proxy]', 'networks:\n  proxy:\n    external: true\n    name: traefik_public\n'));
    expect(stack.services[0]?.networks).toEqual(['traefik_public']);
    expect(stack.networks).toEqual([{ name: 'traefik_public', external: true, internal: false, labels: {} }]);
  });
});

describe('depends_on', () => {
  const two = (deps: string) => `services:\n  db:\n    image: postgres\n  web:\n    image: nginx\n    depends_on: ${deps}\n`;

  it('reads a list as service_started and a map with its conditions', () => {
    expect(parse(two('[db]')).stack.services[1]?.dependsOn).toEqual([{ service: 'db', condition: 'service_started' }]);
    expect(parse(two('\n      db:\n        condition: service_healthy')).stack.services[1]?.dependsOn).toEqual([{ service: 'db', condition: 'service_healthy' }]);
    expect(parse(two('\n      db:\n        condition: service_started\n        restart: true')).stack.services[1]?.dependsOn).toEqual([{ service: 'db', condition: 'service_started' }]);
  });

  it('drops service_completed_successfully, saying why', () => {
    const { stack, ignored } = parse(two('\n      db:\n        condition: service_completed_successfully'));
    expect(stack.services[1]?.dependsOn).toEqual([]);
    expect(ignored).toEqual([{ path: 'services.web.depends_on.db.condition', line: 8, reason: 'berth runs long-lived services, not one-off jobs: this dependency is dropped' }]);
  });
});

describe('healthcheck', () => {
  it('runs a string test with the shell and a list as written', () => {
    expect(web('healthcheck:\n  test: curl -f http://localhost/ || exit 1').container.healthcheck).toEqual({ test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] });
    expect(web('healthcheck:\n  test: [CMD, curl, -f, http://localhost/]').container.healthcheck).toEqual({ test: ['CMD', 'curl', '-f', 'http://localhost/'] });
    expect(web('healthcheck:\n  test: [CMD-SHELL, "pg_isready -U postgres"]').container.healthcheck).toEqual({ test: ['CMD-SHELL', 'pg_isready -U postgres'] });
  });

  it('turns the image’s check off with disable: true or NONE', () => {
    expect(web('healthcheck:\n  disable: true').container.healthcheck).toEqual({ test: ['NONE'] });
    expect(web('healthcheck:\n  test: [NONE]').container.healthcheck).toEqual({ test: ['NONE'] });
  });

  it('takes durations in Go’s format, in milliseconds; 0 leaves the image’s value', () => {
    expect(web('healthcheck:\n  interval: 1m30s\n  timeout: 500ms\n  start_period: 2m\n  start_interval: 1s\n  retries: 5').container.healthcheck).toEqual({
      intervalMs: 90_000,
      timeoutMs: 500,
      startPeriodMs: 120_000,
      startIntervalMs: 1000,
      retries: 5,
    });
    expect(web('healthcheck:\n  interval: 0s').container.healthcheck).toEqual({});
  });
});

describe('restart and deploy.restart_policy', () => {
  it.each([
    ['no', { name: 'no', maximumRetryCount: 0 }],
    ['"no"', { name: 'no', maximumRetryCount: 0 }],
    ['always', { name: 'always', maximumRetryCount: 0 }],
    ['unless-stopped', { name: 'unless-stopped', maximumRetryCount: 0 }],
    ['on-failure', { name: 'on-failure', maximumRetryCount: 0 }],
    ['on-failure:5', { name: 'on-failure', maximumRetryCount: 5 }],
  ])('restart: %s', (text, policy) => expect(web(`restart: ${text}`).container.restartPolicy).toEqual(policy));

  it.each([
    ['none', {}, { name: 'no', maximumRetryCount: 0 }],
    ['any', {}, { name: 'always', maximumRetryCount: 0 }],
    ['on-failure', { max_attempts: 3 }, { name: 'on-failure', maximumRetryCount: 3 }],
  ])('deploy.restart_policy.condition: %s', (condition, extra, policy) => {
    const attempts = 'max_attempts' in extra ? `\n    max_attempts: ${extra.max_attempts}` : '';
    expect(web(`deploy:\n  restart_policy:\n    condition: ${condition}${attempts}`).container.restartPolicy).toEqual(policy);
  });

  it('prefers deploy.restart_policy over restart, as docker stack deploy does, and says so', () => {
    const text = service('image: nginx\nrestart: always\ndeploy:\n  restart_policy:\n    condition: on-failure');
    const { stack, ignored } = parse(text);
    expect(stack.services[0]?.container.restartPolicy).toEqual({ name: 'on-failure', maximumRetryCount: 0 });
    expect(ignored).toEqual([{ path: 'services.web.restart', line: 4, reason: 'deploy.restart_policy takes precedence, as in docker stack deploy' }]);
  });
});

describe('deploy', () => {
  it('reads mode, replicas and scale', () => {
    expect(web('deploy:\n  replicas: 4').mode).toEqual({ mode: 'replicated', replicas: 4 });
    expect(web('deploy:\n  replicas: 0').mode).toEqual({ mode: 'replicated', replicas: 0 });
    expect(web('deploy:\n  mode: global').mode).toEqual({ mode: 'global' });
    expect(web('scale: 2').mode).toEqual({ mode: 'replicated', replicas: 2 });
    expect(web('deploy:\n  replicas: "${N:-2}"').mode).toEqual({ mode: 'replicated', replicas: 2 });
  });

  it('reads resources: limits onto the container, reservations for the scheduler', () => {
    const s = web('deploy:\n  resources:\n    limits:\n      cpus: "1.5"\n      memory: 1g\n      pids: 200\n    reservations:\n      cpus: 0.5\n      memory: 128M');
    expect(s.container).toMatchObject({ cpus: 1.5, memory: 1024 ** 3, pidsLimit: 200 });
    expect(s.reservations).toEqual({ cpus: 0.5, memoryBytes: 128 * 1024 ** 2 });
  });

  it('lets deploy limits win over the service’s own, and says so', () => {
    const text = service('image: nginx\nmem_limit: 256m\ndeploy:\n  resources:\n    limits:\n      memory: 512m');
    const { stack, ignored } = parse(text);
    expect(stack.services[0]?.container.memory).toBe(512 * 1024 ** 2);
    expect(ignored).toEqual([{ path: 'services.web.mem_limit', line: 4, reason: 'deploy.resources.limits takes precedence over mem_limit' }]);
  });

  it('reads placement and update_config', () => {
    const s = web(`deploy:
  placement:
    constraints:
      - node.labels.zone==east
      - "node.platform.arch != arm64"
    preferences:
      - spread: node.labels.rack
    max_replicas_per_node: 2
  update_config:
    parallelism: 2
    delay: 10s
    order: start-first
    failure_action: pause
    monitor: 30s
    max_failure_ratio: 0.25`);
    expect(s.placement).toEqual({ constraints: ['node.labels.zone == east', 'node.platform.arch != arm64'], preferences: [{ spread: 'node.labels.rack' }], strategy: 'spread', maxReplicasPerHost: 2 });
    expect(s.update).toEqual({ parallelism: 2, delayMs: 10_000, order: 'start-first', failureAction: 'pause', monitorMs: 30_000, maxFailureRatio: 0.25 });
  });

  it('keeps deploy.labels on the service and labels on the containers', () => {
    const s = web('labels: [com.example.role=frontend, tier]\ndeploy:\n  labels:\n    traefik.enable: "true"');
    expect(s.container.labels).toEqual({ 'com.example.role': 'frontend', tier: '' });
    expect(s.labels).toEqual({ 'traefik.enable': 'true' });
  });

  it('ignores rollback_config and endpoint_mode, saying why', () => {
    expect(ignoredOf('deploy:\n  endpoint_mode: dnsrr\n  rollback_config:\n    parallelism: 1').map((i) => i.path)).toEqual(['services.web.deploy.endpoint_mode', 'services.web.deploy.rollback_config']);
  });
});

describe('the other run options', () => {
  it('maps each onto the container template', () => {
    const s = web(`user: 1000:1000
working_dir: /app
hostname: web-1
tty: true
stdin_open: "yes"
read_only: true
privileged: false
cap_add: [NET_ADMIN]
cap_drop: [ALL]
dns: 10.0.0.2
dns_search: [example.internal]
dns_opt: [ndots:2]
extra_hosts:
  - "db.local:10.0.0.5"
  - "cache.local=10.0.0.6"
pids_limit: 100
mem_limit: 512m
memswap_limit: 1g
cpus: 0.25
cpu_shares: 512`);
    expect(s.container).toStrictEqual(
      container({
        user: '1000:1000',
        workingDir: '/app',
        hostname: 'web-1',
        tty: true,
        openStdin: true,
        readonlyRootfs: true,
        capAdd: ['NET_ADMIN'],
        capDrop: ['ALL'],
        dns: ['10.0.0.2'],
        dnsSearch: ['example.internal'],
        dnsOption: ['ndots:2'],
        addHost: ['db.local:10.0.0.5', 'cache.local:10.0.0.6'],
        pidsLimit: 100,
        memory: 512 * 1024 ** 2,
        memorySwap: 1024 ** 3,
        cpus: 0.25,
        cpuShares: 512,
      }),
    );
  });

  it('reads extra_hosts as a map too', () => {
    expect(web('extra_hosts:\n  db.local: 10.0.0.5\n  multi: [10.0.0.7, 10.0.0.8]').container.addHost).toEqual(['db.local:10.0.0.5', 'multi:10.0.0.7', 'multi:10.0.0.8']);
  });

  it('reads a numeric user as written', () => {
    expect(web('user: 1000').container.user).toBe('1000');
  });
});

describe('secrets and configs', () => {
  const top = `secrets:
  token:
    file: ./token.txt
  vault:
    external: true
    name: prod_vault_token
configs:
  nginx_conf:
    content: |
      server { listen 80; }
  from_env:
    environment: APP_CONFIG
`;
  const files: Record<string, string> = { './token.txt': 's3cret' };

  it('reads the short and long syntax onto FileReferences', () => {
    const { stack } = parse(
      service(
        `image: nginx
secrets:
  - token
  - source: token
    target: api-token
    uid: "101"
    gid: 101
    mode: 0440
  - vault
configs:
  - source: nginx_conf
    target: /etc/nginx/conf.d/default.conf
    mode: "0444"
  - from_env`,
        top,
      ),
      { readFile: (p) => files[p], env: { APP_CONFIG: 'a=1' } },
    );
    const s = stack.services[0]!;
    expect(s.secrets).toEqual([
      { source: 'token', mode: 0o444, uid: '0', gid: '0' },
      { source: 'token', target: 'api-token', mode: 0o440, uid: '101', gid: '101' },
      // an external secret named otherwise keeps the file name the service wrote
      { source: 'prod_vault_token', target: 'vault', mode: 0o444, uid: '0', gid: '0' },
    ]);
    expect(s.configs).toEqual([
      { source: 'nginx_conf', target: '/etc/nginx/conf.d/default.conf', mode: 0o444, uid: '0', gid: '0' },
      { source: 'from_env', mode: 0o444, uid: '0', gid: '0' },
    ]);
    expect(stack.secrets).toEqual([
      { name: 'token', external: false, data: b64('s3cret') },
      { name: 'prod_vault_token', external: true },
    ]);
    expect(stack.configs).toEqual([
      { name: 'nginx_conf', external: false, data: b64('server { listen 80; }\n') },
      { name: 'from_env', external: false, data: b64('a=1') },
    ]);
  });

  it('takes a binary file as bytes', () => {
    const bytes = new Uint8Array([0, 255, 10, 128]);
    const { stack } = parse(service('image: nginx', 'secrets:\n  keystore:\n    file: ks.p12\n'), { readFile: () => bytes });
    expect(stack.secrets[0]?.data).toBe(Buffer.from(bytes).toString('base64'));
  });
});
