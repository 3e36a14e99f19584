// A compose file as a tree of plain values that remember where they were written, so every
// error and every ignored key can name its line. Aliases are resolved and merge keys (`<<`)
// applied here, once, so the importer never sees YAML's own node types.
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

export interface Pos {
  line: number;
  column: number;
}

export type Scalar = string | number | boolean | null;

export type Val =
  | { kind: 'map'; entries: Entry[]; pos: Pos }
  | { kind: 'seq'; items: Val[]; pos: Pos }
  /** `source`: the scalar as written (0440 is octal to compose, 440 to YAML 1.2) */
  | { kind: 'scalar'; value: Scalar; source: string; pos: Pos };

export interface Entry {
  key: string;
  keyPos: Pos;
  value: Val;
}

export interface YamlProblem {
  pos: Pos;
  message: string;
}

/** Aliases may nest; a document of aliases to aliases is refused past this depth. */
const MAX_DEPTH = 64;
/**
 * Values after aliases are expanded. A few lines of nested aliases can expand to billions of
 * values ("billion laughs"); a real compose file has a few thousand.
 */
const MAX_VALUES = 100_000;

/**
 * Parses `text` (one YAML document) into a Val tree. YAML syntax errors, duplicate keys and
 * non-scalar keys come back as problems with their position; the tree is absent then.
 */
export function loadTree(text: string): { tree?: Val; problems: YamlProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, merge: true, uniqueKeys: true, prettyErrors: false, version: '1.2' });
  const at = (offset: number | undefined): Pos => {
    const p = lines.linePos(offset ?? 0);
    return { line: p.line, column: p.col };
  };
  const problems: YamlProblem[] = doc.errors.map((e) => ({ pos: at(e.pos[0]), message: e.message }));
  if (problems.length > 0) return { problems };
  if (doc.contents === null) return { tree: { kind: 'map', entries: [], pos: { line: 1, column: 1 } }, problems };
  try {
    const budget = { left: MAX_VALUES };
    return { tree: convert(doc, doc.contents as Node, at, 0, budget), problems };
  } catch (err) {
    if (err instanceof TreeError) return { problems: [{ pos: err.pos, message: err.message }] };
    throw err;
  }
}

class TreeError extends Error {
  constructor(
    readonly pos: Pos,
    message: string,
  ) {
    super(message);
  }
}

function convert(doc: Document, node: Node, at: (offset?: number) => Pos, depth: number, budget: { left: number }): Val {
  if (depth > MAX_DEPTH) throw new TreeError(at(node.range?.[0]), 'the document nests too deeply (aliases within aliases?)');
  if (--budget.left < 0) throw new TreeError(at(node.range?.[0]), `the document expands to more than ${MAX_VALUES} values once its aliases are expanded`);
  const pos = at(node.range?.[0]);
  if (isAlias(node)) {
    const target = node.resolve(doc);
    if (!target) throw new TreeError(pos, `unknown alias *${node.source}`);
    return convert(doc, target, at, depth + 1, budget);
  }
  if (isScalar(node)) {
    const v = node.value;
    const value: Scalar = v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : typeof v === 'bigint' ? Number(v) : String(v);
    return { kind: 'scalar', value, source: typeof node.source === 'string' ? node.source : String(v), pos };
  }
  if (isSeq(node)) return { kind: 'seq', items: node.items.map((i) => convert(doc, i as Node, at, depth + 1, budget)), pos };
  if (isMap(node)) {
    const entries: Entry[] = [];
    const merged: Entry[][] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      const keyPos = at(keyNode?.range?.[0] ?? node.range?.[0]);
      const valueNode = pair.value as Node | null;
      const value: Val = valueNode ? convert(doc, valueNode, at, depth + 1, budget) : { kind: 'scalar', value: null, source: '', pos: keyPos };
      if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
        // `<<: *base` or `<<: [*a, *b]`: the maps' entries, unless this map sets them itself
        const sources = value.kind === 'seq' ? value.items : [value];
        for (const s of sources) {
          if (s.kind !== 'map') throw new TreeError(s.pos, 'a merge key (<<) takes a mapping or a list of mappings');
          merged.push(s.entries);
        }
        continue;
      }
      const key = keyNode === null ? '' : keyOf(doc, keyNode, at);
      entries.push({ key, keyPos, value });
    }
    // YAML's merge: explicit keys win; among merged maps the first one listed wins
    for (const list of merged) {
      for (const e of list) if (!entries.some((x) => x.key === e.key)) entries.push(e);
    }
    return { kind: 'map', entries, pos };
  }
  throw new TreeError(pos, 'unsupported YAML node');
}

function keyOf(doc: Document, node: Node, at: (offset?: number) => Pos): string {
  const n = isAlias(node) ? node.resolve(doc) : node;
  if (!isScalar(n)) throw new TreeError(at(node.range?.[0]), 'a key must be a plain string, not a list or mapping');
  return n.value === null ? '' : String(n.value);
}

/** The entry named `key`, if the map has one. */
export function entry(map: Val & { kind: 'map' }, key: string): Entry | undefined {
  return map.entries.find((e) => e.key === key);
}
