// Shared by the package's tests: a parse with defaults, the error a file gives, and the
// fully-defaulted shapes of a container template and a service to compare against.
import type { ContainerTemplate, ServiceSpec } from '@berth/protocol';
import { ComposeError } from './context.ts';
import { parseCompose, type ParseComposeOptions, type ParsedCompose } from './parse-compose.ts';

export function parse(text: string, options: Partial<ParseComposeOptions> = {}): ParsedCompose {
  return parseCompose(text, { stackName: 'shop', ...options });
}

/** The ComposeError the file gives (the test fails if it parses). */
export function errorOf(text: string, options: Partial<ParseComposeOptions> = {}): ComposeError {
  try {
    parse(text, options);
  } catch (err) {
    if (err instanceof ComposeError) return err;
    throw err;
  }
  throw new Error('expected a ComposeError, but the file parsed');
}

/** One service's file, indented under services.web (two spaces per level). */
export function service(body: string, rest = ''): string {
  const lines = body.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return `services:\n  web:\n${lines.map((l) => `    ${l.slice(indent)}`).join('\n')}\n${rest}`;
}

export function container(fields: Partial<ContainerTemplate> = {}): ContainerTemplate {
  return {
    env: [],
    labels: {},
    tty: false,
    openStdin: false,
    readonlyRootfs: false,
    tmpfs: {},
    binds: [],
    capAdd: [],
    capDrop: [],
    privileged: false,
    restartPolicy: { name: 'no', maximumRetryCount: 0 },
    publish: [],
    publishAll: false,
    expose: [],
    dns: [],
    dnsSearch: [],
    dnsOption: [],
    addHost: [],
    ...fields,
  };
}

export function serviceSpec(fields: Partial<ServiceSpec> & Pick<ServiceSpec, 'name' | 'image'>): ServiceSpec {
  return {
    container: container(),
    labels: {},
    mode: { mode: 'replicated', replicas: 1 },
    placement: { constraints: [], preferences: [], strategy: 'spread' },
    reservations: { memoryBytes: 0, cpus: 0 },
    update: { parallelism: 1, delayMs: 0, order: 'stop-first', failureAction: 'rollback', monitorMs: 5000, maxFailureRatio: 0 },
    networks: ['default'],
    secrets: [],
    configs: [],
    dependsOn: [],
    ...fields,
  };
}

export const b64 = (s: string) => Buffer.from(s).toString('base64');
