type Json = Record<string, unknown>;

/** A place that holds a reference string: `holder[key]`. */
interface Slot {
  holder: Json;
  key: string;
}

/** Every reference string in `value`, at any depth (Reference.reference and JSON Patch values). */
export function referencesIn(value: unknown): string[] {
  return [...slotsOf(value)].map(({ holder, key }) => holder[key] as string);
}

/** A copy of `value` with each reference string replaced by what `resolve` makes of it. */
export async function replaceReferences<T>(value: T, resolve: (reference: string) => string | Promise<string>): Promise<T> {
  const copy = structuredClone(value);
  for (const { holder, key } of slotsOf(copy)) holder[key] = await resolve(holder[key] as string);
  return copy;
}

function* slotsOf(value: unknown): Generator<Slot> {
  if (Array.isArray(value)) {
    for (const item of value) yield* slotsOf(item);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const holder = value as Json;
  if (typeof holder.reference === 'string') yield { holder, key: 'reference' };
  // A JSON Patch operation that sets `…/reference` carries the reference as its bare value.
  if (typeof holder.op === 'string' && typeof holder.path === 'string' && holder.path.endsWith('/reference') && typeof holder.value === 'string') {
    yield { holder, key: 'value' };
  }
  for (const child of Object.values(holder)) yield* slotsOf(child);
}
