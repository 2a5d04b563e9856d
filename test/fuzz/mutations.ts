import fc from 'fast-check';
import { editAt, raw, slots, toNode, toText, type JsonNode, type Slot } from './json-text';
import { isNameable, nested, oddKey, oddValue } from './odd-values';

/**
 * One change to a valid body. `at` picks the place among the candidates of its kind (modulo
 * their number), so the same mutation applies to any body and shrinks towards the first place.
 */
export type Mutation =
  | { kind: 'replace'; at: number; value: JsonNode }
  | { kind: 'delete'; at: number }
  | { kind: 'addKey'; at: number; key: string; value: JsonNode }
  | { kind: 'duplicateKey'; at: number; value: JsonNode; first: boolean }
  | { kind: 'repeat'; at: number; count: number }
  | { kind: 'wrap'; at: number; depth: number; as: 'array' | 'object' };

export interface Mutated {
  /** The body as sent. */
  text: string;
  /**
   * The elements the change touched — the changed member, or the element holding it (whose
   * slice, invariant or emptiness the change may break): a 4xx must mention one of them. Empty
   * when the change names nothing a client could read back (the whole body, a key that is not valid Unicode).
   */
  targets: string[];
}

const at = fc.nat({ max: 10_000 });

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('replace' as const), at, value: oddValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), at }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('addKey' as const), at, key: oddKey, value: fc.oneof(oddValue, fc.constant(raw('"x"'))) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicateKey' as const), at, value: oddValue, first: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('repeat' as const), at, count: fc.oneof(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 500, max: 3000 })) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('wrap' as const),
      at,
      depth: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 50, max: 200 })),
      as: fc.constantFrom('array' as const, 'object' as const),
    }),
  },
);

const pick = <T>(candidates: T[], index: number): T | undefined => candidates[index % Math.max(1, candidates.length)];
const named = (...keys: (string | undefined)[]): string[] => keys.filter((k): k is string => k !== undefined && isNameable(k));

/** The body with the mutation applied; a mutation with no place of its kind leaves the body as it is. */
export function mutate(body: unknown, mutation: Mutation): Mutated {
  const root = toNode(body);
  const all = slots(root);
  const inner = all.filter((s) => s.path.length > 0);
  const done = (node: JsonNode, targets: string[]): Mutated => ({ text: toText(node), targets });
  const unchanged = done(root, []);
  switch (mutation.kind) {
    case 'replace': {
      const slot = pick(all, mutation.at) as Slot;
      return done(
        editAt(root, slot.path, () => mutation.value),
        named(slot.key, slot.parentKey),
      );
    }
    case 'delete': {
      const slot = pick(inner, mutation.at);
      return slot
        ? done(
            editAt(root, slot.path, () => null),
            named(slot.key, slot.parentKey),
          )
        : unchanged;
    }
    case 'addKey': {
      const slot = pick(
        all.filter((s) => s.node.t === 'obj'),
        mutation.at,
      );
      if (!slot) return unchanged;
      const edited = editAt(root, slot.path, (node) => (node.t === 'obj' ? { t: 'obj', entries: [...node.entries, [mutation.key, mutation.value]] } : node));
      return done(edited, isNameable(mutation.key) ? [mutation.key] : named(slot.key));
    }
    case 'duplicateKey': {
      const slot = pick(
        inner.filter((s) => s.member),
        mutation.at,
      );
      if (!slot || slot.key === undefined) return unchanged;
      const key = slot.key;
      const index = slot.path.at(-1) as number;
      const edited = editAt(root, slot.path.slice(0, -1), (parent) => {
        if (parent.t !== 'obj') return parent;
        const entries = [...parent.entries];
        entries.splice(mutation.first ? index : index + 1, 0, [key, mutation.value]);
        return { t: 'obj', entries };
      });
      return done(edited, named(key, slot.parentKey));
    }
    case 'repeat': {
      const slot = pick(inner, mutation.at);
      if (!slot) return unchanged;
      const copies = (node: JsonNode): JsonNode[] => Array.from({ length: mutation.count }, () => node);
      const edited = slot.member
        ? editAt(root, slot.path, (node) => ({ t: 'arr', items: copies(node) }))
        : editAt(root, slot.path.slice(0, -1), (parent) =>
            parent.t === 'arr' ? { t: 'arr', items: parent.items.flatMap((item, i) => (i === slot.path.at(-1) ? copies(item) : [item])) } : parent,
          );
      return done(edited, named(slot.key, slot.parentKey));
    }
    case 'wrap': {
      const slot = pick(inner, mutation.at);
      if (!slot) return unchanged;
      return done(
        editAt(root, slot.path, (node) => raw(nested(mutation.depth, mutation.as, toText(node)))),
        named(slot.key, slot.parentKey),
      );
    }
  }
}
