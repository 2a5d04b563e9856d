import type { CapabilityStatement, CapabilityStatementRestResource, CapabilityStatementRestSecurity, ResourceType } from '@medplum/fhirtypes';
import type { FhirRoute, Interaction } from './request';
import type { SearchParamSummary } from './search/params';

const SYSTEM_INTERACTIONS: Interaction[] = ['batch', 'transaction'];

/** A type served outside the route table by a search alone (the audit trail), with its parameters. */
export interface SearchOnlyType {
  type: string;
  documentation: string;
  searchParam: SearchParamSummary[];
}

export interface CapabilityInputs {
  routes: readonly FhirRoute[];
  types: readonly string[];
  /** The search parameters the search engine serves for a type. */
  searchParams(type: string): SearchParamSummary[];
  /** The `_include` and `_revinclude` values a search of a type serves. */
  includes(type: string): { include: string[]; revinclude: string[] };
  /** Profiles loaded from fhir-profiles/, by the type they constrain. */
  profiles: readonly { type: string; url: string }[];
  baseUrl: string;
  security: CapabilityStatementRestSecurity;
  software: { name: string; version: string };
  /** Operations routed outside the route table (Bulk Data `$export`): on a type, or system-wide without one. */
  operations?: readonly { name: string; definition: string; type?: string }[];
  /** CapabilityStatements this server also conforms to (the Bulk Data IG's). */
  instantiates?: string[];
  searchOnly?: readonly SearchOnlyType[];
}

/**
 * The CapabilityStatement, computed from the route table and the search engine so that it
 * cannot claim what is not routed. https://hl7.org/fhir/R4/capabilitystatement.html
 */
export function buildCapabilityStatement(inputs: CapabilityInputs): CapabilityStatement {
  const typeInteractions = unique(inputs.routes.flatMap(interactionsOf).filter((i): i is Interaction => !!i && !SYSTEM_INTERACTIONS.includes(i)));
  const operations = unique(inputs.routes.map((r) => r.operation).filter((o): o is string => !!o));
  const extra = inputs.operations ?? [];
  const system = unique(inputs.routes.flatMap(interactionsOf).filter((i): i is Interaction => !!i && SYSTEM_INTERACTIONS.includes(i)));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    ...(inputs.instantiates?.length ? { instantiates: inputs.instantiates } : {}),
    software: inputs.software,
    implementation: { description: 'FHIR R4 facade server', url: inputs.baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json'],
    rest: [
      {
        mode: 'server',
        security: inputs.security,
        resource: [
          ...inputs.types.map((type): CapabilityStatementRestResource => ({
            type: type as ResourceType,
            profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
            supportedProfile: inputs.profiles.filter((p) => p.type === type).map((p) => p.url),
            interaction: typeInteractions.map((code) => ({ code: code as never })),
            versioning: 'versioned-update',
            readHistory: true,
            updateCreate: true,
            conditionalCreate: typeInteractions.includes('create') && typeInteractions.includes('search-type'),
            conditionalUpdate: typeInteractions.includes('update') && typeInteractions.includes('search-type'),
            conditionalDelete: 'not-supported',
            searchInclude: typeInteractions.includes('search-type') ? inputs.includes(type).include : [],
            searchRevInclude: typeInteractions.includes('search-type') ? inputs.includes(type).revinclude : [],
            searchParam: typeInteractions.includes('search-type') ? inputs.searchParams(type) : [],
            operation: [
              ...operations.map((name) => ({ name, definition: `http://hl7.org/fhir/OperationDefinition/Resource-${name}` })),
              ...extra.filter((o) => o.type === type).map(({ name, definition }) => ({ name, definition })),
            ],
          })),
          ...(inputs.searchOnly ?? []).map(searchOnlyResource),
        ],
        interaction: system.map((code) => ({ code: code as never })),
        operation: extra.filter((o) => o.type === undefined).map(({ name, definition }) => ({ name, definition })),
      },
    ],
  };
}

/** A type whose only interaction is a search of what the server records itself: no versions, no writes. */
function searchOnlyResource(served: SearchOnlyType): CapabilityStatementRestResource {
  return {
    type: served.type as ResourceType,
    profile: `http://hl7.org/fhir/StructureDefinition/${served.type}`,
    documentation: served.documentation,
    interaction: [{ code: 'search-type' }],
    versioning: 'no-version',
    readHistory: false,
    updateCreate: false,
    conditionalCreate: false,
    conditionalUpdate: false,
    conditionalDelete: 'not-supported',
    searchParam: served.searchParam,
  };
}

/** What a route serves: its interaction and any it `alsoServes`. */
function interactionsOf(route: FhirRoute): (Interaction | undefined)[] {
  return [route.interaction, ...(route.alsoServes ?? [])];
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
