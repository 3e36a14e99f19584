// docker-registry's htpasswd auth accepts bcrypt entries only; apache2-utils' htpasswd makes them.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** One `user:$2y$...` line for `username`. */
export async function htpasswdLine(username: string, password: string): Promise<string> {
  if (username.includes(':')) throw new Error(`htpasswd user names cannot contain ':': ${JSON.stringify(username)}`);
  try {
    const { stdout } = await execFileAsync('htpasswd', ['-Bbn', username, password]);
    return `${stdout.trim()}\n`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('htpasswd is not installed: run `apt-get install apache2-utils` (./berth test installs it)');
    }
    throw new Error(`htpasswd -Bbn ${username} failed: ${(err as Error).message}`);
  }
}
