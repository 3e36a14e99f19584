// The docker-registry (distribution 2.x) configuration file, rendered as YAML.

export interface RegistryConfigOptions {
  storageDir: string;
  addr: string;
  /** Path of a bcrypt htpasswd file; turns on Basic auth. */
  htpasswdPath?: string;
}

/** Values are JSON-quoted: JSON strings are valid YAML flow scalars, so paths need no escaping. */
export function registryConfigYaml(opts: RegistryConfigOptions): string {
  const q = (value: string): string => JSON.stringify(value);
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${q(opts.storageDir)}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${q(opts.addr)}`,
  ];
  if (opts.htpasswdPath) {
    lines.push('auth:', '  htpasswd:', '    realm: "berth-test-registry"', `    path: ${q(opts.htpasswdPath)}`);
  }
  return `${lines.join('\n')}\n`;
}
