import { parse as parseQueryString } from 'node:querystring';
import express, { type Request, type Response, type Router } from 'express';
import { isSupportedType } from '../fhir/validation/definitions';
import { badRequest, fail, notFound } from '../problems/outcomes';
import type { FhirRequest, QueryValue } from '../fhir/request';
import type { FhirRoute } from '../fhir/request';
import type { FhirService } from '../fhir/service';
import { preferReturn, sendResult } from './send-resource';

export interface FhirRouterDeps {
  routes: readonly FhirRoute[];
  serviceFor(req: Request): FhirService;
  baseUrlOf(req: Request): string;
}

/** Mounts the FHIR route table: parse the request, call the handler, send the result. */
export function fhirRouter(deps: FhirRouterDeps): Router {
  const router = express.Router();
  for (const route of deps.routes) {
    router[route.method](route.path, async (req: Request, res: Response) => {
      const fhirRequest = toFhirRequest(req, res, deps.baseUrlOf(req));
      if (fhirRequest.resourceType !== undefined && !isSupportedType(fhirRequest.resourceType)) {
        fail(notFound(`Resource type ${fhirRequest.resourceType} is not supported by this server`));
      }
      const result = await route.handler(fhirRequest, deps.serviceFor(req));
      sendResult(res, result, fhirRequest.baseUrl, preferReturn(req.get('prefer')));
    });
  }
  return router;
}

function toFhirRequest(req: Request, res: Response, baseUrl: string): FhirRequest {
  const params = req.params as Record<string, string | undefined>;
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
