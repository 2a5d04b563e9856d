import { randomUUID } from 'node:crypto';
import { planOf, statementsDuring } from '../helpers/statements';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const READS_REFERENCES = /"?search_reference"? as "?[a-z0-9_]+"?/i;

/**
 * Every lookup of references by their target reads one index (migration 030), which also holds
 * the referencing resource: a search by reference and the probe of a chain from its targets are
 * planned on it, from the index alone. Sequential and bitmap scans are turned
 * off for the EXPLAIN, as the few rows of a test would otherwise be read whole.
 */
test.each([
  ['a search by reference', (patient: string) => `ServiceRequest?subject=Patient/${patient}`],
  ['the probe of a chain from its targets', (_patient: string, family: string) => `ServiceRequest?subject:Patient.family=${family}`],
])('%s reads references by target from the index alone', async (_name, path) => {
  const family = `Refplan${randomUUID().slice(0, 8)}`;
  const patient = await t.http
    .post(`${FHIR_BASE}/Patient`)
    .send({ resourceType: 'Patient', name: [{ family }] })
    .expect(201);
  const order = await t.http
    .post(`${FHIR_BASE}/ServiceRequest`)
    .send({ resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: `Patient/${patient.body.id as string}` } })
    .expect(201);

  const seen = await statementsDuring(
    t,
    (sql) => READS_REFERENCES.test(sql),
    async () => {
      const found = await t.http.get(`${FHIR_BASE}/${path(patient.body.id as string, family)}`).expect(200);
      expect((found.body.entry as { resource: { id: string } }[]).map((e) => e.resource.id)).toContain(order.body.id);
    },
  );
  expect(seen.length).toBeGreaterThan(0);
  for (const statement of seen) {
    const plan = (await planOf(t, statement, ['SET LOCAL enable_seqscan = off', 'SET LOCAL enable_bitmapscan = off'])).join('\n');
    expect(plan).toMatch(/Index Only Scan using search_reference_by_target on search_reference/);
    expect(plan).not.toMatch(/Index Scan using \S+ on search_reference/);
  }
});

/**
 * A reference compared as written (another server's URL) is narrowed by the target its text
 * names: never a read of every reference row of the type.
 */
test('a search by another server’s URL reads references by target', async () => {
  const reference = `https://other.example/fhir/Patient/${randomUUID()}`;
  const seen = await statementsDuring(
    t,
    (sql) => READS_REFERENCES.test(sql),
    async () => {
      const found = await t.http.get(`${FHIR_BASE}/ServiceRequest?subject=${encodeURIComponent(reference)}`).expect(200);
      expect(found.body.entry ?? []).toEqual([]);
    },
  );
  expect(seen.length).toBeGreaterThan(0);
  for (const statement of seen) {
    const plan = (await planOf(t, statement, ['SET LOCAL enable_seqscan = off', 'SET LOCAL enable_bitmapscan = off'])).join('\n');
    expect(plan).toMatch(/Index (Only )?Scan using search_reference_by_target on search_reference/);
    expect(plan).not.toMatch(/Seq Scan on search_reference/);
  }
});
