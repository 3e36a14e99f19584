// A command written as one string (`command: nginx -g "daemon off;"`) split into words the way
// compose splits it (go-shellwords): blanks separate words, single quotes keep everything,
// double quotes and a backslash escape. Nothing is expanded: no shell ever sees the words.

export class ShellWordsError extends Error {
  override readonly name = 'ShellWordsError';
}

export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= text.length) throw new ShellWordsError(`${JSON.stringify(text)} ends with a lone backslash`);
      word += text[++i];
      inWord = true;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    word += c;
    inWord = true;
  }
  if (quote) throw new ShellWordsError(`${JSON.stringify(text)} has an unclosed ${quote === '"' ? 'double' : 'single'} quote`);
  if (inWord) words.push(word);
  return words;
}
