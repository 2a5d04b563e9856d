import type { CodeSystem, CodeSystemConcept, ValueSet, ValueSetComposeInclude } from '@medplum/fhirtypes';

/** Answers "is this code in that value set" for the value sets in `fhir-profiles/`. */
export interface Terminology {
  /** undefined when the value set is not ours: its binding cannot be checked here. */
  contains(valueSetUrl: string, system: string | undefined, code: string): boolean | undefined;
}

/**
 * Expands our ValueSets once, at load. Only what our files need is supported: includes and
 * excludes by listed concepts or by a whole code system that is itself in `fhir-profiles/`.
 * https://hl7.org/fhir/R4/valueset.html#compositions
 */
export function createTerminology(codeSystems: CodeSystem[], valueSets: ValueSet[], packageValueSets: ValueSet[] = []): Terminology {
  const systems = new Map(codeSystems.map((cs) => [cs.url, cs]));
  const expansions = new Map<string, Set<string>>();
  for (const vs of valueSets) expansions.set(vs.url ?? '', expand(vs, systems));
  // Package value sets often draw on SNOMED CT or LOINC, which are not here: such a value set stays unexpanded and its bindings unchecked.
  for (const vs of packageValueSets) {
    try {
      expansions.set(vs.url ?? '', expand(vs, systems));
    } catch {
      continue;
    }
  }
  return {
    contains(valueSetUrl, system, code) {
      const codes = expansions.get(stripVersion(valueSetUrl));
      if (!codes) return undefined;
      if (system !== undefined) return codes.has(`${system}|${code}`);
      return [...codes].some((key) => key.endsWith(`|${code}`));
    },
  };
}

function expand(vs: ValueSet, systems: Map<string | undefined, CodeSystem>): Set<string> {
  const codes = new Set<string>();
  for (const include of vs.compose?.include ?? []) for (const key of componentCodes(vs, include, systems)) codes.add(key);
  for (const exclude of vs.compose?.exclude ?? []) for (const key of componentCodes(vs, exclude, systems)) codes.delete(key);
  return codes;
}

function componentCodes(vs: ValueSet, part: ValueSetComposeInclude, systems: Map<string | undefined, CodeSystem>): string[] {
  if (part.valueSet || part.filter) throw new Error(`${vs.url}: only concept lists and whole code systems are supported`);
  if (!part.system) throw new Error(`${vs.url}: an include without a system`);
  if (part.concept) return part.concept.map((c) => `${part.system}|${c.code}`);
  const cs = systems.get(part.system);
  if (!cs) throw new Error(`${vs.url}: includes all of ${part.system}, which is not in fhir-profiles/`);
  return flatten(cs.concept ?? []).map((c) => `${part.system}|${c.code}`);
}

function flatten(concepts: CodeSystemConcept[]): CodeSystemConcept[] {
  return concepts.flatMap((c) => [c, ...flatten(c.concept ?? [])]);
}

export function stripVersion(canonical: string): string {
  const bar = canonical.indexOf('|');
  return bar < 0 ? canonical : canonical.slice(0, bar);
}
