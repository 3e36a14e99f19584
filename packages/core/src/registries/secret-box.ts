import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AppError } from '../errors.ts';

const VERSION = 1;
const IV = 12;
const TAG = 16;

/**
 * Seals secrets for storage in Postgres: AES-256-GCM under a key kept outside the database,
 * with the row's identity (the registry name) as associated data, so a sealed value copied to
 * another row does not open.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(key: Buffer): SecretBox {
    if (key.length !== 32) throw new AppError('INVALID', `the secret key must be 32 bytes, not ${key.length}: create one with \`head -c 32 /dev/urandom > FILE\``);
    return new SecretBox(Buffer.from(key));
  }

  /** A key file holds 32 raw bytes, or their base64 (44 characters). */
  static async fromFile(path: string): Promise<SecretBox> {
    const raw = await readFile(path).catch((err: NodeJS.ErrnoException) => {
      throw new AppError('INVALID', `cannot read the secret key file ${path} (${err.code ?? err.message}): create it with \`head -c 32 /dev/urandom > ${path}; chmod 600 ${path}\``);
    });
    const text = raw.toString('utf8').trim();
    return SecretBox.fromKey(raw.length === 32 ? raw : Buffer.from(text, 'base64'));
  }

  seal(plaintext: string, context: string): Buffer {
    const iv = randomBytes(IV);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ct]);
  }

  open(sealed: Uint8Array, context: string): string {
    const b = Buffer.from(sealed);
    if (b[0] !== VERSION || b.length < 1 + IV + TAG) throw new AppError('INVALID', 'a stored secret is in an unknown format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, b.subarray(1, 1 + IV));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(b.subarray(1 + IV, 1 + IV + TAG));
    try {
      return Buffer.concat([decipher.update(b.subarray(1 + IV + TAG)), decipher.final()]).toString('utf8');
    } catch {
      throw new AppError('INVALID', 'a stored secret does not open with this key: was BERTH_SECRET_KEY_FILE replaced? Log in to the registry again');
    }
  }
}
