import cors from 'cors';
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import helmet from 'helmet';
import type { Admin } from '../auth/admin';
import type { Authenticator, Principal } from '../auth/authenticator';
import { allows } from '../auth/scopes';
import { securityStatement } from '../auth/security-statement';
import { searchAuditEvents, type AuditReader } from '../fhir/audit/audit-search';
import { buildCapabilityStatement } from '../fhir/capability';
import type { BulkExports } from '../fhir/export/bulk-exports';
import { BULK_DATA_CAPABILITY, EXPORT_OPERATIONS } from '../fhir/export/operations';
import { FHIR_ROUTES } from '../fhir/routes';
import { includesOf, revIncludesOf, supportedSearchParams } from '../fhir/search/params';
import type { FhirService } from '../fhir/service';
import { SUPPORTED_TYPES } from '../fhir/validation/definitions';
import type { ProfileRegistry } from '../fhir/validation/profiles';
import type { Logger } from '../logger';
import { insufficientScope, problemOf } from '../problems/problem';
import type { DatabaseStatus } from '../store/health';
import type { RateLimitCounter, WindowSettings } from '../store/rate-limit-counter';
import type { JunctionWebhooks } from '../junction/webhooks';
import type { V1Ports } from '../v1/api';
import { v1Apis } from '../v1';
import { errorFunnel, writerFor, type ErrorScope, type OutagePolicy } from './error-funnel';
import { writeFhirError } from './fhir-errors';
import { fhirMediaTypes } from './fhir-media';
import { fhirRouter } from './fhir-router';
import { frontDoor } from './front-door';
import { adminRouter } from './admin-router';
import { authenticate } from './authenticate';
import { bulkExportFiles, bulkExportRouter } from './bulk-export-router';
import { closeConnectionsWhileDraining, healthRoutes } from './health';
import { jsonGuard, jsonParser } from './json-guard';
import { ndjsonBody } from './ndjson-body';
import { docsRouter } from './openapi/docs-page';
import { buildOpenApiDocument, OPENAPI_PATH } from './openapi/document';
import { rateLimit } from './rate-limit';
import { requestContext } from './request-context';
import { requestLog } from './request-log';
import { FHIR_JSON, sendResult } from './send-resource';
import { ERROR_WRITERS } from './v1-shapes';
import { v1Router } from './v1-router';
import { webhookRouter } from './webhook-router';

export const FHIR_BASE = '/fhir/R4';
const SOFTWARE = { name: 'fhir-facade-server', version: '0.1.0' };

/** Who a request is for: what the FHIR service needs to act for it (tenant, scopes, audit). */
export interface Caller {
  principal: Principal;
  requestId: string;
}

export interface AppDeps {
  logger: Logger;
  profiles: ProfileRegistry;
  /** The FHIR service acting for an authenticated caller: the one door to stored resources. */
  serviceFor(caller: Caller): FhirService;
  authenticator: Authenticator;
  /** Whether JWT access tokens are accepted beside API keys. */
  acceptsTokens: boolean;
  admin: Admin;
  /** What /v1 families need of Junction. */
  v1Ports: V1Ports;
  /** Junction's webhooks; the embedded sandbox when it is mounted. */
  junction: { webhooks: JunctionWebhooks; sandbox?: Router };
  /** Bulk Data `$export` jobs. */
  bulkExports: BulkExports;
  /** A tenant's audit trail. */
  readAudit(tenantId: string): AuditReader;
  rateLimit: { counter: RateLimitCounter; settings: WindowSettings };
  databaseStatus(): Promise<DatabaseStatus>;
  isShuttingDown(): boolean;
  /** Which errors mean the database is unavailable (503 with Retry-After), and how often to log them. */
  outage: OutagePolicy;
  bodyLimit: string;
  /** The body limit of a batch or transaction Bundle. */
  bundleBodyLimit: string;
  publicBaseUrl?: string;
  /** Browser origins allowed by CORS; none = CORS off. */
  corsOrigins: string[];
}

/** Paths below the FHIR base that take many resources at once: the Bundle limit applies. */
const BULK_PATHS = ['/', '/$import'];

/**
 * What a client may call without credentials below the API paths: the two descriptions of the
 * API, the CapabilityStatement and the OpenAPI document (probes and /docs are mounted outside them).
 */
const OPEN_PATHS = [`${FHIR_BASE}/metadata`, OPENAPI_PATH];
const isOpen = (req: Request): boolean => req.method === 'GET' && OPEN_PATHS.includes(`${req.baseUrl}${req.path}`);

/** The authenticated caller; every path but the open ones has one. */
function principalOf(req: Request): Principal {
  if (!req.principal) throw new Error('no authenticated caller on an authenticated path');
  return req.principal;
}

/** The whole HTTP surface, wired to its dependencies; no I/O happens until a request arrives. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // FHIR parameters are flat name=value pairs; nested qs objects (a[b]=c) only invite injection.
  app.set('query parser', 'simple');
  const scopes: ErrorScope[] = [{ prefix: FHIR_BASE, write: writeFhirError }];
  const originOf = (req: Request): string => deps.publicBaseUrl ?? `${req.protocol}://${req.get('host')}`;
  const baseUrlOf = (req: Request): string => `${originOf(req)}${FHIR_BASE}`;
  const serviceFor = (req: Request): FhirService => deps.serviceFor({ principal: principalOf(req), requestId: req.requestId });

  app.use(requestContext());
  app.use(helmet({ crossOriginResourcePolicy: { policy: deps.corsOrigins.length > 0 ? 'cross-origin' : 'same-origin' } }));
  if (deps.corsOrigins.length > 0)
    app.use(
      cors({ origin: deps.corsOrigins, exposedHeaders: ['ETag', 'Location', 'Last-Modified', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] }),
    );
  app.use(requestLog(deps.logger));
  app.use(closeConnectionsWhileDraining(deps.isShuttingDown));
  app.use(healthRoutes(deps.databaseStatus, deps.isShuttingDown));
  app.use(frontDoor(originOf));
  app.use('/webhooks', webhookRouter(deps.junction.webhooks));
  scopes.push({ prefix: '/webhooks', write: ERROR_WRITERS['error-message'] });
  if (deps.junction.sandbox) app.use('/junction-sandbox', deps.junction.sandbox);
  app.use('/docs', docsRouter({ specPath: OPENAPI_PATH, capabilityStatementPath: `${FHIR_BASE}/metadata` }));
  const apiPaths = [FHIR_BASE, '/v1', '/api-v1', '/admin'];
  app.use(apiPaths, authenticate(deps.authenticator, isOpen));
  app.use(apiPaths, rateLimit(deps.rateLimit.counter, deps.rateLimit.settings));

  const exportDeps = { exports: deps.bulkExports, serviceFor, baseUrlOf };
  // Output files answer NDJSON, which the FHIR media-type checks below would refuse.
  app.use(FHIR_BASE, bulkExportFiles(exportDeps));

  const jsonTypes = ['application/json', 'application/fhir+json', 'application/json+fhir', 'application/json-patch+json'];
  const resourceJson = jsonParser({ type: jsonTypes, limit: deps.bodyLimit, strict: false });
  const bundleJson = jsonParser({ type: jsonTypes, limit: deps.bundleBodyLimit, strict: false });
  // Bundles (POST to the base) and imports have a limit of their own: real senders' patient bundles run to megabytes.
  const fhirJson = (req: Request, res: Response, next: NextFunction) => (BULK_PATHS.includes(req.path) ? bundleJson : resourceJson)(req, res, next);
  app.use(FHIR_BASE, fhirMediaTypes, fhirJson, jsonGuard, ndjsonBody(deps.bundleBodyLimit));
  app.use(FHIR_BASE, express.text({ type: 'application/x-www-form-urlencoded', limit: deps.bodyLimit }));
  app.get(`${FHIR_BASE}/metadata`, (req, res) => {
    const statement = buildCapabilityStatement({
      routes: FHIR_ROUTES,
      types: SUPPORTED_TYPES,
      searchParams: supportedSearchParams,
      includes: (type) => ({ include: includesOf(type), revinclude: revIncludesOf(type) }),
      profiles: SUPPORTED_TYPES.flatMap((type) => deps.profiles.profilesFor(type).map((url) => ({ type, url }))),
      baseUrl: baseUrlOf(req),
      security: securityStatement(deps.acceptsTokens),
      software: SOFTWARE,
      operations: EXPORT_OPERATIONS.map(({ type, definition }) => ({ name: 'export', type, definition })),
      instantiates: [BULK_DATA_CAPABILITY],
    });
    res.type(FHIR_JSON).json(statement);
  });
  app.get(`${FHIR_BASE}/AuditEvent`, async (req, res) => {
    const principal = principalOf(req);
    if (!allows(principal.scopes, 'AuditEvent', 's')) throw insufficientScope('reading the audit trail needs system/AuditEvent.rs');
    const query = req.query as Record<string, string | string[] | undefined>;
    const result = await searchAuditEvents({ query, body: undefined, baseUrl: baseUrlOf(req) }, deps.readAudit(principal.tenantId));
    sendResult(res, result, baseUrlOf(req));
  });
  app.use(FHIR_BASE, bulkExportRouter(exportDeps));
  app.use(FHIR_BASE, fhirRouter({ routes: FHIR_ROUTES, serviceFor, baseUrlOf }));
  const openApi = buildOpenApiDocument({ version: SOFTWARE.version, publicBaseUrl: deps.publicBaseUrl, capabilityStatementPath: `${FHIR_BASE}/metadata` });
  app.get(OPENAPI_PATH, (_req, res) => {
    res.json(openApi);
  });
  app.use('/admin', adminRouter(deps.admin, deps.bodyLimit));
  scopes.push({ prefix: '/admin', write: ERROR_WRITERS['error-message'] });

  for (const api of v1Apis()) {
    const router = v1Router(api, { serviceFor, ports: deps.v1Ports, bodyLimit: deps.bodyLimit });
    for (const prefix of api.prefixes) {
      app.use(prefix, router);
      scopes.push({ prefix, write: ERROR_WRITERS[api.shape] });
    }
  }

  app.use((req, res) => {
    const problem = problemOf({ kind: 'notFound', code: 'not_found', message: `No route for ${req.method} ${req.path.slice(0, 200)}` });
    writerFor(scopes, req.path)(problem, undefined, req, res);
  });
  app.use(errorFunnel(scopes, deps.logger, deps.outage));
  return app;
}
