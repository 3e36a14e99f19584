// Bind sources as compose resolves them: absolute paths as written, `./x` and `../x` against the
// compose file's directory, `~/x` against $HOME. POSIX only: binds name paths on Linux hosts.

export function resolvePath(source: string, workingDir: string | undefined, home: string | undefined): { path: string } | { error: string } {
  if (source.startsWith('/')) return { path: normalize(source) };
  if (source === '~' || source.startsWith('~/')) {
    if (!home || !home.startsWith('/')) return { error: `${JSON.stringify(source)}: ~ needs HOME in the environment; write an absolute path instead` };
    return { path: normalize(`${home}/${source.slice(1)}`) };
  }
  if (!workingDir || !workingDir.startsWith('/')) {
    return { error: `${JSON.stringify(source)} is relative, but the compose file’s directory is not known: write an absolute host path` };
  }
  return { path: normalize(`${workingDir}/${source}`) };
}

/** Removes `.`, `..` and repeated slashes; `..` never climbs above /. */
export function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}
