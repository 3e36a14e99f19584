import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { hashRaw, type Algorithm, type Version } from '@node-rs/argon2';

/**
 * argon2id at OWASP's minimum (m = 19 MiB, t = 2, p = 1) rather than RFC 9106's second
 * recommendation (m = 64 MiB, t = 3, p = 4): a control plane on a 2-core box gains nothing from
 * p = 4 (the lanes would queue on two cores), and 64 MiB per sign-in lets a burst of concurrent
 * sign-ins eat memory the agents' hosts and Postgres need. Guessing is held back by the sign-in
 * rate limit (users/sign-in-limiter.ts), so the hash only has to make an offline attack on a
 * stolen database costly, which 19 MiB × 2 passes does. Raising these later needs no migration:
 * needsRehash() sees the weaker parameters and the next sign-in rehashes.
 */
export const ARGON2 = { m: 19 * 1024, t: 2, p: 1 } as const;
const ARGON2_VERSION = 0x13;
const SALT_BYTES = 16;
const HASH_BYTES = 32;

// Bounds on parameters read back from a stored string, so a corrupt row cannot make one check
// allocate gigabytes or spin for minutes.
const MAX_M = 1024 * 1024; // KiB: 1 GiB
const MAX_T = 64;
const MAX_P = 64;

/** argon2id, stored as the PHC string `$argon2id$v=19$m=…,t=…,p=…$salt$hash` (unpadded base64; m, t, p in the reference implementation's order, which some parsers require). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await argon2idRaw(password, salt, HASH_BYTES, ARGON2);
  return `$argon2id$v=${ARGON2_VERSION}$m=${ARGON2.m},t=${ARGON2.t},p=${ARGON2.p}$${b64(salt)}$${b64(hash)}`;
}

/**
 * Checks a password against a stored hash: argon2id (current) or `scrypt$N$r$p$salt$hash`
 * (written before argon2id; see needsRehash). A malformed stored string is a mismatch, never
 * an exception; errors from the primitives never carry the password.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStored(stored);
  if (!parsed) return false;
  let got: Buffer;
  try {
    got = parsed.alg === 'argon2id'
      ? await argon2idRaw(password, parsed.salt, parsed.hash.length, parsed)
      : await scryptAsync(password, parsed.salt, parsed.hash.length, { N: parsed.N, r: parsed.r, p: parsed.p, maxmem: scryptMaxmem(parsed) });
  } catch (e) {
    // the primitives' own messages name parameters, not inputs; rethrown so an out-of-memory is not reported as a wrong password
    throw new Error(`checking a password against its ${parsed.alg} hash failed: ${(e as Error).message}`);
  }
  return got.length === parsed.hash.length && timingSafeEqual(got, parsed.hash);
}

/**
 * True when a stored hash should be replaced by hashPassword()'s on the next successful sign-in:
 * a legacy scrypt hash, an argon2id one with weaker parameters than ARGON2, or anything unparsable.
 */
export function needsRehash(stored: string): boolean {
  const parsed = parseStored(stored);
  if (parsed?.alg !== 'argon2id') return true;
  return parsed.v !== ARGON2_VERSION || parsed.m < ARGON2.m || parsed.t < ARGON2.t || parsed.p < ARGON2.p || parsed.hash.length < HASH_BYTES;
}

export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}

type Parsed =
  | { alg: 'argon2id'; v: number; m: number; t: number; p: number; salt: Buffer; hash: Buffer }
  | { alg: 'scrypt'; N: number; r: number; p: number; salt: Buffer; hash: Buffer };

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;
const UINT = /^[1-9][0-9]{0,9}$/;

function parseStored(stored: string): Parsed | null {
  if (typeof stored !== 'string') return null;
  if (stored.startsWith('$argon2id$')) {
    const [, , v, params, salt, hash, ...rest] = stored.split('$');
    if (rest.length || !v?.startsWith('v=') || !params || !salt || !hash || !B64.test(salt) || !B64.test(hash)) return null;
    const kv = new Map(params.split(',').map((s) => s.split('=') as [string, string | undefined]));
    const nums = [v.slice(2), kv.get('m'), kv.get('t'), kv.get('p')];
    if (kv.size !== 3 || nums.some((n) => !n || !UINT.test(n))) return null;
    const [vn, m, t, p] = nums.map(Number) as [number, number, number, number];
    const out = { alg: 'argon2id' as const, v: vn, m, t, p, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
    // RFC 9106's limits: salt ≥ 8 bytes, output ≥ 4 bytes, m ≥ 8·p
    if (vn !== ARGON2_VERSION || m > MAX_M || m < 8 * p || t > MAX_T || p > MAX_P || out.salt.length < 8 || out.hash.length < 4) return null;
    return out;
  }
  if (stored.startsWith('scrypt$')) {
    const [, n, r, p, salt, hash, ...rest] = stored.split('$');
    if (rest.length || ![n, r, p].every((x) => x && UINT.test(x)) || !salt || !hash || !B64.test(salt) || !B64.test(hash)) return null;
    const out = { alg: 'scrypt' as const, N: Number(n), r: Number(r), p: Number(p), salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
    // N a power of two above 1; memory (128·N·r) within 1 GiB like argon2's bound
    if ((out.N & (out.N - 1)) !== 0 || out.N < 2 || out.r > 64 || out.p > 64 || scryptMaxmem(out) > MAX_M * 1024 || out.hash.length < 4) return null;
    return out;
  }
  return null;
}

const scryptAsync = promisify(scrypt) as (pw: string, salt: Buffer, len: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;
const scryptMaxmem = (s: { N: number; r: number }) => 128 * s.N * s.r + 1024 * 1024;

// @node-rs/argon2 declares these as const enums, which isolated modules cannot read: their values
const ALGORITHM_ARGON2ID = 2 as Algorithm;
const VERSION_0X13 = 1 as Version;

function argon2idRaw(password: string, salt: Buffer, hashLength: number, params: { m: number; t: number; p: number }): Promise<Buffer> {
  return hashRaw(password, { algorithm: ALGORITHM_ARGON2ID, version: VERSION_0X13, salt, outputLen: hashLength, memoryCost: params.m, timeCost: params.t, parallelism: params.p });
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
