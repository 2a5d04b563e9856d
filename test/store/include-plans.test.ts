import { randomUUID } from 'node:crypto';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

/**
 * `_include` and `_revinclude` statements bind the page's resources as arrays. Were the planner
 * to see their length, each execution's own plan would look cheaper than the generic one and
 * PostgreSQL would plan every execution again (~1.3 ms of its CPU against 0.15 ms of work at a
 * few thousand resources). They keep their generic plan after the first five executions.
 * Prepared statements are a PostgreSQL server's, so this runs on PostgreSQL.
 */
const onPostgres = process.env.DATABASE_URL ? test : test.skip;

let t: TestApp | undefined;
afterAll(() => t?.close());

const PATIENTS = 3000;
const PER_BUNDLE = 300;

async function loadPatientsWithOrders(app: TestApp): Promise<string[]> {
  const patients: string[] = [];
  for (let start = 0; start < PATIENTS; start += PER_BUNDLE) {
    const entry = Array.from({ length: PER_BUNDLE }, () => {
      const fullUrl = `urn:uuid:${randomUUID()}`;
      return [
        { fullUrl, resource: { resourceType: 'Patient', gender: 'female' }, request: { method: 'POST', url: 'Patient' } },
        {
          resource: { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: fullUrl } },
          request: { method: 'POST', url: 'ServiceRequest' },
        },
      ];
    }).flat();
    const done = await app.http.post(FHIR_BASE).send({ resourceType: 'Bundle', type: 'transaction', entry }).expect(200);
    for (const e of done.body.entry as { response: { location: string } }[]) {
      const [type, id] = e.response.location.split('/');
      if (type === 'Patient' && id) patients.push(id);
    }
  }
  await app.knex.raw('ANALYZE');
  return patients;
}

onPostgres('included and revincluded resources are read by generic plans after five executions', async () => {
  // One connection: every statement of the app is prepared on it, and the view below is its own.
  t = await startTestApp({ poolMax: 1, env: { LAB_ORDER_POLL_MS: String(3_600_000) } });
  const app = t;
  const patients = await loadPatientsWithOrders(app);

  for (const id of patients.slice(0, 8)) {
    const included = await app.http
      .get(`${FHIR_BASE}/ServiceRequest`)
      .query({ subject: `Patient/${id}`, _include: 'ServiceRequest:subject' })
      .expect(200);
    expect(included.body.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType)).toEqual(['ServiceRequest', 'Patient']);
    const revincluded = await app.http.get(`${FHIR_BASE}/Patient`).query({ _id: id, _revinclude: 'ServiceRequest:subject' }).expect(200);
    expect(revincluded.body.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType)).toEqual(['Patient', 'ServiceRequest']);
  }

  const { rows } = (await app.knex.raw(
    "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE 'fhir\\_built\\_%' AND statement ILIKE '%distinct on%'",
  )) as { rows: { generic_plans: string; custom_plans: string }[] };
  expect(rows.map((r) => [Number(r.generic_plans), Number(r.custom_plans)])).toEqual([
    [3, 5],
    [3, 5],
  ]);
});
