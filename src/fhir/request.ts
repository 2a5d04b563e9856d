import type { Resource } from '@medplum/fhirtypes';
import type { StoredVersion } from '../store/rows';
import type { Outcome } from '../problems/outcomes';
import type { FhirService } from './service';
import type { ImportLine } from './import/import-input';

export type QueryValue = string | string[] | undefined;

/** A FHIR REST request, free of any HTTP framework. */
export interface FhirRequest {
  resourceType?: string;
  id?: string;
  versionId?: string;
  query: Record<string, QueryValue>;
  body: unknown;
  /** An NDJSON body, parsed line by line (`$import`). */
  lines?: readonly ImportLine[];
  /** The version number from `If-Match: W/"n"`. */
  ifMatch?: string;
  /** The search criteria of `If-None-Exist`. */
  ifNoneExist?: string;
  /** `Prefer: handling=lenient` — unknown search parameters are ignored, not rejected. */
  lenient?: boolean;
  /** Absolute base URL of the FHIR API, e.g. `http://host/fhir/R4`. */
  baseUrl: string;
}

/** What a handler answers; the HTTP layer adds the headers (sendResource). */
export interface FhirResult {
  outcome: Outcome;
  resource?: Resource;
  /** `resource` as the JSON text it is stored as, when the handler has it untouched: sent as is. */
  json?: string;
  /** The stored version the answer is about: drives ETag, Last-Modified and Location. */
  version?: StoredVersion;
}

export type FhirHandler = (req: FhirRequest, service: FhirService) => Promise<FhirResult>;

/** The single value of a query parameter; repeated values are a client error for these. */
export function singleParam(req: FhirRequest, name: string): string | undefined {
  const value = req.query[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** Interaction codes of CapabilityStatement.rest.resource.interaction (and system-level ones). */
export type Interaction =
  'read' | 'vread' | 'update' | 'patch' | 'delete' | 'history-instance' | 'history-type' | 'create' | 'search-type' | 'batch' | 'transaction';

export interface FhirRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path below the FHIR base; `:type`, `:id` and `:vid` are bound. */
  path: string;
  handler: FhirHandler;
  /** What the route serves, for the CapabilityStatement; `operation` names a `$op`. */
  interaction?: Interaction;
  /** Further interactions the same handler serves (`batch` beside `transaction` at `POST /`). */
  alsoServes?: Interaction[];
  operation?: string;
}
