import type { Extension } from '@medplum/fhirtypes';

interface HasExtensions {
  extension?: Extension[];
}

/**
 * The primitive value[x] types our extensions may be profiled with. Reading any of them keeps
 * the projection independent of which type `fhir-profiles/` picks for a timestamp or an id.
 */
const STRING_VALUE_KEYS = [
  'valueString',
  'valueCode',
  'valueDateTime',
  'valueInstant',
  'valueDate',
  'valueId',
  'valueUri',
  'valueUrl',
  'valueCanonical',
  'valueMarkdown',
  'valueUuid',
  'valueOid',
] as const satisfies readonly (keyof Extension)[];

export function findExtension(holder: HasExtensions | undefined, url: string): Extension | undefined {
  return holder?.extension?.find((e) => e.url === url);
}

/** The first string-like value of the extension with this url, or null. */
export function extensionString(holder: HasExtensions | undefined, url: string): string | null {
  const ext = findExtension(holder, url);
  if (!ext) return null;
  for (const key of STRING_VALUE_KEYS) {
    const value = ext[key];
    if (typeof value === 'string') return value;
  }
  return null;
}

export function extensionBoolean(holder: HasExtensions | undefined, url: string): boolean | null {
  return findExtension(holder, url)?.valueBoolean ?? null;
}

/** `[ { url, valueString } ]`, or `[]` when the value is absent: spread it into `extension`. */
export function stringExtension(url: string, value: string | undefined): Extension[] {
  return value === undefined ? [] : [{ url, valueString: value }];
}

export function codeExtension(url: string, value: string | undefined): Extension[] {
  return value === undefined ? [] : [{ url, valueCode: value }];
}

/** A copy of `holder` whose extension with `ext.url` is replaced by `ext` (or added). */
export function withExtension<T extends HasExtensions>(holder: T, ext: Extension): T {
  const others = (holder.extension ?? []).filter((e) => e.url !== ext.url);
  return { ...holder, extension: [...others, ext] };
}
