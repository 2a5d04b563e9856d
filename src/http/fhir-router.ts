import { parse as parseQueryString } from 'node:querystring';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isSupportedType } from '../fhir/validation/definitions';
import { badRequest, fail, notFound } from '../problems/outcomes';
import type { FhirRequest, QueryValue } from '../fhir/request';
import type { FhirRoute } from '../fhir/request';
import { decodeSegments, matchRoute } from '../fhir/route-match';
import type { FhirService } from '../fhir/service';
import { preferReturn, sendResult } from './send-resource';

export interface FhirRouterDeps {
  routes: readonly FhirRoute[];
  serviceFor(req: Request): FhirService;
  baseUrlOf(req: Request): string;
}

/**
 * The FHIR route table as one handler: the method and path pick the route (the first that
 * matches, as for Bundle entries), then parse the request, call the handler, send the result.
 * One lookup instead of a router layer per route on every request.
 */
export function fhirRouter(deps: FhirRouterDeps): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const segments = pathSegments(req.path);
    const match = segments && matchRoute(deps.routes, req.method === 'HEAD' ? 'get' : req.method.toLowerCase(), segments);
    if (!match) return next();
    res.locals.route = match.route.path;
    const fhirRequest = toFhirRequest(req, res, match.params, deps.baseUrlOf(req));
    if (fhirRequest.resourceType !== undefined && !isSupportedType(fhirRequest.resourceType)) {
      fail(notFound(`Resource type ${fhirRequest.resourceType} is not supported by this server`));
    }
    const result = await match.route.handler(fhirRequest, deps.serviceFor(req));
    sendResult(res, result, fhirRequest.baseUrl, preferReturn(req.get('prefer')));
  };
}

/** `/Patient/123/` → `['Patient', '123']`, decoded; undefined for an empty segment; 400 for bad percent-encoding. */
function pathSegments(path: string): string[] | undefined {
  const raw = path.split('/').slice(1);
  if (raw.at(-1) === '') raw.pop();
  if (raw.includes('')) return undefined;
  return decodeSegments(raw) ?? fail(badRequest('The URL path is not valid percent-encoded UTF-8'));
}

function toFhirRequest(req: Request, res: Response, params: Record<string, string | undefined>, baseUrl: string): FhirRequest {
  return {
    resourceType: params.type,
    id: params.id,
    versionId: params.vid,
    query: mergedQuery(req),
    body: req.body,
    lines: res.locals.importLines,
    ifMatch: parseIfMatch(req.get('if-match')),
    ifNoneExist: req.get('if-none-exist'),
    lenient: /handling=lenient/.test(req.get('prefer') ?? ''),
    baseUrl,
  };
}

/**
 * `POST _search` carries its parameters form-encoded in the body; they join the URL's. The body
 * is parsed as the URL's query is (Node's querystring): names are taken as written, `a[b]` too.
 */
function mergedQuery(req: Request): Record<string, QueryValue> {
  // Without a prototype, a parameter named `__proto__` is a parameter like any other.
  const query: Record<string, QueryValue> = Object.assign(Object.create(null), req.query);
  if (req.path.endsWith('/_search') && typeof req.body === 'string') {
    for (const [key, value] of Object.entries(parseQueryString(req.body))) {
      const existing = query[key];
      query[key] = existing === undefined ? value : ([] as string[]).concat(existing, value ?? []);
    }
  }
  return query;
}

/** `W/"3"` or `"3"` → `3`. https://hl7.org/fhir/R4/http.html#concurrency */
function parseIfMatch(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^(?:W\/)?"?([^"]+)"?$/.exec(header.trim());
  return m?.[1] ?? fail(badRequest('If-Match must look like W/"<versionId>"', 'If-Match'));
}
