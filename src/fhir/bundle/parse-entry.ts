import { isSupportedType } from '../validation/definitions';
import { badRequest, fail } from '../../problems/outcomes';
import { isObject } from '../validation/profile-rules';
import type { FhirRequest } from '../request';
import type { FhirRoute } from '../request';
import { parseEntryUrl } from './entry-url';
import { patchOperations } from './patch-body';
import { matchRoute } from '../route-match';

export type EntryMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const METHODS: readonly string[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] satisfies EntryMethod[];

/** One entry of a batch or transaction, checked and bound to the route its url reaches. */
export interface BundleRequestEntry {
  index: number;
  method: EntryMethod;
  fullUrl?: string;
  route: FhirRoute;
  /** What the route's handler is given; `body` still holds the Bundle's own references. */
  request: FhirRequest;
}

/**
 * `Bundle.entry[index]` as a request to the same handler that serves it over HTTP, or a 400
 * naming the element that is wrong. https://hl7.org/fhir/R4/bundle.html#Bundle.entry.request
 */
export function parseEntry(raw: unknown, index: number, routes: readonly FhirRoute[], parent: FhirRequest): BundleRequestEntry {
  const at = `Bundle.entry[${index}]`;
  if (!isObject(raw)) fail(badRequest(`${at} must be an object`, at));
  const { request, fullUrl } = raw;
  if (!isObject(request)) fail(badRequest(`${at}.request is required in a batch or transaction`, `${at}.request`));
  if (fullUrl !== undefined && typeof fullUrl !== 'string') fail(badRequest(`${at}.fullUrl must be a string`, `${at}.fullUrl`));

  const method = typeof request.method === 'string' ? request.method.toUpperCase() : '';
  if (!METHODS.includes(method)) {
    fail(badRequest(`${at}.request.method must be one of ${METHODS.join(', ')}`, `${at}.request.method`));
  }
  const { route, params, query } = routeOf(request.url, method, routes, parent.baseUrl, `${at}.request.url`);
  return {
    index,
    method: method as EntryMethod,
    fullUrl,
    route,
    request: {
      resourceType: params.type,
      id: params.id,
      versionId: params.vid,
      query,
      body: bodyOf(method, raw.resource, `${at}.resource`),
      ifMatch: versionOf(request.ifMatch, `${at}.request.ifMatch`),
      ifNoneExist: optionalString(request.ifNoneExist, `${at}.request.ifNoneExist`),
      lenient: parent.lenient,
      baseUrl: parent.baseUrl,
    },
  };
}

function routeOf(url: unknown, method: string, routes: readonly FhirRoute[], baseUrl: string, at: string) {
  const parsed = typeof url === 'string' ? parseEntryUrl(url, baseUrl) : undefined;
  if (!parsed) fail(badRequest(`${at} must be a URL relative to the FHIR base, e.g. Patient/123`, at));
  const type = parsed.segments[0];
  if (!isSupportedType(type)) fail(badRequest(`${at} names resource type ${JSON.stringify(type)}, which this server does not store`, at));
  const match = matchRoute(routes, method.toLowerCase(), parsed.segments);
  if (!match) fail(badRequest(`No FHIR interaction of this server serves ${method} ${parsed.segments.join('/')}`, at));
  return { ...match, query: parsed.query };
}

function bodyOf(method: string, resource: unknown, at: string): unknown {
  if (method === 'PATCH') return patchOperations(resource, at);
  if (method !== 'POST' && method !== 'PUT') return undefined;
  if (!isObject(resource)) fail(badRequest(`A ${method} entry needs a resource`, at));
  return resource;
}

/** `W/"3"` or `"3"` → `3`. https://hl7.org/fhir/R4/http.html#concurrency */
function versionOf(ifMatch: unknown, at: string): string | undefined {
  const value = optionalString(ifMatch, at);
  if (value === undefined) return undefined;
  return /^(?:W\/)?"?([^"\s]+)"?$/.exec(value.trim())?.[1] ?? fail(badRequest(`${at} must look like W/"<versionId>"`, at));
}

function optionalString(value: unknown, at: string): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : fail(badRequest(`${at} must be a string`, at));
}
