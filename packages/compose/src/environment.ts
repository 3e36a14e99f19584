// A service's environment: its env files in order, then `environment` over them, as compose merges them.
import { asBool, asListOrDict, asSeq, asString, child, type Ctx, isNull, readKeys } from './context.ts';
import { EnvFileError, parseEnvFile } from './env-file.ts';
import * as K from './keys.ts';
import type { ServiceInputs } from './service-context.ts';
import type { Entry, Val } from './tree.ts';

/** env_file first (in order, later files win), then environment over them, as compose merges them. */
export function readEnvironment(ctx: Ctx, keys: Map<string, Entry>, path: string, inputs: ServiceInputs): string[] {
  const vars = new Map<string, string>();
  const envFile = keys.get('env_file');
  if (envFile && !isNull(envFile.value)) {
    for (const f of envFileList(ctx, envFile.value, child(path, 'env_file'))) {
      const content = inputs.readFile?.(f.path);
      if (content === undefined) {
        if (f.required) ctx.fail(f.at, f.where, `the env file ${JSON.stringify(f.path)} was not found (a relative path is relative to the compose file’s directory)`);
        else ctx.ignore(f.at, f.where, `the optional env file ${JSON.stringify(f.path)} was not found`);
        continue;
      }
      const text = typeof content === 'string' ? content : new TextDecoder().decode(content);
      try {
        for (const [k, v] of parseEnvFile(text, inputs.env)) vars.set(k, v);
      } catch (err) {
        if (err instanceof EnvFileError) ctx.fail(f.at, f.where, `${f.path} line ${err.line}: ${err.message}`);
        else throw err;
      }
    }
  }
  const environment = keys.get('environment');
  if (environment && !isNull(environment.value)) {
    for (const e of asListOrDict(ctx, environment.value, child(path, 'environment')) ?? []) {
      if (e.key === '' || /[=\s]/.test(e.key)) {
        ctx.fail(e.at, e.path, `${JSON.stringify(e.key)} is not a variable name`);
        continue;
      }
      if (e.value !== null) {
        vars.set(e.key, e.value);
        continue;
      }
      const v = inputs.env(e.key);
      if (v !== undefined) vars.set(e.key, v);
      else ctx.ignore(e.at, e.path, `${e.key} has no value here and is not set in the environment: it is left unset`);
    }
  }
  return [...vars].map(([k, v]) => `${k}=${v}`);
}

/** Paths read by env_file, with whether each must exist. Shared with referencedFiles. */
export function envFileList(ctx: Ctx, v: Val, path: string): { path: string; required: boolean; at: Val | Entry; where: string }[] {
  const out: { path: string; required: boolean; at: Val | Entry; where: string }[] = [];
  if (v.kind === 'scalar') {
    const s = asString(ctx, v, path);
    if (s !== undefined) out.push({ path: s, required: true, at: v, where: path });
    return out;
  }
  asSeq(ctx, v, path)?.items.forEach((item, i) => {
    const where = child(path, i);
    if (item.kind !== 'map') {
      const s = asString(ctx, item, where);
      if (s !== undefined) out.push({ path: s, required: true, at: item, where });
      return;
    }
    const keys = readKeys(ctx, item, where, K.ENV_FILE, 'an env_file entry');
    const pathEntry = keys.get('path');
    if (!pathEntry) {
      ctx.fail(item, where, 'an env_file entry needs a path');
      return;
    }
    const s = asString(ctx, pathEntry.value, child(where, 'path'));
    const req = keys.get('required');
    const required = req ? asBool(ctx, req.value, child(where, 'required')) ?? true : true;
    if (s !== undefined) out.push({ path: s, required, at: pathEntry.value, where: child(where, 'path') });
  });
  return out;
}
