type Json = Record<string, unknown>;

/** A place that holds a reference string: `holder[key]`. */
interface Slot {
  holder: Json;
  key: string;
}

/** Every reference string in `value`, at any depth (Reference.reference and JSON Patch values). */
export function referencesIn(value: unknown): string[] {
  return slotsOf(value).map(({ holder, key }) => holder[key] as string);
}

/**
 * `value` with each reference string replaced by what `resolve` makes of it: a copy when one
 * changes, `value` itself when none does (a body pointing only at stored resources, or at nothing).
 */
export async function replaceReferences<T>(value: T, resolve: (reference: string) => string | Promise<string>): Promise<T> {
  const slots = slotsOf(value);
  const resolved: string[] = [];
  for (const { holder, key } of slots) resolved.push(await resolve(holder[key] as string));
  if (slots.every(({ holder, key }, i) => holder[key] === resolved[i])) return value;
  const copy = structuredClone(value);
  slotsOf(copy).forEach(({ holder, key }, i) => (holder[key] = resolved[i]));
  return copy;
}

/** The objects of `value` holding a `reference` string, in document order. */
export function referenceHolders(value: unknown): Json[] {
  return slotsOf(value)
    .filter(({ key }) => key === 'reference')
    .map(({ holder }) => holder);
}

/** The slots of `value` in document order, appended to `slots`. */
function slotsOf(value: unknown, slots: Slot[] = []): Slot[] {
  if (Array.isArray(value)) {
    for (const item of value) slotsOf(item, slots);
    return slots;
  }
  if (typeof value !== 'object' || value === null) return slots;
  const holder = value as Json;
  if (typeof holder.reference === 'string') slots.push({ holder, key: 'reference' });
  // A JSON Patch operation that sets `…/reference` carries the reference as its bare value.
  if (typeof holder.op === 'string' && typeof holder.path === 'string' && holder.path.endsWith('/reference') && typeof holder.value === 'string') {
    slots.push({ holder, key: 'value' });
  }
  for (const key in holder) slotsOf(holder[key], slots);
  return slots;
}
