import express, { type Express, type Request } from 'express';
import { buildCapabilityStatement } from '../fhir/capability';
import { FHIR_ROUTES } from '../fhir/routes';
import { supportedSearchParams } from '../fhir/search/params';
import type { FhirService } from '../fhir/service';
import { SUPPORTED_TYPES } from '../fhir/validation/definitions';
import type { ProfileRegistry } from '../fhir/validation/profiles';
import type { Logger } from '../logger';
import { problemOf } from '../problems/problem';
import type { DatabaseStatus } from '../store/health';
import type { RateLimitCounter, WindowSettings } from '../store/rate-limit-counter';
import { v1Apis } from '../v1';
import { errorFunnel, writerFor, type ErrorScope } from './error-funnel';
import { writeFhirError } from './fhir-errors';
import { fhirMediaTypes } from './fhir-media';
import { fhirRouter } from './fhir-router';
import { healthRoutes } from './health';
import { rateLimit } from './rate-limit';
import { requestContext } from './request-context';
import { requestLog } from './request-log';
import { FHIR_JSON } from './send-resource';
import { ERROR_WRITERS } from './v1-shapes';
import { v1Router } from './v1-router';

export const FHIR_BASE = '/fhir/R4';

export interface AppDeps {
  logger: Logger;
  profiles: ProfileRegistry;
  /** The FHIR service acting for a tenant: the one door to stored resources. */
  serviceFor(tenantId: string): FhirService;
  /** Which tenant a request acts for; one default tenant until API keys land. */
  resolveTenant(req: Request): string;
  rateLimit: { counter: RateLimitCounter; settings: WindowSettings };
  databaseStatus(): Promise<DatabaseStatus>;
  isShuttingDown(): boolean;
  bodyLimit: string;
  publicBaseUrl?: string;
}

/** The whole HTTP surface, wired to its dependencies; no I/O happens until a request arrives. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // FHIR parameters are flat name=value pairs; nested qs objects (a[b]=c) only invite injection.
  app.set('query parser', 'simple');
  const scopes: ErrorScope[] = [{ prefix: FHIR_BASE, write: writeFhirError }];
  const baseUrlOf = (req: Request): string => `${deps.publicBaseUrl ?? `${req.protocol}://${req.get('host')}`}${FHIR_BASE}`;
  const serviceFor = (req: Request): FhirService => deps.serviceFor(req.tenantId);

  app.use(requestContext(deps.resolveTenant));
  app.use(requestLog(deps.logger));
  app.use(healthRoutes(deps.databaseStatus, deps.isShuttingDown));
  app.use([FHIR_BASE, '/v1', '/api-v1'], rateLimit(deps.rateLimit.counter, deps.rateLimit.settings));

  const jsonTypes = ['application/json', 'application/fhir+json', 'application/json-patch+json'];
  app.use(FHIR_BASE, fhirMediaTypes, express.json({ type: jsonTypes, limit: deps.bodyLimit, strict: false }));
  app.use(FHIR_BASE, express.urlencoded({ extended: false, limit: deps.bodyLimit }));
  app.get(`${FHIR_BASE}/metadata`, (req, res) => {
    const statement = buildCapabilityStatement({
      routes: FHIR_ROUTES,
      types: SUPPORTED_TYPES,
      searchParams: supportedSearchParams,
      profiles: SUPPORTED_TYPES.flatMap((type) => deps.profiles.profilesFor(type).map((url) => ({ type, url }))),
      baseUrl: baseUrlOf(req),
      software: { name: 'fhir-facade-server', version: '0.1.0' },
    });
    res.type(FHIR_JSON).json(statement);
  });
  app.use(FHIR_BASE, fhirRouter({ routes: FHIR_ROUTES, serviceFor, baseUrlOf }));

  for (const api of v1Apis()) {
    const router = v1Router(api, { serviceFor, bodyLimit: deps.bodyLimit });
    for (const prefix of api.prefixes) {
      app.use(prefix, router);
      scopes.push({ prefix, write: ERROR_WRITERS[api.shape] });
    }
  }

  app.use((req, res) => {
    const problem = problemOf({ kind: 'notFound', code: 'not_found', message: `No route for ${req.method} ${req.path.slice(0, 200)}` });
    writerFor(scopes, req.path)(problem, undefined, req, res);
  });
  app.use(errorFunnel(scopes, deps.logger));
  return app;
}
