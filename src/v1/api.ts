import type { V1LabOrderRequest } from '../../mappings/types';
import type { FhirService } from '../fhir/service';
import type { DocumentedApi, RouteDoc } from '../route-doc';
import type { V1SchemaName } from './schemas';

/** A /v1 request, free of any HTTP framework. */
export interface V1Request {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  /** A request header by lower-case name. */
  header(name: string): string | undefined;
  requestId: string;
  /** The FHIR service acting for the request's tenant and caller. */
  service: FhirService;
  /** What some families need beyond stored resources. */
  ports: V1Ports;
}

/** The lab: where /v1 families reach Junction (implemented in src/junction). */
export interface V1Ports {
  /** Places a lab order under an idempotency key and answers the seed-001 reply. */
  placeLabOrder(order: { body: V1LabOrderRequest; idempotencyKey: string; service: FhirService }): Promise<V1Reply>;
  /** The team physician Junction knows by this NPI (its `junction_physician_id`), or null; a 502 when Junction cannot be asked. */
  junctionPhysicianId(npi: string): Promise<string | null>;
}

/** What a use case answers; the HTTP layer adds status, headers and the family's envelope. */
export interface V1Reply {
  data: unknown;
  /** A new resource was made: 201, with `Location` pointing at `id` under the route's mount path. */
  createdId?: string;
  /** Family-specific envelope fields beside the request id (paging of a list). */
  meta?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface V1Route {
  method: 'get' | 'post';
  /** Express-style path below the API's prefix: `/` or `/:id`. */
  path: string;
  handle(req: V1Request): Promise<V1Reply>;
  /** What the OpenAPI document says of this route. */
  doc: RouteDoc<V1SchemaName>;
}

/**
 * How a family's documented responses look:
 * - `error-message`: the resource itself; errors `{ error, message }` (seeds 000, 001, 002);
 * - `meta-envelope`: `{ data | error, meta }`, `meta` with the request id, time, status and the
 *   caller's rate-limit budget (seed 003);
 * - `request-id-envelope`: `{ data, meta: { request_id, … } }`; errors
 *   `{ error: { code, message }, meta: { request_id } }` (seed 004).
 */
export type ResponseShape = 'error-message' | 'meta-envelope' | 'request-id-envelope';

/** One /v1 API: where it is mounted, its routes and its documented response shape. */
export interface V1Api {
  prefixes: string[];
  shape: ResponseShape;
  /** Whether POST bodies are JSON (415 for another content type). */
  acceptsJson: boolean;
  routes: V1Route[];
  /** The OpenAPI document's tag, description and error schemas for this API. */
  doc: Pick<DocumentedApi<V1SchemaName>, 'tag' | 'description' | 'errors'>;
}

/** An API as the OpenAPI document sees it. */
export function documentedApi(api: V1Api): DocumentedApi<V1SchemaName> {
  return { ...api.doc, prefixes: api.prefixes, refusesOtherMediaTypes: api.acceptsJson, routes: api.routes };
}
