import { ServiceSpec } from '@berth/protocol/services';
import { describe, expect, it } from 'vitest';
import { checkConstraint, emptyServiceForm, validateServiceForm } from './service-form.ts';

const form = (o: Partial<ReturnType<typeof emptyServiceForm>>) => ({ ...emptyServiceForm(), name: 'web', image: 'registry:5000/busybox:latest', ...o });

describe('validateServiceForm', () => {
  it('builds a spec the API accepts, with every field the form has', () => {
    const r = validateServiceForm(form({ command: `sh -c 'httpd -f -p 80'`, replicas: '3', env: 'A=1\n\nB=x=y', publish: '8080:80\n127.0.0.1::53/udp', constraints: 'node.labels.zone==eu\n node.hostname != h1 ', parallelism: '2', order: 'start-first', failureAction: 'pause', secrets: 'db_password\n', configs: 'app_conf' }));
    expect(r.errors).toEqual({});
    expect(r.spec).toEqual({
      name: 'web', image: 'registry:5000/busybox:latest',
      container: { cmd: ['sh', '-c', 'httpd -f -p 80'], env: ['A=1', 'B=x=y'], publish: ['8080:80', '127.0.0.1::53/udp'] },
      mode: { mode: 'replicated', replicas: 3 },
      placement: { constraints: ['node.labels.zone==eu', 'node.hostname != h1'], preferences: [], strategy: 'spread' },
      update: { parallelism: 2, order: 'start-first', failureAction: 'pause' },
      secrets: [{ source: 'db_password' }],
      configs: [{ source: 'app_conf' }],
    });
    // the protocol's schema (which the API parses with) takes it and fills in the rest
    const parsed = ServiceSpec.parse(r.spec);
    expect(parsed.update).toMatchObject({ parallelism: 2, monitorMs: 5000 });
    expect(parsed.container.restartPolicy.name).toBe('no');
  });

  it('makes a global service without a replica count', () => {
    const r = validateServiceForm(form({ mode: 'global', replicas: 'ignored' }));
    expect(r.errors).toEqual({});
    expect(r.spec?.mode).toEqual({ mode: 'global' });
    expect(r.spec?.container).toEqual({ env: [], publish: [] });
  });

  it('says what is wrong with each field, and builds nothing', () => {
    const r = validateServiceForm({ ...emptyServiceForm(), name: '-web', image: 'a b', command: `sh -c 'x`, replicas: '10001', env: 'NOVALUE', publish: '70000:80', constraints: 'zone=eu', parallelism: '-1', secrets: 'two words' });
    expect(r.spec).toBeNull();
    expect(r.errors).toEqual({
      name: 'a service name is [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 63 characters',
      image: 'an image reference has no blanks',
      command: 'a single quote is not closed',
      replicas: 'a whole number of replicas from 0 to 10000',
      env: '"NOVALUE" is not NAME=value',
      publish: expect.stringMatching(/host port 70000 .* ports go from 1 to 65535/),
      constraints: expect.stringContaining('is not ATTRIBUTE==VALUE'),
      parallelism: 'a whole number; 0 replaces all at once',
      secrets: '"two words" is not a secret name: one name a line',
    });
  });

  it('needs a name and an image, and refuses a host port published twice', () => {
    expect(validateServiceForm(emptyServiceForm()).errors).toMatchObject({ name: 'a service needs a name', image: 'an image is needed, as repository[:tag]' });
    expect(validateServiceForm(form({ publish: '8080:80\n8080:81' })).errors.publish).toBe('host port 8080/tcp is published twice');
    expect(validateServiceForm(form({ replicas: '1.5' })).errors.replicas).toBeDefined();
  });
});

describe('checkConstraint', () => {
  it('takes the attributes berth places by', () => {
    for (const c of ['node.id==abc', 'node.hostname!=h1', 'node.labels.zone == eu', 'node.labels.team/x==a b', 'node.platform.os==linux', 'node.platform.arch==x86_64']) expect(checkConstraint(c)).toBeNull();
  });

  it('refuses other attributes and operators, saying which are known', () => {
    expect(checkConstraint('engine.labels.a==b')).toMatch(/engine.labels is not supported; label the host/);
    expect(checkConstraint('node.role==manager')).toMatch(/the attribute is node.id, node.hostname, node.labels.KEY/);
    expect(checkConstraint('node.labels.zone=eu')).toMatch(/is not ATTRIBUTE==VALUE/);
    expect(checkConstraint('node.labels.zone==')).toMatch(/is not ATTRIBUTE==VALUE/);
  });
});
