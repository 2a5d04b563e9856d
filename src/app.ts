import express, { type Express, type Request } from 'express';
import type { Knex } from 'knex';
import { DEFAULT_RATE_LIMIT } from './config';
import { buildCapabilityStatement } from './fhir/capability';
import { SUPPORTED_TYPES } from './fhir/definitions';
import type { ProfileRegistry } from './fhir/profiles';
import { FHIR_ROUTES } from './fhir/routes';
import { supportedSearchParams } from './fhir/search/params';
import { FhirService, type Validator } from './fhir/service';
import { errorFunnel, familyOf, type ErrorFamily } from './http/error-funnel';
import { writeFhirError } from './http/fhir-errors';
import { fhirMediaTypes } from './http/fhir-media';
import { fhirRouter } from './http/fhir-router';
import { healthRoutes } from './http/health';
import { rateLimit } from './http/rate-limit';
import { requestContext } from './http/request-context';
import { FHIR_JSON } from './http/send-resource';
import type { Logger } from './logger';
import { openRateLimitCounter } from './store/rate-limit-backend';
import type { WindowSettings } from './store/rate-limit-counter';
import { Repository } from './store/repository';
import { v1Families } from './v1';
import { DEFAULT_TENANT_ID } from '../migrations/001_resources';

export const FHIR_BASE = '/fhir/R4';

export interface AppDeps {
  knex: Knex;
  validator: Validator;
  profiles: ProfileRegistry;
  logger: Logger;
  bodyLimit?: string;
  publicBaseUrl?: string;
  /** Which tenant a request acts for; one default tenant until API keys land. */
  resolveTenant?: (req: Request) => string;
  isShuttingDown?: () => boolean;
  /** Requests per window per API key or client address; default 500 per hour. */
  rateLimit?: WindowSettings;
  /** Rate-limit counters in this Redis instead of PostgreSQL. */
  redisUrl?: string;
}

/** The whole HTTP surface, wired to its dependencies; no I/O happens until a request arrives. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // FHIR parameters are flat name=value pairs; nested qs objects (a[b]=c) only invite injection.
  app.set('query parser', 'simple');
  const families: ErrorFamily[] = [{ prefix: FHIR_BASE, write: writeFhirError }];
  const baseUrlOf = (req: Request): string => `${deps.publicBaseUrl ?? `${req.protocol}://${req.get('host')}`}${FHIR_BASE}`;
  const serviceFor = (req: Request): FhirService => new FhirService(new Repository(deps.knex, req.tenantId), deps.validator, deps.logger);

  app.use(requestContext(deps.resolveTenant ?? (() => DEFAULT_TENANT_ID)));
  app.use(requestLog(deps.logger));
  app.use(healthRoutes(deps.knex, deps.isShuttingDown ?? (() => false)));
  const limits = deps.rateLimit ?? DEFAULT_RATE_LIMIT;
  app.use([FHIR_BASE, '/v1', '/api-v1'], rateLimit(openRateLimitCounter({ ...limits, knex: deps.knex, redisUrl: deps.redisUrl, logger: deps.logger }), limits));

  const jsonTypes = ['application/json', 'application/fhir+json', 'application/json-patch+json'];
  app.use(FHIR_BASE, fhirMediaTypes, express.json({ type: jsonTypes, limit: deps.bodyLimit ?? '1mb', strict: false }));
  app.use(FHIR_BASE, express.urlencoded({ extended: false, limit: deps.bodyLimit ?? '1mb' }));
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

  for (const family of v1Families({ serviceFor, logger: deps.logger, bodyLimit: deps.bodyLimit })) {
    for (const prefix of family.prefixes) {
      app.use(prefix, family.router);
      families.push({ prefix, write: family.writeError });
    }
  }

  app.use((req, res) => {
    familyOf(families, req.path)({ status: 404, code: 'not_found', message: `No route for ${req.method} ${req.path.slice(0, 200)}` }, undefined, req, res);
  });
  app.use(errorFunnel(families, deps.logger));
  return app;
}

/** One line per request: ids, route template, status, duration; never bodies or query values. */
function requestLog(logger: Logger) {
  return (req: Request, res: express.Response, next: express.NextFunction): void => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const route = (req.route as { path?: string } | undefined)?.path ?? req.baseUrl;
      logger.info({ requestId: req.requestId, tenantId: req.tenantId, method: req.method, route, status: res.statusCode, ms: Math.round(ms) }, 'request');
    });
    next();
  };
}
