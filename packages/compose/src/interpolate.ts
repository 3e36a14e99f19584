// Compose's variable interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default},
// ${VAR:?error}, ${VAR?error}, ${VAR:+alt}, ${VAR+alt}, nested operands, and $$ for a literal $.
// A `$` that starts no valid variable is kept as written, as compose keeps it.

const NAME_START = /[_a-zA-Z]/;
const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;

export class InterpolationError extends Error {
  override readonly name = 'InterpolationError';
}

export interface Lookup {
  /** the variable's value, or undefined when it is not set */
  (name: string): string | undefined;
}

export interface Interpolated {
  value: string;
  /** variables used without a default that are not set (compose warns and uses "") */
  unset: string[];
}

/** Interpolates one string value. Throws InterpolationError for a bad template or a required variable. */
export function interpolate(text: string, lookup: Lookup): Interpolated {
  const unset: string[] = [];
  const value = expand(text, lookup, unset);
  return { value, unset };
}

/** Every variable name the string refers to, in defaults and nested operands too. */
export function variablesIn(text: string): string[] {
  const names: string[] = [];
  try {
    expand(text, (name) => {
      names.push(name);
      // "set and non-empty" so that no default is taken; the operands are scanned separately
      return 'x';
    }, [], true);
  } catch {
    // a malformed template names what it could; parseCompose reports the error itself
  }
  return [...new Set(names)];
}

/**
 * `scan`: every operand (default, error, alternative) is expanded too, whether it would be used
 * or not, so that `lookup` sees every variable named.
 */
function expand(text: string, lookup: Lookup, unset: string[], scan = false): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const close = matchingBrace(text, i + 2);
      if (close < 0) throw new InterpolationError(`invalid interpolation format "${text}": the "\${" has no closing "}". You may need to escape any $ with another $`);
      out += braced(text.slice(i + 2, close), text, lookup, unset, scan);
      i = close + 1;
      continue;
    }
    if (next !== undefined && NAME_START.test(next)) {
      const name = (NAME.exec(text.slice(i + 1)) as RegExpExecArray)[0];
      const v = lookup(name);
      if (v === undefined) unset.push(name);
      out += v ?? '';
      i += 1 + name.length;
      continue;
    }
    // not a variable: kept as written
    out += '$';
    i++;
  }
  return out;
}

/** The index of the `}` closing a `${` whose body starts at `from`, counting nested `${`. */
function matchingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '$' && text[i + 1] === '$') {
      i++;
    } else if (c === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function braced(body: string, whole: string, lookup: Lookup, unset: string[], scan: boolean): string {
  const m = NAME.exec(body);
  if (!m) throw new InterpolationError(`invalid interpolation format "${whole}": "\${${body}}" does not start with a variable name. You may need to escape any $ with another $`);
  const name = m[0];
  const rest = body.slice(name.length);
  const v = lookup(name);
  if (rest === '') {
    if (v === undefined) unset.push(name);
    return v ?? '';
  }
  const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest);
  if (!op) throw new InterpolationError(`invalid interpolation format "${whole}": "\${${body}}" is not supported (use \${VAR}, \${VAR:-default}, \${VAR:?error} or \${VAR:+alt}). You may need to escape any $ with another $`);
  const operand = rest.slice(op[0].length);
  const operandValue = (): string => expand(operand, lookup, unset, scan);
  if (scan) operandValue();
  const setAndNonEmpty = v !== undefined && v !== '';
  switch (op[0]) {
    case ':-':
      return setAndNonEmpty ? v : operandValue();
    case '-':
      return v !== undefined ? v : operandValue();
    case ':?':
      if (setAndNonEmpty) return v;
      throw new InterpolationError(`required variable ${name} is missing a value: ${operandValue()}`);
    case '?':
      if (v !== undefined) return v;
      throw new InterpolationError(`required variable ${name} is missing a value: ${operandValue()}`);
    case ':+':
      return setAndNonEmpty ? operandValue() : '';
    default: // '+'
      return v !== undefined ? operandValue() : '';
  }
}
