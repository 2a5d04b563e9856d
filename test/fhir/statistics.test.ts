import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

/** How many rows the planner believes `resources` holds (-1 or 0 before any ANALYZE). */
async function plannerRows(): Promise<number> {
  const { rows } = await t.knex.raw(`SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = to_regclass('resources')`);
  return Number(rows[0]?.rows ?? 0);
}

test('after a bulk load the server analyses the search tables itself, without autovacuum', async () => {
  const before = await plannerRows();
  const patients = Array.from({ length: 600 }, (_, i) => JSON.stringify({ resourceType: 'Patient', id: `stats-${i}`, name: [{ family: `Stats${i}` }] }));
  const res = await t.http.post(`${FHIR_BASE}/$import`).set('content-type', 'application/fhir+ndjson').send(patients.join('\n'));
  expect(res.status).toBe(200);
  let after = before;
  for (let i = 0; i < 50 && after < before + 600; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    after = await plannerRows();
  }
  expect(after).toBeGreaterThanOrEqual(before + 600);
});
