// What a compose file needs from outside itself, so a client sends exactly that with it: the
// files it names (env_file, secrets.*.file, configs.*.file) and the variables it reads.
import { ComposeError, Ctx, isNull } from './context.ts';
import { interpolateTree } from './parse-compose.ts';
import { envFileList } from './environment.ts';
import { loadTree, type Val } from './tree.ts';
import { variablesIn } from './interpolate.ts';

function load(text: string, fileName: string): Val {
  const loaded = loadTree(text);
  if (!loaded.tree) throw new ComposeError(fileName, loaded.problems.map((p) => ({ path: '', line: p.pos.line, column: p.pos.column, message: p.message })));
  return loaded.tree;
}

function get(v: Val | undefined, key: string): Val | undefined {
  return v?.kind === 'map' ? v.entries.find((e) => e.key === key)?.value : undefined;
}

function entriesOf(v: Val | undefined): { key: string; value: Val }[] {
  return v?.kind === 'map' ? v.entries.filter((e) => !e.key.startsWith('x-')) : [];
}

/**
 * The paths of the files the compose file reads, as written there (after interpolation with
 * `env`), each once. A client reads these, relative to the compose file's directory, and hands
 * their contents to parseCompose's readFile. Mistakes in the file are left for parseCompose.
 */
export function referencedFiles(text: string, options: { env?: Record<string, string | undefined>; fileName?: string } = {}): string[] {
  const ctx = new Ctx();
  const tree = interpolateTree(ctx, load(text, options.fileName ?? 'docker-compose.yml'), '', (n) => options.env?.[n]);
  const paths: string[] = [];
  for (const s of entriesOf(get(tree, 'services'))) {
    const envFile = get(s.value, 'env_file');
    if (envFile && !isNull(envFile)) for (const f of envFileList(ctx, envFile, '')) paths.push(f.path);
  }
  for (const kind of ['secrets', 'configs']) {
    for (const e of entriesOf(get(tree, kind))) {
      const file = get(e.value, 'file');
      if (file?.kind === 'scalar' && typeof file.value === 'string') paths.push(file.value);
    }
  }
  return [...new Set(paths)];
}

/**
 * The environment variables the file reads: in ${...} interpolations (defaults included),
 * `environment` keys given without a value, and `secrets|configs.*.environment`. With readFile,
 * the variables that the env files it names read too. Variables of x-* fields are listed too:
 * an x- key may be a label or a variable, whose value parseCompose interpolates.
 */
export function referencedVariables(text: string, options: { readFile?: (path: string) => string | Uint8Array | undefined; fileName?: string } = {}): string[] {
  const tree = load(text, options.fileName ?? 'docker-compose.yml');
  const names: string[] = [];
  const walk = (v: Val): void => {
    if (v.kind === 'map') for (const e of v.entries) walk(e.value);
    if (v.kind === 'seq') v.items.forEach(walk);
    if (v.kind === 'scalar' && typeof v.value === 'string' && v.value.includes('$')) names.push(...variablesIn(v.value));
  };
  walk(tree);
  for (const s of entriesOf(get(tree, 'services'))) {
    const env = get(s.value, 'environment');
    if (env?.kind === 'map') for (const e of env.entries) if (isNull(e.value)) names.push(e.key);
    if (env?.kind === 'seq') for (const i of env.items) if (i.kind === 'scalar' && typeof i.value === 'string' && !i.value.includes('=')) names.push(i.value);
  }
  for (const kind of ['secrets', 'configs']) {
    for (const e of entriesOf(get(tree, kind))) {
      const v = get(e.value, 'environment');
      if (v?.kind === 'scalar' && typeof v.value === 'string') names.push(v.value);
    }
  }
  if (options.readFile) {
    for (const path of referencedFiles(text)) {
      const content = options.readFile(path);
      if (content === undefined) continue;
      const body = typeof content === 'string' ? content : new TextDecoder().decode(content);
      names.push(...envFileVariables(body));
    }
  }
  return [...new Set(names)];
}

/** Variables an env file reads: ${...} and $NAME in its values, and bare KEY lines. */
function envFileVariables(body: string): string[] {
  const names: string[] = [];
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim().replace(/^export\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) names.push(line);
    else if (!line.slice(eq + 1).trimStart().startsWith("'")) names.push(...variablesIn(line.slice(eq + 1)));
  }
  return names;
}

