import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { constraintHolds, parseConstraint, parseConstraints, parseSpreadPreference, type ConstraintTarget } from './constraints.ts';

const host = (over: Partial<ConstraintTarget> = {}): ConstraintTarget => ({
  id: 'hst_0001',
  name: 'h1',
  labels: { zone: 'eu', Disk: 'SSD' },
  facts: { os: 'Debian GNU/Linux 12 (bookworm)', architecture: 'amd64' },
  ...over,
});

const holds = (expr: string, target: ConstraintTarget = host()) => constraintHolds(parseConstraint(expr), target);

/** The AppError a bad constraint throws. */
function refusal(f: () => unknown): AppError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('INVALID');
    return e as AppError;
  }
  throw new Error('expected an INVALID AppError');
}

describe('parsing placement constraints', () => {
  it('reads each attribute with either operator, spaces or none', () => {
    expect(parseConstraint('node.labels.zone == eu')).toMatchObject({ attribute: 'node.labels', label: 'zone', operator: '==', value: 'eu', text: 'node.labels.zone == eu' });
    expect(parseConstraint('node.platform.arch!=x86_64')).toMatchObject({ attribute: 'node.platform.arch', operator: '!=', value: 'x86_64', match: 'amd64', text: 'node.platform.arch != x86_64' });
    expect(parseConstraint('  node.hostname ==h1 ')).toMatchObject({ attribute: 'node.hostname', operator: '==', value: 'h1' });
    expect(parseConstraint('node.id == hst_0001')).toMatchObject({ attribute: 'node.id', value: 'hst_0001' });
    expect(parseConstraint('node.platform.os == linux')).toMatchObject({ attribute: 'node.platform.os', value: 'linux' });
    // attribute names are case-insensitive, label keys are kept as written
    expect(parseConstraint('Node.Labels.Disk == ssd')).toMatchObject({ attribute: 'node.labels', label: 'Disk' });
    expect(parseConstraint('NODE.HOSTNAME == h1').attribute).toBe('node.hostname');
  });

  it('says to use == or != for a single = (or another operator)', () => {
    expect(refusal(() => parseConstraint('node.labels.zone = eu')).message).toBe('placement constraint "node.labels.zone = eu": use == or != between the attribute and the value (= is not an operator), e.g. node.labels.zone == eu');
    expect(refusal(() => parseConstraint('node.labels.size >= 3')).message).toContain('use == or != between the attribute and the value (>= is not an operator)');
    expect(refusal(() => parseConstraint('node.labels.zone eu')).message).toBe('placement constraint "node.labels.zone eu": expected ATTRIBUTE == VALUE or ATTRIBUTE != VALUE, e.g. node.labels.zone == eu');
  });

  it('names an unknown attribute and lists the known ones', () => {
    const e = refusal(() => parseConstraint('node.foo == x'));
    expect(e.message).toBe('placement constraint "node.foo == x": unknown attribute node.foo; known attributes: node.id, node.hostname, node.labels.KEY, node.platform.os, node.platform.arch');
    expect(e.details).toEqual({ constraint: 'node.foo == x' });
    expect(refusal(() => parseConstraint('node.ip == 10.0.0.1')).message).toContain('unknown attribute node.ip');
  });

  it('refuses Swarm attributes berth has nothing for, saying what to use instead', () => {
    expect(refusal(() => parseConstraint('engine.labels.os == ubuntu')).message).toContain('engine.labels are not supported (berth hosts have no engine labels): set a host label and use node.labels.KEY');
    expect(refusal(() => parseConstraint('node.role == manager')).message).toContain('node.role is not supported');
  });

  it('refuses a missing attribute, value or label key, and characters Swarm refuses', () => {
    expect(refusal(() => parseConstraint('== eu')).message).toContain('the attribute is missing before ==');
    expect(refusal(() => parseConstraint('node.labels.zone ==')).message).toContain('the value is missing after ==');
    expect(refusal(() => parseConstraint('node.labels. == eu')).message).toContain('the label key is missing: write node.labels.KEY');
    expect(refusal(() => parseConstraint('node.labels == eu')).message).toContain('the label key is missing');
    expect(refusal(() => parseConstraint('node.labels.zone == eu == us')).message).toContain('the value "eu == us" has characters a constraint may not hold');
    expect(refusal(() => parseConstraint('node labels == eu')).message).toContain('"node labels" is not an attribute name');
  });

  it('stops at the first bad constraint of a list, naming it', () => {
    expect(parseConstraints(['node.labels.zone == eu', 'node.platform.os == linux'])).toHaveLength(2);
    expect(refusal(() => parseConstraints(['node.labels.zone == eu', 'node.nope != 1'])).message).toContain('"node.nope != 1"');
  });
});

describe('evaluating constraints against a host', () => {
  it('node.id and node.hostname compare the host’s id and berth name', () => {
    expect(holds('node.id == hst_0001')).toBe(true);
    expect(holds('node.id != hst_0001')).toBe(false);
    expect(holds('node.hostname == h1')).toBe(true);
    expect(holds('node.hostname == h2')).toBe(false);
    expect(holds('node.hostname != h2')).toBe(true);
  });

  it('labels: exact key, value compared in full and case-insensitively as Swarm does; a missing label is ""', () => {
    expect(holds('node.labels.zone == eu')).toBe(true);
    expect(holds('node.labels.zone == EU')).toBe(true);
    expect(holds('node.labels.zone == e')).toBe(false);
    expect(holds('node.labels.zone != us')).toBe(true);
    expect(holds('node.labels.Disk == ssd')).toBe(true);
    // the key is exact: disk is not Disk
    expect(holds('node.labels.disk == ssd')).toBe(false);
    expect(holds('node.labels.disk != ssd')).toBe(true);
    expect(holds('node.labels.rack == r1', host({ labels: {} }))).toBe(false);
    expect(holds('node.labels.rack != r1', host({ labels: {} }))).toBe(true);
  });

  it('node.platform.os is linux for a host reporting its os-release name', () => {
    expect(holds('node.platform.os == linux')).toBe(true);
    expect(holds('node.platform.os == Linux')).toBe(true);
    expect(holds('node.platform.os != windows')).toBe(true);
    expect(holds('node.platform.os == windows')).toBe(false);
    expect(holds('node.platform.os == linux', host({ facts: { os: 'linux', architecture: 'amd64' } }))).toBe(true);
  });

  it('node.platform.arch treats x86_64/amd64 and aarch64/arm64 as the same', () => {
    const arm = host({ facts: { os: 'Ubuntu 24.04 LTS', architecture: 'arm64' } });
    expect(holds('node.platform.arch == amd64')).toBe(true);
    expect(holds('node.platform.arch == x86_64')).toBe(true);
    expect(holds('node.platform.arch == X86_64')).toBe(true);
    expect(holds('node.platform.arch != x86_64')).toBe(false);
    expect(holds('node.platform.arch == arm64')).toBe(false);
    expect(holds('node.platform.arch == aarch64', arm)).toBe(true);
    expect(holds('node.platform.arch == arm64', arm)).toBe(true);
    expect(holds('node.platform.arch != aarch64', arm)).toBe(false);
    expect(holds('node.platform.arch == amd64', host({ facts: { os: 'Debian', architecture: 'x86_64' } }))).toBe(true);
  });

  it('a host without facts has no platform: == fails and != holds, as Swarm treats a missing attribute', () => {
    const unknown = host({ facts: null });
    expect(holds('node.platform.arch == amd64', unknown)).toBe(false);
    expect(holds('node.platform.arch != amd64', unknown)).toBe(true);
    expect(holds('node.platform.os == linux', unknown)).toBe(false);
  });
});

describe('spread preferences', () => {
  it('take a node label and refuse anything else', () => {
    expect(parseSpreadPreference('node.labels.zone')).toBe('zone');
    expect(parseSpreadPreference('node.labels.Rack')).toBe('Rack');
    expect(refusal(() => parseSpreadPreference('node.platform.arch')).message).toBe('placement preference spread "node.platform.arch": replicas spread over a host label: write node.labels.KEY, e.g. node.labels.zone');
    expect(refusal(() => parseSpreadPreference('engine.labels.x')).message).toContain('engine.labels are not supported');
    expect(refusal(() => parseSpreadPreference('node.labels.')).message).toContain('the label key is missing');
  });
});
