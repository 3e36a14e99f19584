// What a user sees for a file berth cannot deploy: each problem with its line, column and key
// path, and what to write instead.
import { describe, expect, it } from 'vitest';
import { ComposeError } from './context.ts';
import { parseCompose } from './parse-compose.ts';
import { errorOf, service } from './test-helpers.ts';

/** The error message of a file made of `lines`. */
const message = (lines: string[], options: Parameters<typeof errorOf>[1] = {}) => errorOf(lines.join('\n') + '\n', options).message;

describe('errors name the file, line, column and key', () => {
  it('a port mapping that is not one', () => {
    expect(message(['services:', '  web:', '    image: nginx', '    ports:', '      - "8080:80"', '      - "80:80:80"'])).toBe(
      'docker-compose.yml:6:9: services.web.ports[1]: "80:80:80" is not a port mapping ([HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]): invalid host address "80" in "80:80:80": give an IPv4 address such as 127.0.0.1',
    );
    expect(message(['services:', '  web:', '    image: nginx', '    ports:', '      - target: 80', '        published: 70000'])).toBe(
      'docker-compose.yml:5:9: services.web.ports[0]: "70000:80" is not a port mapping ([HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]): invalid host port 70000 in "70000:80": ports go from 1 to 65535',
    );
  });

  it('the name given in messages is the file’s', () => {
    expect(message(['services:', '  web:', '    image: nginx', '    expose: [http]'], { fileName: 'stack.yml' })).toMatch(/^stack\.yml:4:14: services\.web\.expose\[0\]: "http" is not a port to expose/);
  });

  it('a key compose does not know, with the nearest one it does', () => {
    expect(message(['services:', '  web:', '    image: nginx', '    enviroment:', '      A: 1'])).toBe(
      'docker-compose.yml:4:5: services.web.enviroment: "enviroment" is not a key of a service in the Compose Specification (did you mean "environment"?)',
    );
    expect(message(['servces:', '  web:', '    image: nginx'])).toBe(
      'docker-compose.yml:1:1: servces: "servces" is not a key of a compose file in the Compose Specification (did you mean "services"?)',
    );
    expect(message(['services:', '  web:', '    image: nginx', '    deploy:', '      replicas: 2', '      resources:', '        limits:', '          memroy: 1g'])).toBe(
      'docker-compose.yml:8:11: services.web.deploy.resources.limits.memroy: "memroy" is not a key of limits in the Compose Specification (did you mean "memory"?)',
    );
  });

  it('a service that only builds, or has no image', () => {
    expect(message(['services:', '  api:', '    build: .'])).toBe(
      'docker-compose.yml:3:5: services.api.build: berth does not build images: build the image, push it to a registry, and name it in image:',
    );
    expect(message(['services:', '  api:', '    command: serve'])).toBe('docker-compose.yml:2:3: services.api: the service has no image: add image: NAME[:TAG]');
  });

  it('a named volume that is not declared', () => {
    expect(message(['services:', '  db:', '    image: postgres', '    volumes:', '      - pgdata:/var/lib/postgresql/data'])).toBe(
      'docker-compose.yml:5:9: services.db.volumes[0]: named volume "pgdata" is not declared in the top-level volumes: declare it there (a host path starts with / or .)',
    );
  });

  it('a network, secret or config that is not declared', () => {
    expect(message(['services:', '  web:', '    image: nginx', '    networks: [front]'])).toBe(
      'docker-compose.yml:4:16: services.web.networks[0]: service "web" refers to undefined network front: declare it in the top-level networks',
    );
    expect(message(['services:', '  web:', '    image: nginx', '    secrets:', '      - source: tls_key'])).toBe(
      'docker-compose.yml:5:9: services.web.secrets[0]: service refers to undefined secret tls_key: declare it in the top-level secrets',
    );
    expect(message(['services:', '  web:', '    image: nginx', '    configs: [site]'])).toBe(
      'docker-compose.yml:4:15: services.web.configs[0]: service refers to undefined config site: declare it in the top-level configs',
    );
  });

  it('depends_on a service that does not exist, itself, or in a cycle', () => {
    expect(message(['services:', '  web:', '    image: nginx', '    depends_on: [api]'])).toBe(
      'docker-compose.yml:4:18: services.web.depends_on[0]: service "web" depends on undefined service "api"',
    );
    expect(message(['services:', '  web:', '    image: nginx', '    depends_on: [web]'])).toBe('docker-compose.yml:4:18: services.web.depends_on[0]: service "web" depends on itself');
    expect(
      message(['services:', '  web:', '    image: nginx', '    depends_on: [api]', '  api:', '    image: api', '    depends_on:', '      db:', '        condition: service_healthy', '  db:', '    image: postgres', '    depends_on: [web]']),
    ).toBe('docker-compose.yml:12:18: services.db.depends_on[0]: dependency cycle: web → api → db → web; remove one of these depends_on');
  });

  it('a secret whose file or variable is missing', () => {
    const lines = ['services:', '  web:', '    image: nginx', 'secrets:', '  tls_key:', '    file: ./certs/key.pem', '  token:', '    environment: API_TOKEN'];
    expect(message(lines)).toBe(
      [
        'docker-compose.yml:6:11: secrets.tls_key.file: the file "./certs/key.pem" was not found (a relative path is relative to the compose file’s directory)',
        'docker-compose.yml:8:18: secrets.token.environment: the environment variable API_TOKEN is not set',
      ].join('\n'),
    );
    expect(message(['services:', '  web:', '    image: nginx', 'secrets:', '  tls_key: {}'])).toBe('docker-compose.yml:5:3: secrets.tls_key: a secret needs one of file, environment or external');
  });

  it('an env file that is missing or has a bad line', () => {
    expect(message(['services:', '  web:', '    image: nginx', '    env_file: .env'])).toBe(
      'docker-compose.yml:4:15: services.web.env_file: the env file ".env" was not found (a relative path is relative to the compose file’s directory)',
    );
    expect(message(['services:', '  web:', '    image: nginx', '    env_file: [ok.env, bad.env]'], { readFile: (p) => (p === 'ok.env' ? 'A=1' : 'A=1\nB C=2\n') })).toBe(
      'docker-compose.yml:4:24: services.web.env_file[1]: bad.env line 2: "B C" is not a variable name: write KEY=VALUE',
    );
  });

  it('values of the wrong kind', () => {
    expect(message(['services:', '  web:', '    image: nginx', '    healthcheck:', '      interval: 30'])).toBe(
      'docker-compose.yml:5:17: services.web.healthcheck.interval: "30" is not a duration: write it as 10s, 1m30s or 500ms',
    );
    expect(message(['services:', '  web:', '    image: nginx', '    restart: sometimes'])).toBe(
      'docker-compose.yml:4:14: services.web.restart: "sometimes" is not a restart policy: use no, always, on-failure[:MAX_RETRIES] or unless-stopped',
    );
    expect(message(['services:', '  web:', '    image: nginx', '    deploy:', '      replicas: two'])).toBe('docker-compose.yml:5:17: services.web.deploy.replicas: must be a whole number, not "two"');
    expect(message(['services:', '  web:', '    image: nginx', '    mem_limit: lots'])).toBe('docker-compose.yml:4:16: services.web.mem_limit: must be a size such as 512m or 1g');
    expect(message(['services:', '  web:', '    image: nginx', '    tty: maybe'])).toBe('docker-compose.yml:4:10: services.web.tty: must be true or false, not "maybe"');
    expect(message(['services:', '  web:', '    image: nginx', '    ports: 80'])).toBe('docker-compose.yml:4:12: services.web.ports: must be a list, not 80');
    expect(message(['services:', '  web:', '    image: [nginx]'])).toBe('docker-compose.yml:3:12: services.web.image: must be a string, not a list');
    expect(message(['services:', '  web:', '    image: nginx', '    healthcheck:', '      test: [curl, -f, localhost]'])).toBe(
      'docker-compose.yml:5:13: services.web.healthcheck.test: a test list starts with CMD (then the command and its arguments), CMD-SHELL (then one shell command) or NONE',
    );
    expect(message(['services:', '  web:', '    image: nginx', '    command: echo "unfinished'])).toBe(
      'docker-compose.yml:4:14: services.web.command: "echo \\"unfinished" has an unclosed double quote: close the quote, or write the command as a list',
    );
  });

  it('deploy settings that contradict each other or berth', () => {
    expect(message(['services:', '  web:', '    image: nginx', '    deploy:', '      mode: global', '      replicas: 2'])).toBe(
      'docker-compose.yml:6:7: services.web.deploy.replicas: replicas can only be used with replicated mode',
    );
    expect(message(['services:', '  web:', '    image: nginx', '    deploy:', '      mode: replicated-job'])).toBe(
      'docker-compose.yml:5:7: services.web.deploy.mode: "replicated-job" is not supported: use replicated or global (berth has no jobs)',
    );
    expect(message(['services:', '  web:', '    image: nginx', '    scale: 2', '    deploy:', '      replicas: 3'])).toBe(
      'docker-compose.yml:6:7: services.web.deploy.replicas: deploy.replicas (3) and scale (2) differ: keep one of them',
    );
    expect(message(['services:', '  web:', '    image: nginx', '    deploy:', '      placement:', '        constraints: [zone=east]'])).toBe(
      'docker-compose.yml:6:23: services.web.deploy.placement.constraints[0]: "zone=east" is not a constraint: write ATTRIBUTE == VALUE or ATTRIBUTE != VALUE, e.g. node.labels.zone == east',
    );
  });

  it('network and volume drivers berth does not have', () => {
    expect(message(['services:', '  web:', '    image: nginx', 'networks:', '  lan:', '    driver: macvlan'])).toBe(
      'docker-compose.yml:6:13: networks.lan.driver: the "macvlan" driver is not supported: berth makes bridge networks on each host (bridge and overlay both become one)',
    );
    expect(message(['services:', '  web:', '    image: nginx', 'volumes:', '  shared:', '    driver: nfs'])).toBe(
      'docker-compose.yml:6:13: volumes.shared.driver: the "nfs" volume driver is not supported: berth volumes are local',
    );
    expect(message(['services:', '  web:', '    image: nginx', 'networks:', '  proxy:', '    external: true', '    driver: overlay'])).toBe(
      'docker-compose.yml:7:5: networks.proxy.driver: conflicting parameters "external" and "driver": an external object is used as it is',
    );
    expect(message(['services:', '  web:', '    image: nginx', 'networks:', '  lan:', '    ipam:', '      config:', '        - subnet: 10.1.0.0/33'])).toBe(
      'docker-compose.yml:8:19: networks.lan.ipam.config[0].subnet: "10.1.0.0/33" is not an IPv4 subnet such as 10.20.0.0/24',
    );
  });

  it('keys berth refuses because ignoring them would deploy something else', () => {
    expect(message(['include:', '  - other.yml', 'services:', '  web:', '    image: nginx'])).toBe(
      'docker-compose.yml:1:1: include: include is not supported by berth: merge the included files into this one',
    );
    expect(message(['services:', '  web:', '    extends: base', '    image: nginx'])).toBe(
      'docker-compose.yml:3:5: services.web.extends: extends is not supported by berth: write the service out in full (YAML anchors and <<: merge keys work)',
    );
  });

  it('interpolation that fails', () => {
    expect(message(['services:', '  web:', '    image: nginx:${TAG:?set TAG to the release}'])).toBe(
      'docker-compose.yml:3:12: services.web.image: required variable TAG is missing a value: set TAG to the release',
    );
    expect(message(['services:', '  web:', '    image: nginx', '    environment:', '      PATTERN: ${NAME/a/b}'])).toBe(
      'docker-compose.yml:5:16: services.web.environment.PATTERN: invalid interpolation format "${NAME/a/b}": "${NAME/a/b}" is not supported (use ${VAR}, ${VAR:-default}, ${VAR:?error} or ${VAR:+alt}). You may need to escape any $ with another $',
    );
  });

  it('names that berth cannot give', () => {
    expect(message(['services:', '  _web:', '    image: nginx'])).toBe(
      'docker-compose.yml:2:3: services._web: "_web" is not a valid service name: use [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 63 characters',
    );
    expect(errorOf('services:\n  web:\n    image: nginx\n', { stackName: 'my stack' }).message).toBe(
      'docker-compose.yml: "my stack" is not a valid stack name: use [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 63 characters',
    );
  });

  it('a field the spec refuses is placed at the key it came from', () => {
    expect(message(['services:', '  web:', '    image: nginx', `    hostname: ${'h'.repeat(64)}`])).toBe(
      'docker-compose.yml:4:5: services.web.hostname: container.hostname: Too big: expected string to have <=63 characters',
    );
    expect(message(['services:', '  web:', '    image: nginx', '    deploy:', '      replicas: 20000'])).toBe(
      'docker-compose.yml:5:7: services.web.deploy.replicas: mode.replicas: Too big: expected number to be <=10000',
    );
    expect(message(['services:', '  web:', '    image: nginx', '    dns: [8.8.8.8, "2001:4860::8888"]'])).toBe(
      'docker-compose.yml:4:5: services.web.dns: container.dns.1: --dns takes an IPv4 address',
    );
  });

  it('two mounts at one path', () => {
    expect(message(['services:', '  web:', '    image: nginx', '    volumes: [/srv/a:/data, /srv/b:/data/]'])).toBe(
      'docker-compose.yml:4:29: services.web.volumes[1]: /data is already mounted by another entry: one mount per path in the container',
    );
    expect(message(['services:', '  web:', '    image: nginx', '    volumes:', '      - type: tmpfs', '        target: /run', '    tmpfs: /run'])).toBe(
      'docker-compose.yml:7:12: services.web.tmpfs: /run is already mounted by another entry: one mount per path in the container',
    );
  });

  it('a relative bind with no directory to resolve it against', () => {
    expect(message(['services:', '  web:', '    image: nginx', '    volumes: [./html:/usr/share/nginx/html]'])).toBe(
      'docker-compose.yml:4:15: services.web.volumes[0]: "./html" is relative, but the compose file’s directory is not known: write an absolute host path',
    );
  });

  it('a file that is not YAML, or not a mapping', () => {
    expect(message(['services:', '  web:', '    image: nginx', '   ports: [80'])).toMatch(/^docker-compose\.yml:4:\d+: /);
    expect(message(['services:', '  web:', '    image: nginx', '    image: httpd'])).toBe('docker-compose.yml:4:5: Map keys must be unique');
    expect(message(['- web'])).toBe('docker-compose.yml:1:1: a compose file is a mapping with services: at the top');
    expect(errorOf('').message).toBe('docker-compose.yml:1:1: services: the file declares no services');
  });

  it('a document whose aliases expand without end ("billion laughs")', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(10).fill(`*${'abcdefghi'[i - 1]}`).join(', ')}]`);
    expect(message([...levels.map((l) => `x-${l}`), 'services:', '  web:', '    image: nginx'])).toMatch(/^docker-compose\.yml:\d+:\d+: the document expands to more than 100000 values once its aliases are expanded$/);
  });

  it('collects several errors, in the order of the file', () => {
    const err = errorOf(['services:', '  web:', '    image: nginx', '    ports: ["99999"]', '    restart: sometimes', '  api:', '    build: .', 'volumes:', '  data:', '    driver: nfs'].join('\n'));
    expect(err).toBeInstanceOf(ComposeError);
    expect(err.issues.map((i) => `${i.line} ${i.path}`)).toEqual(['4 services.web.ports[0]', '5 services.web.restart', '7 services.api.build', '10 volumes.data.driver']);
    expect(err.message.split('\n')).toHaveLength(4);
  });

  it('names what it refuses even when the file has nothing else wrong (external volume + driver)', () => {
    expect(() => parseCompose(service('image: nginx', 'volumes:\n  v:\n    external: true\n    driver: local\n'), { stackName: 's' })).toThrow(
      'docker-compose.yml:7:5: volumes.v.driver: conflicting parameters "external" and "driver": an external object is used as it is',
    );
  });
});
