import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Principal } from '../auth/authenticator';
import { allows } from '../auth/scopes';
import { securityStatement } from '../auth/security-statement';
import { AUDIT_TRAIL_CAPABILITY, searchAuditEvents, type AuditReader } from '../fhir/audit/audit-search';
import { buildCapabilityStatement } from '../fhir/capability';
import { BULK_DATA_CAPABILITY, EXPORT_OPERATIONS } from '../fhir/export/operations';
import { FHIR_ROUTES } from '../fhir/routes';
import { includesOf, revIncludesOf, supportedSearchParams } from '../fhir/search/params';
import { SUPPORTED_TYPES } from '../fhir/validation/definitions';
import type { ProfileRegistry } from '../fhir/validation/profiles';
import { insufficientScope } from '../problems/problem';
import { bulkExportFiles, bulkExportRouter, isExportPath, type BulkExportRouterDeps } from './bulk-export-router';
import { fhirMediaTypes } from './fhir-media';
import { fhirRouter } from './fhir-router';
import { jsonGuard, jsonParser } from './json-guard';
import { ndjsonBody } from './ndjson-body';
import { only, pipeline } from './pipeline';
import { FHIR_JSON, sendResult } from './send-resource';

export interface FhirApiDeps extends BulkExportRouterDeps {
  /** Authentication and rate limiting, run before anything else of the API. */
  door: RequestHandler[];
  principalOf(req: Request): Principal;
  profiles: ProfileRegistry;
  acceptsTokens: boolean;
  readAudit(tenantId: string): AuditReader;
  bodyLimit: string;
  /** The body limit of a batch or transaction Bundle. */
  bundleBodyLimit: string;
  software: { name: string; version: string };
}

/** Paths below the FHIR base that take many resources at once: the Bundle limit applies. */
const BULK_PATHS = ['/', '/$import'];

const JSON_TYPES = ['application/json', 'application/fhir+json', 'application/json+fhir', 'application/json-patch+json'];

/**
 * Whether the request frames a body at all, as body-parser decides (a zero Content-Length
 * included): most requests (reads, searches) do not and skip the parsers. Not the media-type
 * check's `hasBody`, which asks whether a write sent content.
 */
const hasBodyFraming = (req: Request): boolean => req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined;

/** JSON (with the Bundle limit where Bundles go), NDJSON for `$import`, and form-encoded `_search` bodies, each checked for what cannot be stored. */
function fhirBodies(bodyLimit: string, bundleBodyLimit: string): RequestHandler {
  const resourceJson = jsonParser({ type: JSON_TYPES, limit: bodyLimit, strict: false });
  const bundleJson = jsonParser({ type: JSON_TYPES, limit: bundleBodyLimit, strict: false });
  const parsers = pipeline(
    // Bundles (POST to the base) and imports have a limit of their own: real senders' patient bundles run to megabytes.
    (req: Request, res: Response, next: NextFunction) => (BULK_PATHS.includes(req.path) ? bundleJson : resourceJson)(req, res, next),
    jsonGuard,
    ndjsonBody(bundleBodyLimit),
    express.text({ type: 'application/x-www-form-urlencoded', limit: bodyLimit }),
  );
  return (req, res, next) => (hasBodyFraming(req) ? parsers(req, res, next) : next());
}

/** The paths of the routes the API serves itself, beside the REST interactions and bulk export (as Express matches them). */
const OWN_ROUTE = /^\/(metadata|AuditEvent)\/?$/i;

/**
 * Everything below the FHIR base as one layer: the door, media types and bodies, then metadata,
 * the audit trail, bulk export and the REST interactions. A read or search passes only the
 * handlers that concern it: the routers of the few other paths are asked only for their paths.
 */
export function fhirApi(deps: FhirApiDeps): RequestHandler {
  const ownRoutes = express.Router();
  ownRoutes.get('/metadata', (req, res) => {
    const statement = buildCapabilityStatement({
      routes: FHIR_ROUTES,
      types: SUPPORTED_TYPES,
      searchParams: supportedSearchParams,
      includes: (type) => ({ include: includesOf(type), revinclude: revIncludesOf(type) }),
      profiles: SUPPORTED_TYPES.flatMap((type) => deps.profiles.profilesFor(type).map((url) => ({ type, url }))),
      baseUrl: deps.baseUrlOf(req),
      security: securityStatement(deps.acceptsTokens),
      software: deps.software,
      operations: EXPORT_OPERATIONS.map(({ type, definition }) => ({ name: 'export', type, definition })),
      instantiates: [BULK_DATA_CAPABILITY],
      searchOnly: [AUDIT_TRAIL_CAPABILITY],
    });
    res.type(FHIR_JSON).json(statement);
  });
  ownRoutes.get('/AuditEvent', async (req, res) => {
    const principal = deps.principalOf(req);
    if (!allows(principal.scopes, 'AuditEvent', 's')) throw insufficientScope('reading the audit trail needs system/AuditEvent.rs');
    const query = req.query as Record<string, string | string[] | undefined>;
    const result = await searchAuditEvents({ query, body: undefined, baseUrl: deps.baseUrlOf(req) }, deps.readAudit(principal.tenantId));
    sendResult(res, result, deps.baseUrlOf(req));
  });
  return pipeline(
    ...deps.door,
    // Output files answer NDJSON, which the FHIR media-type checks would refuse.
    only(isExportPath, bulkExportFiles(deps)),
    fhirMediaTypes,
    fhirBodies(deps.bodyLimit, deps.bundleBodyLimit),
    only((path) => OWN_ROUTE.test(path), ownRoutes),
    only(isExportPath, bulkExportRouter(deps)),
    fhirRouter({ routes: FHIR_ROUTES, serviceFor: deps.serviceFor, baseUrlOf: deps.baseUrlOf }),
  );
}
