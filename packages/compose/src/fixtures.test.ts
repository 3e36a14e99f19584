// Whole compose files as users write them, read the way the CLI reads them: the files that
// referencedFiles names, relative to the compose file's directory, handed to parseCompose.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCompose, referencedFiles, referencedVariables } from './index.ts';
import { b64, container, serviceSpec } from './test-helpers.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

function load(file: string, env: Record<string, string> = {}, stackName = 'shop') {
  const path = join(fixtures, file);
  const dir = dirname(path);
  const text = readFileSync(path, 'utf8');
  const files = new Map(referencedFiles(text, { env }).filter((f) => existsSync(join(dir, f))).map((f) => [f, readFileSync(join(dir, f))]));
  return parseCompose(text, { stackName, fileName: file, env, workingDir: dir, readFile: (p) => files.get(p) });
}

describe('a realistic three-service stack (fixtures/shop)', () => {
  const text = readFileSync(join(fixtures, 'shop/docker-compose.yml'), 'utf8');

  it('names the files and variables a client must send with it', () => {
    expect(referencedFiles(text)).toEqual(['./api.env', './secrets/db_password.txt']);
    expect(referencedVariables(text).sort()).toEqual(['API_KEY', 'LOG_LEVEL', 'WEB_TAG']);
  });

  it('becomes exactly this StackSpec', () => {
    const { stack, ignored } = load('shop/docker-compose.yml', { API_KEY: 'k-123' });
    const restartPolicy = { name: 'unless-stopped' as const, maximumRetryCount: 0 };
    const dbPassword = { source: 'db_password', mode: 0o444, uid: '0', gid: '0' };
    expect(stack).toStrictEqual({
      name: 'shop',
      services: [
        serviceSpec({
          name: 'web',
          image: 'registry.example.com/shop/web:1.4.2',
          container: container({
            publish: ['80:8080', '127.0.0.1:9090:9090/tcp'],
            healthcheck: { test: ['CMD', 'wget', '-qO-', 'http://localhost:8080/healthz'], intervalMs: 30_000, timeoutMs: 5000, retries: 3, startPeriodMs: 60_000 },
            labels: { 'com.example.team': 'storefront' },
            restartPolicy,
          }),
          networks: ['front'],
          dependsOn: [{ service: 'api', condition: 'service_healthy' }],
        }),
        serviceSpec({
          name: 'api',
          image: 'registry.example.com/shop/api:2.0.1',
          container: container({
            cmd: ['node', 'server.js', '--port', '3000'],
            env: ['NODE_ENV=production', 'CACHE_TTL=60', 'DATABASE_URL=postgres://shop@db:5432/shop', 'LOG_LEVEL=info'],
            healthcheck: { test: ['CMD-SHELL', 'wget -qO- http://localhost:3000/ready || exit 1'] },
            cpus: 0.5,
            memory: 512 * 1024 * 1024,
            restartPolicy,
          }),
          labels: { 'com.example.service': 'api' },
          mode: { mode: 'replicated', replicas: 3 },
          placement: { constraints: ['node.labels.tier == app'], preferences: [{ spread: 'node.labels.zone' }], strategy: 'spread' },
          reservations: { memoryBytes: 256 * 1024 * 1024, cpus: 0.25 },
          update: { parallelism: 1, delayMs: 10_000, order: 'start-first', failureAction: 'rollback', monitorMs: 5000, maxFailureRatio: 0 },
          networks: ['front', 'back'],
          secrets: [dbPassword, { source: 'api_key', target: '/etc/api/key', mode: 0o400, uid: '0', gid: '0' }],
          dependsOn: [{ service: 'db', condition: 'service_started' }],
        }),
        serviceSpec({
          name: 'db',
          image: 'postgres:16',
          container: container({
            env: ['POSTGRES_DB=shop', 'POSTGRES_USER=shop', 'POSTGRES_PASSWORD_FILE=/run/secrets/db_password'],
            binds: ['shop_dbdata:/var/lib/postgresql/data'],
          }),
          placement: { constraints: ['node.hostname == db1'], preferences: [], strategy: 'spread' },
          networks: ['back'],
          secrets: [dbPassword],
        }),
      ],
      networks: [
        { name: 'front', internal: false, external: false, labels: {} },
        { name: 'back', internal: true, external: false, labels: {} },
      ],
      volumes: [{ name: 'dbdata', external: false, labels: { 'com.example.backup': 'daily' } }],
      secrets: [
        { name: 'db_password', external: false, data: b64('correct horse battery staple\n') },
        { name: 'api_key', external: false, data: b64('k-123') },
      ],
      configs: [],
    });
    expect(ignored).toStrictEqual([
      { path: 'name', line: 1, reason: 'the stack is named shop, the name given to deploy' },
      { path: 'services.web.logging', line: 4, reason: 'berth keeps each container’s log itself (conmon, k8s-file format)' },
      { path: 'services.api.logging', line: 4, reason: 'berth keeps each container’s log itself (conmon, k8s-file format)' },
    ]);
  });

  it('takes the variables it is given over the defaults', () => {
    const { stack } = load('shop/docker-compose.yml', { API_KEY: 'k', WEB_TAG: '1.5.0', LOG_LEVEL: 'debug' });
    expect(stack.services[0]?.image).toBe('registry.example.com/shop/web:1.5.0');
    expect(stack.services[1]?.container.env).toContain('LOG_LEVEL=debug');
  });

  it('fails naming the secret whose variable is not set', () => {
    expect(() => load('shop/docker-compose.yml', {})).toThrow('shop/docker-compose.yml:88:18: secrets.api_key.environment: the environment variable API_KEY is not set');
  });
});

describe('WordPress and MariaDB as in Docker’s documentation (fixtures/wordpress)', () => {
  it('becomes two services on the default network with a volume each', () => {
    const { stack, ignored } = load('wordpress/docker-compose.yml', {}, 'blog');
    expect(ignored).toEqual([]);
    expect(stack).toStrictEqual({
      name: 'blog',
      services: [
        serviceSpec({
          name: 'db',
          image: 'mariadb:10.6.4-focal',
          container: container({
            cmd: ['--default-authentication-plugin=mysql_native_password'],
            binds: ['blog_db_data:/var/lib/mysql'],
            restartPolicy: { name: 'always', maximumRetryCount: 0 },
            env: ['MYSQL_ROOT_PASSWORD=somewordpress', 'MYSQL_DATABASE=wordpress', 'MYSQL_USER=wordpress', 'MYSQL_PASSWORD=wordpress'],
            expose: ['3306', '33060'],
          }),
        }),
        serviceSpec({
          name: 'wordpress',
          image: 'wordpress:latest',
          container: container({
            binds: ['blog_wp_data:/var/www/html'],
            publish: ['80:80'],
            restartPolicy: { name: 'always', maximumRetryCount: 0 },
            env: ['WORDPRESS_DB_HOST=db', 'WORDPRESS_DB_USER=wordpress', 'WORDPRESS_DB_PASSWORD=wordpress', 'WORDPRESS_DB_NAME=wordpress'],
          }),
        }),
      ],
      networks: [{ name: 'default', internal: false, external: false, labels: {} }],
      volumes: [
        { name: 'db_data', external: false, labels: {} },
        { name: 'wp_data', external: false, labels: {} },
      ],
      secrets: [],
      configs: [],
    });
  });
});

describe('a swarm stack file (fixtures/voting-app)', () => {
  const { stack, ignored } = load('voting-app/docker-stack.yml', {}, 'vote');
  const byName = Object.fromEntries(stack.services.map((s) => [s.name, s]));

  it('maps deploy: replicas, update_config, restart_policy and labels', () => {
    expect(stack.services.map((s) => s.name)).toEqual(['redis', 'db', 'vote', 'result', 'worker', 'visualizer']);
    expect(byName.vote?.mode).toEqual({ mode: 'replicated', replicas: 2 });
    expect(byName.vote?.update).toMatchObject({ parallelism: 2, delayMs: 0 });
    expect(byName.redis?.update).toMatchObject({ parallelism: 2, delayMs: 10_000 });
    expect(byName.redis?.container.restartPolicy).toEqual({ name: 'on-failure', maximumRetryCount: 0 });
    expect(byName.worker?.container.restartPolicy).toEqual({ name: 'on-failure', maximumRetryCount: 3 });
    expect(byName.worker?.labels).toEqual({ APP: 'VOTING' });
    expect(byName.worker?.networks).toEqual(['frontend', 'backend']);
    expect(byName.visualizer?.container.binds).toEqual(['/var/run/docker.sock:/var/run/docker.sock']);
    expect(byName.visualizer?.networks).toEqual(['default']);
    expect(stack.networks.map((n) => n.name)).toEqual(['default', 'frontend', 'backend']);
    expect(byName.db?.container.binds).toEqual(['vote_db-data:/var/lib/postgresql/data']);
  });

  it('says what it ignores: version, node.role constraints, restart delays, stop_grace_period', () => {
    expect(ignored.map((i) => `${i.line} ${i.path}`)).toEqual([
      '2 version',
      '28 services.db.deploy.placement.constraints[0]',
      '72 services.worker.deploy.restart_policy.delay',
      '74 services.worker.deploy.restart_policy.window',
      '76 services.worker.deploy.placement.constraints[0]',
      '82 services.visualizer.stop_grace_period',
      '87 services.visualizer.deploy.placement.constraints[0]',
    ]);
    expect(ignored[1]?.reason).toBe('berth cannot check node.role: it knows node.id, node.hostname, node.labels.KEY, node.platform.os and node.platform.arch');
    expect(byName.db?.placement.constraints).toEqual([]);
  });
});
