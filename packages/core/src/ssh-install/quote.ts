// Remote commands over SSH are strings that the remote user's login shell parses. They are only
// ever built here: fixed program names and options, and every variable part single-quoted.

/**
 * Quotes one argument for a POSIX shell (sh, bash, dash, zsh): wrapped in single quotes, inside
 * which nothing is special; a single quote itself becomes '\'' (close, escaped quote, reopen).
 * NUL cannot be passed to a program at all, so it is refused.
 */
export function shQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('a remote command argument contains a NUL byte: refused');
  if (/^[A-Za-z0-9_./=:@%+,-]+$/.test(arg)) return arg; // nothing a shell interprets (no leading ~ either)
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** One remote command line from an argument array; each argument reaches the program unchanged. */
export function remoteCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('remoteCommand: empty argv');
  return argv.map(shQuote).join(' ');
}
