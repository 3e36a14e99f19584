// The file as a whole: top-level objects, what is reported as ignored, interpolation across the
// file, YAML anchors and merge keys, extension fields, and what a client must send with it.
import { describe, expect, it } from 'vitest';
import { referencedFiles, referencedVariables } from './references.ts';
import { errorOf, parse, service } from './test-helpers.ts';

describe('top-level networks', () => {
  it('makes bridge and overlay networks alike, with internal, subnet and labels', () => {
    const { stack, ignored } = parse(
      service(
        'image: nginx\nnetworks: [front, back, data]',
        `networks:
  front:
    driver: overlay
    attachable: true
  back:
    driver: bridge
    internal: true
    labels: [com.example.tier=back]
  data:
    ipam:
      driver: default
      config:
        - subnet: 10.30.0.0/24
          gateway: 10.30.0.1
        - subnet: "fd00:30::/64"
`,
      ),
    );
    expect(stack.networks).toEqual([
      { name: 'front', internal: false, external: false, labels: {} },
      { name: 'back', internal: true, external: false, labels: { 'com.example.tier': 'back' } },
      { name: 'data', internal: false, external: false, subnet: '10.30.0.0/24', labels: {} },
    ]);
    expect(ignored).toEqual([
      { path: 'networks.front.attachable', line: 8, reason: 'every berth network is attachable' },
      { path: 'networks.data.ipam.config[0].gateway', line: 18, reason: 'the gateway is the subnet’s first address' },
      { path: 'networks.data.ipam.config[1].subnet', line: 19, reason: 'berth networks are IPv4 only' },
    ]);
  });

  it('takes an external network’s name from name:, external.name, or its key', () => {
    const { stack, ignored } = parse(
      service(
        'image: nginx\nnetworks: [a, b, c]',
        'networks:\n  a:\n    external: true\n  b:\n    external: true\n    name: shared_b\n  c:\n    external:\n      name: legacy_c\n',
      ),
    );
    expect(stack.networks.map((n) => [n.name, n.external])).toEqual([
      ['a', true],
      ['shared_b', true],
      ['legacy_c', true],
    ]);
    expect(stack.services[0]?.networks).toEqual(['a', 'shared_b', 'legacy_c']);
    expect(ignored).toEqual([{ path: 'networks.c.external.name', line: 13, reason: 'external.name is deprecated in compose: write name: at the level of external' }]);
  });

  it('names the stack’s own networks STACK_KEY, whatever name: says, and reports it', () => {
    const { stack, ignored } = parse(service('image: nginx\nnetworks: [front]', 'networks:\n  front:\n    name: my-front\n'));
    expect(stack.networks).toEqual([{ name: 'front', internal: false, external: false, labels: {} }]);
    expect(ignored).toEqual([{ path: 'networks.front.name', line: 7, reason: 'berth names the stack’s network STACK_front; name: is kept only for external ones' }]);
  });
});

describe('top-level volumes', () => {
  it('declares local and external volumes with their labels', () => {
    const { stack } = parse(
      service(
        'image: nginx\nvolumes: [data:/data, backups:/backups]',
        'volumes:\n  data:\n    driver: local\n    labels:\n      com.example.keep: "yes"\n  backups:\n    external: true\n    name: nightly_backups\n',
      ),
    );
    expect(stack.volumes).toEqual([
      { name: 'data', external: false, labels: { 'com.example.keep': 'yes' } },
      { name: 'nightly_backups', external: true, labels: {} },
    ]);
    expect(stack.services[0]?.container.binds).toEqual(['shop_data:/data', 'nightly_backups:/backups']);
  });

  it('reports driver_opts as ignored', () => {
    const { ignored } = parse(service('image: nginx', 'volumes:\n  data:\n    driver_opts:\n      type: tmpfs\n'));
    expect(ignored).toEqual([{ path: 'volumes.data.driver_opts', line: 6, reason: 'berth volumes are local directories on each host' }]);
  });
});

describe('what is reported as ignored', () => {
  it('lists each unsupported key with its path, line and reason, in file order', () => {
    const { ignored } = parse(`version: "3.8"
services:
  web:
    image: nginx
    container_name: my-web
    logging:
      driver: syslog
    links: [db]
    network_mode: host
    ulimits:
      nofile: 1024
    sysctls:
      net.core.somaxconn: 1024
    profiles: [debug]
    devices: [/dev/fuse]
  db:
    image: postgres
`);
    expect(ignored).toEqual([
      { path: 'version', line: 1, reason: 'the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion' },
      { path: 'services.web.container_name', line: 5, reason: 'replicas are named STACK_SERVICE.SLOT.ID' },
      { path: 'services.web.logging', line: 6, reason: 'berth keeps each container’s log itself (conmon, k8s-file format)' },
      { path: 'services.web.links', line: 8, reason: 'services reach each other by name on the stack’s networks' },
      { path: 'services.web.network_mode', line: 9, reason: 'a service joins its stack’s networks' },
      { path: 'services.web.ulimits', line: 10, reason: 'not supported by berth' },
      { path: 'services.web.sysctls', line: 12, reason: 'not supported by berth' },
      { path: 'services.web.profiles', line: 14, reason: 'every service of the file is deployed' },
      { path: 'services.web.devices', line: 15, reason: 'berth does not pass devices to services' },
    ]);
  });

  it('reports a build next to an image: the image is pulled', () => {
    const { stack, ignored } = parse(service('image: registry.example.com/api:1.2\nbuild:\n  context: .\n  dockerfile: Dockerfile.prod'));
    expect(stack.services[0]?.image).toBe('registry.example.com/api:1.2');
    expect(ignored).toEqual([{ path: 'services.web.build', line: 4, reason: 'berth does not build images: registry.example.com/api:1.2 is pulled by each host' }]);
  });

  it('is empty for a file berth carries out whole', () => {
    expect(parse(service('image: nginx\nports: ["80:80"]')).ignored).toEqual([]);
  });
});

describe('interpolation in the file', () => {
  it('replaces variables in values, not in keys', () => {
    const { stack } = parse(service('image: ${REGISTRY}/web:${TAG:-latest}\nlabels:\n  ${KEY}: ${VALUE}'), { env: { REGISTRY: 'registry.example.com', KEY: 'k', VALUE: 'v' } });
    expect(stack.services[0]?.image).toBe('registry.example.com/web:latest');
    expect(stack.services[0]?.container.labels).toEqual({ '${KEY}': 'v' });
  });

  it('warns once per unset variable, as docker compose does, and uses ""', () => {
    const { stack, ignored } = parse(service('image: nginx\nenvironment:\n  A: x${UNSET}y\n  B: ${UNSET}\n  C: ${ALSO_UNSET}'));
    expect(stack.services[0]?.container.env).toEqual(['A=xy', 'B=', 'C=']);
    expect(ignored).toEqual([
      { path: 'services.web.environment.A', line: 5, reason: 'The "UNSET" variable is not set. Defaulting to a blank string.' },
      { path: 'services.web.environment.C', line: 7, reason: 'The "ALSO_UNSET" variable is not set. Defaulting to a blank string.' },
    ]);
  });

  it('types interpolated numbers and booleans from their text', () => {
    const s = parse(service('image: nginx\ntty: ${TTY:-false}\ndeploy:\n  replicas: ${REPLICAS}\n  resources:\n    limits:\n      cpus: ${CPUS}'), {
      env: { REPLICAS: '3', CPUS: '0.5', TTY: 'true' },
    }).stack.services[0]!;
    expect(s.mode).toEqual({ mode: 'replicated', replicas: 3 });
    expect(s.container.cpus).toBe(0.5);
    expect(s.container.tty).toBe(true);
  });

  it('keeps $$ as a literal $ for the container', () => {
    expect(parse(service('image: nginx\ncommand: sh -c "echo $$HOSTNAME"')).stack.services[0]?.container.cmd).toEqual(['sh', '-c', 'echo $HOSTNAME']);
  });

  it('leaves x-* fields alone: no warning, no error for their variables', () => {
    const { ignored } = parse(`x-notes: \${NOT_SET} and \${REQUIRED:?never checked}\n${service('image: nginx\nx-owner: ${ALSO_NOT_SET}')}`);
    expect(ignored).toEqual([]);
  });

  it('still interpolates an x- key that is a label or a variable', () => {
    const s = parse(service('image: nginx\nlabels:\n  x-team: ${TEAM}\nenvironment:\n  x-trace: ${TRACE:-off}'), { env: { TEAM: 'ops' } }).stack.services[0]!;
    expect(s.container.labels).toEqual({ 'x-team': 'ops' });
    expect(s.container.env).toEqual(['x-trace=off']);
  });
});

describe('YAML anchors and merge keys', () => {
  it('shares settings through an anchor in an x-* field and <<', () => {
    const text = `x-common: &common
  image: registry.example.com/app:1.0
  restart: always
  environment:
    LOG_LEVEL: info
services:
  web:
    <<: *common
    command: web
  worker:
    <<: *common
    command: worker
    restart: on-failure
`;
    const { stack, ignored } = parse(text);
    expect(ignored).toEqual([]);
    expect(stack.services.map((s) => [s.name, s.image, s.container.cmd, s.container.restartPolicy.name, s.container.env])).toEqual([
      ['web', 'registry.example.com/app:1.0', ['web'], 'always', ['LOG_LEVEL=info']],
      ['worker', 'registry.example.com/app:1.0', ['worker'], 'on-failure', ['LOG_LEVEL=info']],
    ]);
  });

  it('merges several maps, the first listed winning, the map’s own keys over all', () => {
    const text = `x-a: &a
  image: a
  user: a
  hostname: a
x-b: &b
  image: b
  user: b
  working_dir: /b
services:
  web:
    <<: [*a, *b]
    hostname: own
`;
    const c = parse(text).stack.services[0]!;
    expect([c.image, c.container.user, c.container.hostname, c.container.workingDir]).toEqual(['a', 'a', 'own', '/b']);
  });

  it('reuses lists and scalars through aliases', () => {
    const text = `x-ports: &ports ["80:80", "443:443"]
x-tag: &tag "1.27"
services:
  web:
    image: nginx
    ports: *ports
    labels:
      version: *tag
`;
    const s = parse(text).stack.services[0]!;
    expect(s.container.publish).toEqual(['80:80', '443:443']);
    expect(s.container.labels).toEqual({ version: '1.27' });
  });

  it('reports an error inside a merged map at the anchor’s line, under the service’s path', () => {
    const text = `x-base: &base
  restart: sometimes
services:
  web:
    <<: *base
    image: nginx
`;
    expect(errorOf(text).message).toBe('docker-compose.yml:2:12: services.web.restart: "sometimes" is not a restart policy: use no, always, on-failure[:MAX_RETRIES] or unless-stopped');
  });

  it('refuses a merge of something that is not a mapping', () => {
    expect(errorOf('x-a: &a [1]\nservices:\n  web:\n    <<: *a\n    image: nginx\n').message).toBe('docker-compose.yml:1:10: a merge key (<<) takes a mapping or a list of mappings');
  });
});

describe('referencedFiles and referencedVariables', () => {
  const text = `services:
  web:
    image: nginx:\${TAG:-1}
    env_file:
      - common.env
      - path: ./\${STAGE}.env
        required: false
    environment:
      - FROM_SHELL
      - SET=1
  api:
    image: api
    env_file: common.env
    environment:
      ALSO_FROM_SHELL:
secrets:
  key:
    file: ./secrets/key.pem
  token:
    environment: TOKEN
configs:
  site:
    file: site.conf
  inline:
    content: hello \${NAME}
x-ignored: \${NOT_NEEDED}
`;

  it('lists each file the compose file reads, once, with variables interpolated', () => {
    expect(referencedFiles(text, { env: { STAGE: 'prod' } })).toEqual(['common.env', './prod.env', './secrets/key.pem', 'site.conf']);
  });

  it('lists the variables the file reads', () => {
    expect(referencedVariables(text).sort()).toEqual(['ALSO_FROM_SHELL', 'FROM_SHELL', 'NAME', 'NOT_NEEDED', 'STAGE', 'TAG', 'TOKEN']);
  });

  it('adds the variables its env files read when given them', () => {
    const files: Record<string, string> = { 'common.env': 'URL=https://${HOST}/\nRAW=\'${NOT_THIS}\'\nPASSTHROUGH\n' };
    expect(referencedVariables(text, { readFile: (p) => files[p] }).sort()).toEqual(['ALSO_FROM_SHELL', 'FROM_SHELL', 'HOST', 'NAME', 'NOT_NEEDED', 'PASSTHROUGH', 'STAGE', 'TAG', 'TOKEN']);
  });

  it('throws a ComposeError with the line for a file that is not YAML', () => {
    expect(() => referencedFiles('services:\n  web: [\n')).toThrow(/^docker-compose\.yml:\d+:\d+: /);
  });
});
