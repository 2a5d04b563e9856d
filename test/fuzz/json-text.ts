import fc from 'fast-check';

/**
 * JSON as text the fuzzer controls: what a JavaScript object cannot express — duplicate keys,
 * `-0`, `1e309`, integers beyond 2^53, a key named `__proto__` — is kept as written.
 */
export type JsonNode = { t: 'raw'; text: string } | { t: 'arr'; items: JsonNode[] } | { t: 'obj'; entries: [string, JsonNode][] };

/** JSON text spliced in as is (it must be valid JSON for the body to be); printed short in counterexamples. */
export const raw = (text: string): JsonNode => ({ t: 'raw', text, [fc.toStringMethod]: () => `raw(${clipped(text)})` }) as JsonNode;

const clipped = (text: string): string => (text.length <= 120 ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, 120))}…+${text.length - 120} chars`);

/** A node for a plain JSON value. */
export function toNode(value: unknown): JsonNode {
  if (Array.isArray(value)) return { t: 'arr', items: value.map(toNode) };
  if (typeof value === 'object' && value !== null) return { t: 'obj', entries: Object.entries(value).map(([k, v]) => [k, toNode(v)]) };
  return raw(JSON.stringify(value) ?? 'null');
}

/** The JSON text; lone surrogates and NULs in strings are written as `\ud800` / `\u0000` escapes. */
export function toText(node: JsonNode): string {
  switch (node.t) {
    case 'raw':
      return node.text;
    case 'arr':
      return `[${node.items.map(toText).join(',')}]`;
    case 'obj':
      return `{${node.entries.map(([k, v]) => `${JSON.stringify(k)}:${toText(v)}`).join(',')}}`;
  }
}

/** A place in the tree: child indexes from the root, and the nearest object key above it (the element it belongs to). */
export interface Slot {
  path: number[];
  key: string | undefined;
  /** The nearest key above `key`'s object (for a deleted member, the element it leaves). */
  parentKey: string | undefined;
  /** Whether this node is a member of an object (not an array item, not the root). */
  member: boolean;
  node: JsonNode;
}

/** Every node of the tree, root first. */
export function slots(root: JsonNode): Slot[] {
  const out: Slot[] = [];
  const visit = (node: JsonNode, path: number[], key: string | undefined, parentKey: string | undefined, member: boolean): void => {
    out.push({ path, key, parentKey, member, node });
    if (node.t === 'arr') node.items.forEach((item, i) => visit(item, [...path, i], key, parentKey, false));
    if (node.t === 'obj') node.entries.forEach(([k, v], i) => visit(v, [...path, i], k, key, true));
  };
  visit(root, [], undefined, undefined, false);
  return out;
}

/** A copy of the tree with the node at `path` replaced by what `edit` makes of it; `null` removes it from its parent. */
export function editAt(root: JsonNode, path: number[], edit: (node: JsonNode) => JsonNode | null): JsonNode {
  if (path.length === 0) return edit(root) ?? raw('null');
  const [head, ...rest] = path as [number, ...number[]];
  const child = (node: JsonNode): JsonNode | null => (rest.length === 0 ? edit(node) : editAt(node, rest, edit));
  if (root.t === 'arr') {
    const replaced = child(root.items[head] as JsonNode);
    return { t: 'arr', items: root.items.flatMap((item, i) => (i !== head ? [item] : replaced === null ? [] : [replaced])) };
  }
  if (root.t === 'obj') {
    const [key, value] = root.entries[head] as [string, JsonNode];
    const replaced = child(value);
    return { t: 'obj', entries: root.entries.flatMap((entry, i) => (i !== head ? [entry] : replaced === null ? [] : [[key, replaced] as [string, JsonNode]])) };
  }
  return root;
}

/** Every string, object key included, found in a parsed JSON value, joined: what "the body mentions" is checked against. */
export function allText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(allText).join('\n');
  if (typeof value === 'object' && value !== null)
    return Object.entries(value)
      .map(([k, v]) => `${k}\n${allText(v)}`)
      .join('\n');
  return String(value);
}

/** A parsed value in canonical form (`-0` is `0`, as JSON writes it), for comparing what was sent with what is stored. */
export function canonical(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value) ?? 'null');
}

/** How many arrays and objects nest along the deepest path (a flat object is 1). */
export function nestingLevels(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, above] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    deepest = Math.max(deepest, above + 1);
    for (const child of Object.values(v)) stack.push([child, above + 1]);
  }
  return deepest;
}

/** The JSON value of a body as the server's parser reads it (the last of duplicate keys wins); undefined when it is not JSON. */
export function tryParse(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
