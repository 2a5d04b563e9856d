import { planOf, statementsDuring } from '../helpers/statements';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp | undefined;
afterAll(() => t?.close());

/**
 * A birth date window bounded on both sides is read from the stored ranges' GiST index, which
 * leads with one hash of tenant, resource type and code (migration 023): the search must name
 * that hash by the index's own expression, or the index is scanned by the range alone, over
 * every tenant's and parameter's rows. The btrees on either end would serve the plan too, and
 * on a table of three rows so does the one by resource (a near tie that the statistics keeper's
 * ANALYZE, whenever it runs, can tip), so they are dropped for the EXPLAIN, in a transaction
 * rolled back after it.
 */
test('a two-sided date window is planned on the range index by the hash of its scope', async () => {
  t = await startTestApp();
  const app = t;
  const ids: string[] = [];
  for (const birthDate of ['1990-01-15', '1990-02-10', '1989-12-31']) {
    ids.push((await app.http.post(`${FHIR_BASE}/Patient`).send({ resourceType: 'Patient', birthDate }).expect(201)).body.id as string);
  }

  const seen = await statementsDuring(
    app,
    (sql) => sql.includes('tstzrange'),
    async () => {
      const found = await app.http.get(`${FHIR_BASE}/Patient`).query('birthdate=ge1990-01-01&birthdate=lt1990-02-01').expect(200);
      expect(found.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([ids[0]]);
    },
  );
  expect(seen).toHaveLength(1);

  const plan = await planOf(app, seen[0]!, [
    'DROP INDEX search_date_high',
    'DROP INDEX search_date_tenant_id_resource_type_code_low_index',
    'DROP INDEX search_date_tenant_id_resource_type_resource_id_index',
    'SET LOCAL enable_seqscan = off',
  ]);
  const scan = plan.findIndex((line) => / on search_date_range\b| using search_date_range\b/.test(line));
  expect(scan).toBeGreaterThanOrEqual(0);
  expect(plan[scan + 1]).toMatch(/Index Cond: .*hashtextextended.*&&/);
});
