/**
 * Yardstick: the server's own FHIR read path — its router, service and repository, on the
 * benchmark's database and tenant — with nothing in front of it: no authentication, rate
 * limit, request log, request id, security headers, media-type checks, scope check or audit
 * trail. `read Patient` against this is what that door costs (docs/performance.md).
 */
import express from 'express';
import { FHIR_ROUTES } from '../../src/fhir/routes';
import { fhirServiceFactory } from '../../src/fhir/service-factory';
import { loadProfiles } from '../../src/fhir/validation/profiles';
import { createValidator } from '../../src/fhir/validation/validation';
import { FHIR_BASE } from '../../src/http/app';
import { fhirRouter } from '../../src/http/fhir-router';
import { DEFAULT_TENANT_ID } from '../../src/store/default-tenant';
import { openDatabase } from '../../src/store/db';

const { knex } = openDatabase({ url: process.env.DATABASE_URL });
const serviceFor = fhirServiceFactory({ db: knex, validator: createValidator(loadProfiles()) });
const app = express();
app.get('/healthz', (_req, res) => {
  res.json({});
});
app.use(
  FHIR_BASE,
  fhirRouter({ routes: FHIR_ROUTES, serviceFor: () => serviceFor(DEFAULT_TENANT_ID), baseUrlOf: (req) => `http://${req.get('host')}${FHIR_BASE}` }),
);
app.listen(Number(process.env.PORT), '127.0.0.1');
