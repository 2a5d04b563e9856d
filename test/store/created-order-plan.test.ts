import { planOf, statementsDuring } from '../helpers/statements';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp | undefined;
afterAll(() => t?.close());

const ORDERED_BY_CREATION = /order by "r"\."created_at" asc/i;

/**
 * The /v1 clinician directory pages practitioners in creation order. That order is indexed for
 * practitioners alone (migration 032): the page must be planned on the partial index, not as a
 * sort of every match. Sorting is turned off for the EXPLAIN, so a plan that cannot use the
 * index shows a Sort regardless. The page's roles are searched by practitioner and put in order
 * by the server. (A search word with few matches pages them alone, sorted: at most a probe's
 * worth; test/v1/clinician-profiles-many.test.ts.)
 */
test('the oldest-first page of practitioners walks the creation-order index', async () => {
  t = await startTestApp();
  const app = t;
  const family = `Createdorder${Date.now()}`;
  const practitioner = await app.http
    .post(`${FHIR_BASE}/Practitioner`)
    .send({ resourceType: 'Practitioner', name: [{ family, given: ['Ada'] }] })
    .expect(201);
  await app.http
    .post(`${FHIR_BASE}/PractitionerRole`)
    .send({ resourceType: 'PractitionerRole', active: true, practitioner: { reference: `Practitioner/${practitioner.body.id as string}` } })
    .expect(201);

  const seen = await statementsDuring(
    app,
    (sql) => ORDERED_BY_CREATION.test(sql),
    async () => {
      const listed = await app.http.get('/v1/clinician-profiles').query({ is_active: true }).expect(200);
      expect(listed.body.data.map((p: { id: string }) => p.id)).toEqual([practitioner.body.id]);
    },
  );
  const types = seen.map((s) => s.bindings.find((b) => b === 'Practitioner' || b === 'PractitionerRole'));
  expect(types).toEqual(['Practitioner']);

  for (const statement of seen) {
    const plan = (await planOf(app, statement, ['SET LOCAL enable_sort = off', 'SET LOCAL enable_seqscan = off'])).join('\n');
    expect(plan).toMatch(/using resources_created_order\b/);
    expect(plan).not.toMatch(/^\s*(->\s*)?Sort\b/m);
  }
});
