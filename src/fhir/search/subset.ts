import { getDataType } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import type { SummaryMode } from './parse';

/** https://hl7.org/fhir/R4/search.html#summary — marks a resource that is not complete. */
export const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'subsetted' };

/**
 * The resource as `_summary` (true, text, data) or else `_elements` asks; unchanged when
 * neither does. Mandatory elements, `id` and `meta` always stay.
 * https://hl7.org/fhir/R4/search.html#elements
 */
export function subsetResource(resource: Resource, summary: SummaryMode | undefined, elements: string[] | undefined): Resource {
  if (!subsets(summary, elements)) return resource;
  const schema = getDataType(resource.resourceType);
  const always = new Set(['resourceType', 'id', 'meta', ...(schema.mandatoryProperties ?? [])]);
  let keep: (element: string) => boolean;
  if (summary === 'true') keep = (e) => always.has(e) || !!schema.summaryProperties?.has(e);
  else if (summary === 'text') keep = (e) => always.has(e) || e === 'text';
  else if (summary === 'data') keep = (e) => e !== 'text';
  else keep = (e) => always.has(e) || !!elements?.includes(e);
  const choices = Object.keys(schema.elements)
    .filter((name) => name.endsWith('[x]'))
    .map((name) => name.slice(0, -3));
  const kept = Object.entries(resource).filter(([key]) => keep(elementOf(key, choices)));
  const subset = Object.fromEntries(kept) as Resource;
  subset.meta = { ...subset.meta, tag: [...(subset.meta?.tag ?? []), SUBSETTED] };
  return subset;
}

/** The element a JSON key carries: `deceasedBoolean` → `deceased`, `_birthDate` → `birthDate`. */
function elementOf(key: string, choices: string[]): string {
  const name = key.startsWith('_') ? key.slice(1) : key;
  return choices.find((c) => name.startsWith(c) && /^[A-Z]/.test(name.slice(c.length))) ?? name;
}

/** Whether `_summary` or `_elements` leave anything out of a resource. */
export function subsets(summary: SummaryMode | undefined, elements: string[] | undefined): boolean {
  return summary === 'true' || summary === 'text' || summary === 'data' || (elements !== undefined && summary !== 'false');
}
