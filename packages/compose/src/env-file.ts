// env_file contents as compose reads them: KEY=VALUE lines, `export ` allowed in front, # comments,
// single quotes literal, double quotes with \n \t \\ \" escapes (and spanning lines), unquoted
// values trimmed and cut at " #". Variables are expanded in unquoted and double-quoted values from
// the file's earlier lines, then the environment. A line with a bare KEY takes the environment's value.
import { interpolate, InterpolationError, type Lookup } from './interpolate.ts';

export class EnvFileError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'EnvFileError';
  }
}

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** The file's variables in order; a bare KEY absent from `env` is left out, as compose leaves it unset. */
export function parseEnvFile(text: string, env: Lookup): [string, string][] {
  const vars = new Map<string, string>();
  const lookup: Lookup = (name) => vars.get(name) ?? env(name);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = (lines[i] as string).trimStart();
    if (line === '' || line.startsWith('#')) continue;
    if (/^export\s+/.test(line)) line = line.replace(/^export\s+/, '');
    const eq = line.indexOf('=');
    if (eq < 0) {
      const key = line.trimEnd();
      if (!KEY.test(key)) throw new EnvFileError(lineNo, `${JSON.stringify(key)} is not a variable name: write KEY=VALUE`);
      const v = env(key);
      if (v !== undefined) vars.set(key, v);
      continue;
    }
    const key = line.slice(0, eq).trimEnd();
    if (!KEY.test(key)) throw new EnvFileError(lineNo, `${JSON.stringify(key)} is not a variable name: write KEY=VALUE`);
    let rest = line.slice(eq + 1).trimStart();
    let value: string;
    const quote = rest[0];
    if (quote === "'" || quote === '"') {
      // the value may go on over the following lines until its closing quote
      let body = rest.slice(1);
      let end = closingQuote(body, quote);
      const start = lineNo;
      while (end < 0 && i + 1 < lines.length) {
        body += '\n' + (lines[++i] as string);
        end = closingQuote(body, quote);
      }
      if (end < 0) throw new EnvFileError(start, `the value of ${key} has no closing ${quote}`);
      const after = body.slice(end + 1).trim();
      if (after !== '' && !after.startsWith('#')) throw new EnvFileError(i + 1, `unexpected ${JSON.stringify(after)} after the quoted value of ${key}`);
      body = body.slice(0, end);
      value = quote === "'" ? body : expand(unescape(body), lookup, lineNo);
    } else {
      const hash = rest.search(/\s#/);
      if (hash >= 0) rest = rest.slice(0, hash);
      value = expand(rest.trimEnd(), lookup, lineNo);
    }
    vars.set(key, value);
  }
  return [...vars];
}

function closingQuote(body: string, quote: string): number {
  for (let i = 0; i < body.length; i++) {
    if (quote === '"' && body[i] === '\\') i++;
    else if (body[i] === quote) return i;
  }
  return -1;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/gs, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? (c === '$' ? '$$' : c));
}

function expand(s: string, lookup: Lookup, line: number): string {
  try {
    return interpolate(s, lookup).value;
  } catch (err) {
    if (err instanceof InterpolationError) throw new EnvFileError(line, err.message);
    throw err;
  }
}
