import type { CodeSystem, SearchParameter, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
import { isSupportedType } from './definitions';
import { readFhirPackages } from './fhir-packages';

export interface PackageContent {
  /** Profiles of the types stored here, extensions and data type profiles, value sets and code systems. */
  definitions: (StructureDefinition | CodeSystem | ValueSet)[];
  /** Search parameters on the types stored here. */
  searchParameters: SearchParameter[];
  /** `name#version` of each package read, for the start-up log. */
  packages: string[];
}

/**
 * What the server can use of the FHIR packages in `dir`: a package such as US Core also
 * profiles types this server does not store (Observation, Condition…), which are left out.
 */
export function packageContent(dir: string): PackageContent {
  const packages = readFhirPackages(dir);
  const all = packages.flatMap((p) => p.resources);
  return {
    definitions: all.filter(
      (r): r is StructureDefinition | CodeSystem | ValueSet =>
        r.resourceType !== 'SearchParameter' && (r.resourceType !== 'StructureDefinition' || r.kind !== 'resource' || isSupportedType(r.type)),
    ),
    searchParameters: all.filter((r): r is SearchParameter => r.resourceType === 'SearchParameter' && (r.base ?? []).some(isSupportedType)),
    packages: packages.map((p) => `${p.name}#${p.version}`),
  };
}
