import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** ~/.config/berth/config.json: where the CLI finds the control plane and its API token. */
export interface CliConfig {
  url: string;
  token: string;
  /** the control plane's certificate (`berth up` with TLS makes a self-signed one) */
  caFile?: string;
}

export async function readConfig(file: string): Promise<CliConfig | null> {
  try {
    const c = JSON.parse(await readFile(file, 'utf8')) as Partial<CliConfig>;
    return typeof c.url === 'string' && typeof c.token === 'string' ? { url: c.url, token: c.token, ...(typeof c.caFile === 'string' ? { caFile: c.caFile } : {}) } : null;
  } catch {
    return null;
  }
}

export async function writeConfig(file: string, config: CliConfig): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  await chmod(file, 0o600); // the file may have existed with wider rights
}
