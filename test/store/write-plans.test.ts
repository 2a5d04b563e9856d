import { randomUUID } from 'node:crypto';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

/**
 * A create and an update are each one named prepared statement. PostgreSQL plans its first five
 * executions on a connection for their values, then keeps one generic plan when that plan is
 * estimated no dearer; a statement whose generic plan looks dearer (one comparing with a bound
 * value the planner cannot see) is planned again on every execution: on a database of 80,000
 * look-alike Patients that was 40% of PostgreSQL's CPU per create (docs/performance.md). Prepared statements are a PostgreSQL server's (embedded PGlite runs them as
 * plain queries), so this runs on PostgreSQL.
 */
const onPostgres = process.env.DATABASE_URL ? test : test.skip;

let t: TestApp | undefined;
afterAll(() => t?.close());

onPostgres('after their first executions, creates and updates run on one generic plan per connection', async () => {
  // One connection: every statement of the app is prepared on it, and the view below is its own.
  t = await startTestApp({ poolMax: 1, env: { LAB_ORDER_POLL_MS: String(3_600_000) } });
  const app = t;
  // Index rows of Patients that share a few token values, as such a database's statistics show
  // them: for a code it cannot see, a generic plan expects thousands of matches per identifier.
  await app.knex.raw(
    `INSERT INTO search_token (tenant_id, resource_type, resource_id, code, system, value)
     SELECT ?::uuid, 'Patient', 'p' || g, (ARRAY['gender', 'language', 'telecom'])[g % 3 + 1], 'urn:example', 'v' || g % 7 FROM generate_series(1, 30000) g`,
    [app.tenantId],
  );
  await app.knex.raw('ANALYZE search_token');
  for (let i = 0; i < 8; i++) {
    const patient = { resourceType: 'Patient', identifier: [{ system: 'urn:example:mrn', value: randomUUID() }], name: [{ family: 'Plan' }] };
    const created = await app.http.post(`${FHIR_BASE}/Patient`).send(patient).expect(201);
    await app.http
      .put(`${FHIR_BASE}/Patient/${created.body.id}`)
      .send({ ...patient, id: created.body.id, gender: 'female' })
      .expect(200);
  }
  const { rows } = (await app.knex.raw('SELECT name, generic_plans, custom_plans FROM pg_prepared_statements')) as {
    rows: { name: string; generic_plans: string; custom_plans: string }[];
  };
  // The creates share one shape (index tables filled, no business key, an identifier to adopt by), and so do the updates: a statement each.
  const writes = rows
    .filter((r) => r.name.startsWith('fhir_insert_new_resources') || r.name.startsWith('fhir_replace_one_version'))
    .map((r) => ({ name: r.name, generic: Number(r.generic_plans), custom: Number(r.custom_plans) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  expect(writes).toEqual([
    { name: expect.stringMatching(/^fhir_insert_new_resources_/), generic: 3, custom: 5 },
    { name: expect.stringMatching(/^fhir_replace_one_version_/), generic: 3, custom: 5 },
  ]);
});
