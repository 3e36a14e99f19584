// Placement constraints as Docker Swarm writes them (`node.labels.zone == eu`), parsed once per
// service and evaluated against every host. The semantics follow swarmkit's
// manager/constraint/constraint.go:
// - attribute names are case-insensitive, label keys exact (case-sensitive);
// - values are compared case-insensitively (swarmkit's strings.EqualFold), in full, no globbing;
// - an attribute the host does not have (a missing label, no facts yet) compares as "", so
//   `node.labels.zone != eu` holds on a host without a zone label and `== eu` does not;
// - keys and values are limited to the characters swarmkit accepts, so a stack that Swarm takes
//   is taken here and the other way round.
// berth additions, because its hosts report other names than Docker's nodes do:
// - node.platform.arch compares OCI names: x86_64 and amd64 are equal, aarch64 and arm64 (and the
//   other uname spellings the agent maps), since Docker nodes report `uname -m` (x86_64) and
//   berth's agents report OCI names (amd64), and Swarm's docs write both;
// - node.platform.os is "linux" for every host that reported facts: the agent reports its
//   os-release name ("Debian GNU/Linux 12 (bookworm)") and runs only on Linux.
// engine.labels.* and node.role are Swarm attributes berth has nothing for: refused with a hint.
import { AppError } from '../errors.ts';

export type ConstraintAttribute = 'node.id' | 'node.hostname' | 'node.labels' | 'node.platform.os' | 'node.platform.arch';

export interface Constraint {
  /** as written (trimmed): what explanations quote */
  text: string;
  attribute: ConstraintAttribute;
  /** node.labels only: the label key, exact */
  label?: string;
  operator: '==' | '!=';
  /** as written */
  value: string;
  /** what a host's attribute is compared with: lower case, architectures as OCI names */
  match: string;
}

/** The parts of a host that constraints read. */
export interface ConstraintTarget {
  id: string;
  /** berth's host name: what node.hostname compares */
  name: string;
  labels: Record<string, string>;
  facts: { os: string; architecture: string } | null;
}

export const KNOWN_ATTRIBUTES = ['node.id', 'node.hostname', 'node.labels.KEY', 'node.platform.os', 'node.platform.arch'] as const;

// swarmkit's own patterns for the key and the value
const KEY = /^[a-z_][a-z0-9\-_.]+$/i;
const VALUE = /^[a-z0-9:\-_\s.*()?+[\]\\^$|/]+$/i;
const LABELS = 'node.labels.';

// uname -m spellings → OCI names, as the agent maps them (packages/runtime sys/host-facts.ts)
const ARCH: Record<string, string> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  i386: '386',
  i686: '386',
  aarch64: 'arm64',
  armv7l: 'arm',
  armv6l: 'arm',
  loongarch64: 'loong64',
};
const GOOS = new Set(['linux', 'windows', 'darwin', 'freebsd', 'netbsd', 'openbsd', 'solaris', 'illumos', 'aix', 'plan9']);

/** An architecture as an OCI name, lower case: x86_64 → amd64, aarch64 → arm64. */
export function normalizeArchitecture(arch: string): string {
  const a = arch.trim().toLowerCase();
  return ARCH[a] ?? a;
}

/** node.platform.os of a host: a GOOS name as is; an os-release name (only Linux has those) → linux. */
export function platformOs(os: string): string {
  const o = os.trim().toLowerCase();
  if (o === '' || GOOS.has(o)) return o;
  return 'linux';
}

function invalid(text: string, why: string): AppError {
  return new AppError('INVALID', `placement constraint "${text}": ${why}`, { constraint: text });
}

/**
 * One constraint string → its structured form. Throws AppError INVALID saying what is wrong and
 * how to write it instead.
 */
export function parseConstraint(raw: string): Constraint {
  const text = raw.trim();
  const eq = text.indexOf('==');
  const ne = text.indexOf('!=');
  const at = eq < 0 ? ne : ne < 0 ? eq : Math.min(eq, ne);
  if (at < 0) {
    const single = /\s*(<=|>=|=|<|>|~)\s*/.exec(text);
    if (single) {
      const left = text.slice(0, single.index);
      const right = text.slice(single.index + single[0].length);
      throw invalid(text, `use == or != between the attribute and the value (${single[1]} is not an operator), e.g. ${left || 'node.labels.zone'} == ${right || 'eu'}`);
    }
    throw invalid(text, 'expected ATTRIBUTE == VALUE or ATTRIBUTE != VALUE, e.g. node.labels.zone == eu');
  }
  const operator = text.slice(at, at + 2) as '==' | '!=';
  const key = text.slice(0, at).trim();
  const value = text.slice(at + 2).trim();
  if (!key) throw invalid(text, `the attribute is missing before ${operator}; known attributes: ${KNOWN_ATTRIBUTES.join(', ')}`);
  if (!value) throw invalid(text, `the value is missing after ${operator}`);
  if (!KEY.test(key)) throw invalid(text, `"${key}" is not an attribute name; known attributes: ${KNOWN_ATTRIBUTES.join(', ')}`);
  if (!VALUE.test(value)) throw invalid(text, `the value "${value}" has characters a constraint may not hold: use letters, digits, spaces and : - _ . * ( ) ? + [ ] \\ ^ $ | /`);

  const lower = key.toLowerCase();
  let attribute: ConstraintAttribute;
  let label: string | undefined;
  if (lower === 'node.id' || lower === 'node.hostname' || lower === 'node.platform.os' || lower === 'node.platform.arch') {
    attribute = lower;
  } else if (lower.startsWith(LABELS) || lower === 'node.labels') {
    label = key.slice(LABELS.length);
    if (!label) throw invalid(text, 'the label key is missing: write node.labels.KEY, e.g. node.labels.zone == eu');
    attribute = 'node.labels';
  } else if (lower.startsWith('engine.labels')) {
    throw invalid(text, 'engine.labels are not supported (berth hosts have no engine labels): set a host label and use node.labels.KEY');
  } else if (lower === 'node.role') {
    throw invalid(text, 'node.role is not supported: berth hosts have no manager or worker role; set a host label and use node.labels.KEY');
  } else {
    throw invalid(text, `unknown attribute ${key}; known attributes: ${KNOWN_ATTRIBUTES.join(', ')}`);
  }
  const match = attribute === 'node.platform.arch' ? normalizeArchitecture(value) : value.toLowerCase();
  return { text: `${key} ${operator} ${value}`, attribute, ...(label !== undefined ? { label } : {}), operator, value, match };
}

/** Every constraint of a service, or the first one that does not parse, as an AppError. */
export function parseConstraints(list: readonly string[]): Constraint[] {
  return list.map(parseConstraint);
}

/** The host's value of the constraint's attribute, in the form compared ("" when it has none). */
function actual(c: Constraint, host: ConstraintTarget): string {
  switch (c.attribute) {
    case 'node.id':
      return host.id.toLowerCase();
    case 'node.hostname':
      return host.name.toLowerCase();
    case 'node.labels':
      return (host.labels[c.label!] ?? '').toLowerCase();
    case 'node.platform.os':
      return host.facts ? platformOs(host.facts.os) : '';
    case 'node.platform.arch':
      return host.facts ? normalizeArchitecture(host.facts.architecture) : '';
  }
}

export function constraintHolds(c: Constraint, host: ConstraintTarget): boolean {
  return (actual(c, host) === c.match) === (c.operator === '==');
}

/** What the host has instead, for an explanation: "zone=us", "no label zone", "arch=amd64". */
export function describeAttribute(c: Constraint, host: ConstraintTarget): string {
  switch (c.attribute) {
    case 'node.id':
      return `id=${host.id}`;
    case 'node.hostname':
      return `hostname=${host.name}`;
    case 'node.labels': {
      const v = host.labels[c.label!];
      return v === undefined ? `no label ${c.label}` : `${c.label}=${v}`;
    }
    case 'node.platform.os':
      return host.facts ? `os=${platformOs(host.facts.os)}` : 'os unknown: no facts reported yet';
    case 'node.platform.arch':
      return host.facts ? `arch=${normalizeArchitecture(host.facts.architecture)}` : 'arch unknown: no facts reported yet';
  }
}

/** The constraints the host does not satisfy, each as "constraint X not met (what it has)". */
export function unmetConstraints(constraints: readonly Constraint[], host: ConstraintTarget): string[] {
  const out: string[] = [];
  for (const c of constraints) {
    if (!constraintHolds(c, host)) out.push(`constraint ${c.text} not met (${describeAttribute(c, host)})`);
  }
  return out;
}

/**
 * A placement preference `spread: node.labels.KEY` → the label key. Swarm spreads only over
 * labels; berth hosts have node labels only.
 */
export function parseSpreadPreference(raw: string): string {
  const text = raw.trim();
  const fail = (why: string) => new AppError('INVALID', `placement preference spread "${text}": ${why}`, { preference: text });
  if (!text.toLowerCase().startsWith(LABELS)) {
    throw fail(text.toLowerCase().startsWith('engine.labels') ? 'engine.labels are not supported (berth hosts have no engine labels): spread over node.labels.KEY' : 'replicas spread over a host label: write node.labels.KEY, e.g. node.labels.zone');
  }
  const label = text.slice(LABELS.length);
  if (!label || !KEY.test(text)) throw fail('the label key is missing or not a label name: write node.labels.KEY, e.g. node.labels.zone');
  return label;
}
