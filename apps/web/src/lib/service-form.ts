import { parsePublish, PortSpecError } from '@berth/protocol/ports';
import { SERVICE_NAME, type ServiceSpecInput } from '@berth/protocol/services';
import { splitShellWords } from './shell-words.ts';

/** What the create-service form holds, as the user typed it (`berth service create`'s flags). */
export interface ServiceForm {
  name: string;
  image: string;
  command: string;
  mode: 'replicated' | 'global';
  /** --replicas, replicated mode only */
  replicas: string;
  /** one NAME=value a line; -e */
  env: string;
  /** one [IP:][HOSTPORT:]CONTAINERPORT[/PROTOCOL] a line; -p */
  publish: string;
  /** one ATTRIBUTE==VALUE (or !=) a line; --constraint */
  constraints: string;
  /** --update-parallelism: replicas replaced at once, 0 = all */
  parallelism: string;
  order: 'stop-first' | 'start-first';
  failureAction: 'rollback' | 'pause' | 'continue';
  /** secret names, one a line: each at /run/secrets/NAME; --secret */
  secrets: string;
  /** config names, one a line: each at /NAME; --config */
  configs: string;
}

export const emptyServiceForm = (): ServiceForm => ({
  name: '', image: '', command: '', mode: 'replicated', replicas: '1', env: '', publish: '', constraints: '', parallelism: '1', order: 'stop-first', failureAction: 'rollback', secrets: '', configs: '',
});

export type ServiceFormErrors = Partial<Record<keyof ServiceForm, string>>;

const lines = (text: string): string[] => text.split('\n').map((l) => l.trim()).filter((l) => l !== '');

/**
 * Swarm's constraint expressions as berth takes them (packages/protocol's Placement):
 * `ATTRIBUTE == VALUE` or `ATTRIBUTE != VALUE`. Returns what is wrong, or null.
 */
export function checkConstraint(expr: string): string | null {
  const m = /^([^=!\s]+)\s*(==|!=)\s*(\S.*)$/.exec(expr.trim());
  if (!m) return `"${expr}" is not ATTRIBUTE==VALUE or ATTRIBUTE!=VALUE, e.g. node.labels.zone==eu`;
  const attr = m[1]!;
  const known = ['node.id', 'node.hostname', 'node.platform.os', 'node.platform.arch'];
  if (known.includes(attr) || /^node\.labels\.[^.\s][^\s]*$/.test(attr)) return null;
  if (attr.startsWith('engine.labels.')) return `"${expr}": engine.labels is not supported; label the host and use node.labels.KEY`;
  return `"${expr}": the attribute is node.id, node.hostname, node.labels.KEY, node.platform.os or node.platform.arch, not ${attr}`;
}

/**
 * Checks the form as the user types and builds the spec when it is right; the API checks the
 * spec again (and the admin-only features), so this is for saying early what is wrong.
 */
export function validateServiceForm(f: ServiceForm): { errors: ServiceFormErrors; spec: ServiceSpecInput | null } {
  const errors: ServiceFormErrors = {};
  const name = f.name.trim();
  if (!name) errors.name = 'a service needs a name';
  else if (!SERVICE_NAME.test(name)) errors.name = 'a service name is [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 63 characters';

  const image = f.image.trim();
  if (!image) errors.image = 'an image is needed, as repository[:tag]';
  else if (/\s/.test(image)) errors.image = 'an image reference has no blanks';

  let cmd: string[] | undefined;
  if (f.command.trim()) {
    const r = splitShellWords(f.command);
    if ('error' in r) errors.command = r.error;
    else cmd = r.words;
  }

  let replicas = 0;
  if (f.mode === 'replicated') {
    const text = f.replicas.trim();
    replicas = Number(text);
    if (!/^\d+$/.test(text) || replicas > 10_000) errors.replicas = 'a whole number of replicas from 0 to 10000';
  }

  const env = lines(f.env);
  const badEnv = env.find((e) => !/^[^=\s]+=/.test(e));
  if (badEnv !== undefined) errors.env = `"${badEnv}" is not NAME=value`;

  const publish = lines(f.publish);
  const seen = new Set<string>();
  outer: for (const p of publish) {
    try {
      for (const b of parsePublish(p)) {
        const key = `${b.hostIp}:${b.hostPort}/${b.protocol}`;
        if (b.hostPort !== 0 && seen.has(key)) {
          errors.publish = `host port ${b.hostPort}/${b.protocol} is published twice`;
          break outer;
        }
        seen.add(key);
      }
    } catch (err) {
      if (!(err instanceof PortSpecError)) throw err;
      errors.publish = err.message;
      break;
    }
  }
  const constraints = lines(f.constraints);
  for (const c of constraints) {
    const err = checkConstraint(c);
    if (err) {
      errors.constraints = err;
      break;
    }
  }

  const files = { secrets: lines(f.secrets), configs: lines(f.configs) };
  for (const k of ['secrets', 'configs'] as const) {
    const bad = files[k].find((n) => !SERVICE_NAME.test(n));
    if (bad !== undefined) errors[k] = `"${bad}" is not a ${k.slice(0, -1)} name: one name a line`;
  }

  const parallelism = Number(f.parallelism.trim());
  if (!/^\d+$/.test(f.parallelism.trim())) errors.parallelism = 'a whole number; 0 replaces all at once';

  if (Object.keys(errors).length > 0) return { errors, spec: null };
  return {
    errors,
    spec: {
      name,
      image,
      container: { ...(cmd && cmd.length ? { cmd } : {}), env, publish },
      mode: f.mode === 'global' ? { mode: 'global' } : { mode: 'replicated', replicas },
      placement: { constraints, preferences: [], strategy: 'spread' },
      update: { parallelism, order: f.order, failureAction: f.failureAction },
      secrets: files.secrets.map((source) => ({ source })),
      configs: files.configs.map((source) => ({ source })),
    },
  };
}
