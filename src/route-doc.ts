import type { OutcomeKind } from './problems/outcomes';

/** Response headers a route may document beyond those every API response carries. */
export type DocumentedHeader = 'Location' | 'Idempotent-Replayed' | 'Retry-After' | 'WWW-Authenticate';

/** A request header a route reads. */
export interface RequestHeaderDoc {
  name: string;
  required: boolean;
  description: string;
  schema: Record<string, unknown>;
}

/** A documented failure of one route: when it happens, and the headers it adds. */
export interface FailureDoc {
  description: string;
  headers?: DocumentedHeader[];
}

/**
 * What the OpenAPI document (`GET /v1/openapi.json`) says of one route, written beside the
 * route itself so the two cannot part. Schemas are named (`S`): the builder looks the name up
 * in the registry of the JSON Schemas the route is validated with.
 */
export interface RouteDoc<S extends string> {
  /** Unique across the document; the docs page uses it in its links. */
  operationId: string;
  summary: string;
  description?: string;
  /** The JSON Schema the body is checked with. */
  body?: S;
  /** The JSON Schema the query string is checked with: each property is a parameter. */
  query?: S;
  headers?: RequestHeaderDoc[];
  /** The success answer: `ok` (200), `created` (201, with Location) or `noContent` (204, no body). */
  reply: { kind: 'ok' | 'created' | 'noContent'; description: string; schema?: S; headers?: DocumentedHeader[] };
  /** The failures documented for this route beyond those every route of its API has. */
  failures?: Partial<Record<OutcomeKind, FailureDoc>>;
}

/** A documented API: where it is mounted, its error bodies, and its routes (Express-style paths). */
export interface DocumentedApi<S extends string> {
  tag: string;
  description: string;
  prefixes: string[];
  /** The schema of its error bodies, by outcome; `default` for the others. */
  errors: { default: S } & Partial<Record<OutcomeKind, S>>;
  /** Whether a body of another content type is refused with a 415. */
  refusesOtherMediaTypes: boolean;
  routes: { method: 'get' | 'post' | 'delete'; path: string; doc: RouteDoc<S> }[];
}
