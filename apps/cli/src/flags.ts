// Docker-style flag parsing for one verb: --long, --long=value, --long value, -s value,
// -svalue, clustered booleans (-dit), `--` ends the flags. For run/create/exec the flags stop
// at the first positional (the image or the container), so the command's own flags pass through.
import { UserError } from './errors.ts';

export interface FlagDef {
  type: 'boolean' | 'string';
  short?: string;
  multiple?: boolean;
}
export type FlagSpec = Record<string, FlagDef>;

export class Flags {
  constructor(
    readonly verb: string,
    private readonly values: Map<string, Array<string | boolean>>,
    readonly positionals: string[],
  ) {}

  bool(name: string): boolean {
    const v = this.values.get(name);
    return v ? v[v.length - 1] === true : false;
  }

  str(name: string): string | undefined {
    const v = this.values.get(name);
    const last = v?.[v.length - 1];
    return typeof last === 'string' ? last : undefined;
  }

  list(name: string): string[] {
    return (this.values.get(name) ?? []).filter((v): v is string => typeof v === 'string');
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** A whole number flag, within bounds; `what` names it in the error. */
  int(name: string, o: { min?: number; max?: number } = {}): number | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || (o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
      const range = o.min !== undefined && o.max !== undefined ? ` from ${o.min} to ${o.max}` : o.min !== undefined ? ` of at least ${o.min}` : '';
      throw new UserError(`${this.verb}: --${name} must be a whole number${range}, not ${JSON.stringify(v)}`);
    }
    return n;
  }
}

export function parseFlags(verb: string, argv: string[], spec: FlagSpec, o: { stopAtPositional?: boolean } = {}): Flags {
  const values = new Map<string, Array<string | boolean>>();
  const positionals: string[] = [];
  const byShort = new Map(Object.entries(spec).filter(([, d]) => d.short).map(([name, d]) => [d.short!, name]));
  const put = (name: string, v: string | boolean) => {
    const def = spec[name]!;
    values.set(name, def.multiple ? [...(values.get(name) ?? []), v] : [v]);
  };
  const unknown = (flag: string) => new UserError(`${verb}: unknown flag ${flag} (see berth ${verb} --help)`);
  const needs = (flag: string) => new UserError(`${verb}: flag ${flag} needs an argument (see berth ${verb} --help)`);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const def = spec[name];
      if (!def) throw unknown(`--${name}`);
      if (def.type === 'boolean') {
        if (eq < 0) put(name, true);
        else {
          const v = a.slice(eq + 1);
          if (v !== 'true' && v !== 'false') throw new UserError(`${verb}: --${name} is true or false, not ${JSON.stringify(v)}`);
          put(name, v === 'true');
        }
      } else if (eq >= 0) put(name, a.slice(eq + 1));
      else {
        if (i + 1 >= argv.length) throw needs(`--${name}`);
        put(name, argv[++i]!);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const name = byShort.get(a[j]!);
        if (!name) throw unknown(`-${a[j]}`);
        if (spec[name]!.type === 'boolean') {
          put(name, true);
          continue;
        }
        // -eFOO=bar, or -e FOO=bar
        const rest = a.slice(j + 1).replace(/^=/, '');
        if (rest) put(name, rest);
        else {
          if (i + 1 >= argv.length) throw needs(`-${a[j]}`);
          put(name, argv[++i]!);
        }
        break;
      }
      continue;
    }
    if (o.stopAtPositional) {
      positionals.push(...argv.slice(i));
      break;
    }
    positionals.push(a);
  }
  return new Flags(verb, values, positionals);
}

/** `--label KEY=VALUE` (or `KEY`, an empty value) as docker's create verbs read them. */
export function labelFlags(verb: string, list: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const l of list) {
    const eq = l.indexOf('=');
    if (eq === 0 || !l) throw new UserError(`${verb}: invalid label ${JSON.stringify(l)}: use KEY=VALUE`);
    if (eq < 0) labels[l] = '';
    else labels[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return labels;
}
