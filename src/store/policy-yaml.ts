/**
 * The firm policy written in YAML (`policy.yaml`, `policy.yml`): parsed as YAML 1.2 (core
 * schema, so `2026-10-01` stays a date string and `yes` stays a word), one document, no
 * duplicate keys. A problem the policy's checks find under a key is given the key's line in
 * the file, so a clerk can go straight to it.
 */
import { createRequire } from 'node:module';
import type { Document, LineCounter } from 'yaml';
import { InputError, message, type Message } from '../domain/messages.ts';

/** The YAML library, loaded when a YAML policy is read: a JSON policy (the usual one) does not wait for it. */
function yaml(): typeof import('yaml') {
  return createRequire(import.meta.url)('yaml') as typeof import('yaml');
}

/** Whether a policy file is YAML, by its name. */
export function isYamlPolicy(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

export interface ParsedYaml {
  raw: unknown;
  /** The 1-based line of a key as the policy's checks name it (`deadlines.holidays[2]`), when found. */
  lineOf(key: string): number | undefined;
}

/** Parses a YAML policy. @throws InputError naming the line of each syntax problem */
export function parseYamlPolicy(text: string, path: string): ParsedYaml {
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const problems: Message[] = doc.errors.map((e) =>
      message(
        'policy/not-yaml',
        e.message.split('\n')[0]!,
        { file: path, line: e.linePos?.[0].line ?? lines.linePos(e.pos[0]).line },
        { fix: 'correct the YAML (a comment starts with #)' },
      ),
    );
    const first = problems[0]!;
    throw new InputError(
      `The policy file ${path} is not valid YAML${first.place.line ? ` (line ${first.place.line})` : ''}: ${first.reason}`,
      problems,
    );
  }
  return { raw: doc.toJS({ maxAliasCount: 50 }) ?? undefined, lineOf: (key) => keyLine(doc, lines, key) };
}

/** `a.b[2].c` → ['a', 'b', 2, 'c']. */
function pathOf(key: string): (string | number)[] {
  return key
    .split('.')
    .flatMap((part) =>
      [...part.matchAll(/([^[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!)),
    );
}

/** The line of the deepest part of `key` the document has (the key itself, or the item of a list). */
function keyLine(doc: Document, lines: LineCounter, key: string): number | undefined {
  const { isMap, isScalar, isSeq } = yaml();
  let node: unknown = doc.contents;
  let offset: number | undefined;
  for (const seg of pathOf(key)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      offset = isScalar(pair.key) ? pair.key.range?.[0] : offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as { range?: [number, number, number] } | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

/** The policy's problems with the line of the key each names. */
export function withLines(problems: readonly Message[], parsed: ParsedYaml): Message[] {
  return problems.map((m) => {
    const line = m.place.column ? parsed.lineOf(m.place.column) : undefined;
    return line === undefined ? m : { ...m, place: { ...m.place, line } };
  });
}
