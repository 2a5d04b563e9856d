import cors from 'cors';
import express, { type Express, type Request, type Router } from 'express';
import type { Admin } from '../auth/admin';
import type { Authenticator, Principal } from '../auth/authenticator';
import type { AuditReader } from '../fhir/audit/audit-search';
import type { BulkExports } from '../fhir/export/bulk-exports';
import type { FhirService } from '../fhir/service';
import type { ProfileRegistry } from '../fhir/validation/profiles';
import type { Logger } from '../logger';
import { problemOf } from '../problems/problem';
import type { DatabaseStatus } from '../store/health';
import type { RateLimitCounter, WindowSettings } from '../store/rate-limit-counter';
import type { JunctionWebhooks } from '../junction/webhooks';
import type { V1Ports } from '../v1/api';
import { v1Apis } from '../v1';
import { errorFunnel, writerFor, type ErrorScope, type OutagePolicy } from './error-funnel';
import { writeFhirError } from './fhir-errors';
import { fhirApi } from './fhir-api';
import { frontDoor } from './front-door';
import { adminRouter } from './admin-router';
import { authenticate } from './authenticate';
import { closeConnectionsWhileDraining, healthRoutes } from './health';
import { docsRouter } from './openapi/docs-page';
import { buildOpenApiDocument, OPENAPI_PATH } from './openapi/document';
import { pipeline } from './pipeline';
import { rateLimit } from './rate-limit';
import { requestContext } from './request-context';
import { requestLog } from './request-log';
import { securityHeaders } from './security-headers';
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
  // ETags name versions (W/"<versionId>", send-resource.ts), and a conditional read still answers
  // 304 on them; Express would otherwise hash every other body (a search page, a /v1 list) with
  // SHA-1 for an ETag no FHIR client uses: ~6% of a 20-entry search's CPU.
  app.set('etag', false);
  // FHIR parameters are flat name=value pairs; nested qs objects (a[b]=c) only invite injection.
  app.set('query parser', 'simple');
  const scopes: ErrorScope[] = [{ prefix: FHIR_BASE, write: writeFhirError }];
  const originOf = (req: Request): string => deps.publicBaseUrl ?? `${req.protocol}://${req.get('host')}`;
  const baseUrlOf = (req: Request): string => `${originOf(req)}${FHIR_BASE}`;
  const serviceFor = (req: Request): FhirService => deps.serviceFor({ principal: principalOf(req), requestId: req.requestId });

  const crossOrigin =
    deps.corsOrigins.length > 0
      ? [cors({ origin: deps.corsOrigins, exposedHeaders: ['ETag', 'Location', 'Last-Modified', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] })]
      : [];
  app.use(
    pipeline(
      requestContext(),
      securityHeaders(crossOrigin.length > 0),
      ...crossOrigin,
      requestLog(deps.logger),
      closeConnectionsWhileDraining(deps.isShuttingDown),
    ),
  );
  // The FHIR API before every other route: most requests are for it, and each layer ahead of it is one more match per request.
  const door = [authenticate(deps.authenticator, isOpen), rateLimit(deps.rateLimit.counter, deps.rateLimit.settings)];
  app.use(
    FHIR_BASE,
    fhirApi({
      door,
      exports: deps.bulkExports,
      serviceFor,
      baseUrlOf,
      principalOf,
      profiles: deps.profiles,
      acceptsTokens: deps.acceptsTokens,
      readAudit: deps.readAudit,
      bodyLimit: deps.bodyLimit,
      bundleBodyLimit: deps.bundleBodyLimit,
      software: SOFTWARE,
    }),
  );
  app.use(healthRoutes(deps.databaseStatus, deps.isShuttingDown));
  app.use(frontDoor(originOf));
  app.use('/webhooks', webhookRouter(deps.junction.webhooks));
  scopes.push({ prefix: '/webhooks', write: ERROR_WRITERS['error-message'] });
  if (deps.junction.sandbox) app.use('/junction-sandbox', deps.junction.sandbox);
  app.use('/docs', docsRouter({ specPath: OPENAPI_PATH, capabilityStatementPath: `${FHIR_BASE}/metadata` }));
  app.use(['/v1', '/api-v1', '/admin'], pipeline(...door));

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
