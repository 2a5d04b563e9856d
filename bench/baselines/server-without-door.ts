/**
 * Yardstick: the server's own FHIR read path — its router, service and repository, on the
 * benchmark's database and tenant — with nothing in front of it: no authentication, rate
 * limit, request log, request id, security headers, media-type checks, scope check or audit
 * trail. `read Patient` against this is what that door costs (docs/performance.md).
 *
 * With WITH_GOAL_DOOR=1, the three parts of the door that the performance goal names stand in
 * front of it, built as the server builds them: the request log, authentication (API keys in
 * the database, cached) and the rate limit (counted in PostgreSQL, batched). Against the bare
 * one, that is what those three cost.
 */
import express, { type RequestHandler } from 'express';
import type { Knex } from 'knex';
import { storedKeyAuthenticator } from '../../src/auth/stored-key-authenticator';
import { loadConfig } from '../../src/config';
import { FHIR_ROUTES } from '../../src/fhir/routes';
import { fhirServiceFactory } from '../../src/fhir/service-factory';
import { loadProfiles } from '../../src/fhir/validation/profiles';
import { createValidator } from '../../src/fhir/validation/validation';
import { FHIR_BASE } from '../../src/http/app';
import { httpServerFor } from '../../src/http/http-server';
import { authenticate } from '../../src/http/authenticate';
import { fhirRouter } from '../../src/http/fhir-router';
import { pipeline } from '../../src/http/pipeline';
import { rateLimit } from '../../src/http/rate-limit';
import { requestLog } from '../../src/http/request-log';
import { createLogger } from '../../src/logger';
import { DEFAULT_TENANT_ID } from '../../src/store/default-tenant';
import { openDatabase } from '../../src/store/db';
import { openRateLimitCounter } from '../../src/store/rate-limit-backend';

function goalDoor(knex: Knex): RequestHandler[] {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const counter = openRateLimitCounter({ ...config.rateLimit, knex, logger });
  return [requestLog(logger), authenticate(storedKeyAuthenticator(knex, config), () => false), rateLimit(counter, config.rateLimit)];
}

const { knex } = openDatabase({ url: process.env.DATABASE_URL });
const serviceFor = fhirServiceFactory({ db: knex, validator: createValidator(loadProfiles()) });
const app = express();
app.get('/healthz', (_req, res) => {
  res.json({});
});
// One layer either way, as the server runs its door (a `pipeline` in a layer it has anyway): the
// two differ by the three's own work, not by Express layers the server does not have.
app.use(
  FHIR_BASE,
  pipeline(
    ...(process.env.WITH_GOAL_DOOR === '1' ? goalDoor(knex) : []),
    fhirRouter({ routes: FHIR_ROUTES, serviceFor: () => serviceFor(DEFAULT_TENANT_ID), baseUrlOf: (req) => `http://${req.get('host')}${FHIR_BASE}` }),
  ),
);
// Served as the server is served, so that the two differ by the door alone.
httpServerFor(app).listen(Number(process.env.PORT), '127.0.0.1');
