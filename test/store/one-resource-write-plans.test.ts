import { randomUUID } from 'node:crypto';
import { planOf, statementsDuring } from '../helpers/statements';
import { checksForeignTargets, orderFor } from '../helpers/reference-checks';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  // A tenant of a few thousand resources, its statistics fresh: below the size where probing
  // 100 assumed rows by index looks dearer than hashing the whole table.
  await t.knex.raw(
    `INSERT INTO resources (tenant_id, resource_type, id, version_id, last_updated, created_at, deleted, content)
     SELECT ?::uuid, 'Basic', 'filler-' || g, 1, now(), now(), false, '{"resourceType":"Basic"}'::jsonb FROM generate_series(1, 3000) g`,
    [t.tenantId],
  );
  await t.knex.raw('ANALYZE resources');
});
afterAll(() => t.close());

const WRITES_VERSIONS = /^\/\* resource versions \*\//;

/** The statements' plans: no sequential scan, hash or merge of `resources`. */
async function expectProbesOnly(statements: { sql: string; bindings: unknown[] }[]): Promise<void> {
  expect(statements.length).toBeGreaterThan(0);
  for (const statement of statements) {
    const plan = (await planOf(t, statement)).join('\n');
    expect(plan).not.toMatch(/Seq Scan on resources/);
    expect(plan).not.toMatch(/Hash|Merge/);
  }
}

/**
 * An update and a deletion write one version, a write with references checks its targets
 * against other tenants: each probes `resources` by key for the one resource or target it
 * names, whatever PostgreSQL assumes of a jsonb input's row count.
 */
test('an update and a deletion probe the one resource they write', async () => {
  const patient = { resourceType: 'Patient', name: [{ family: `Probe${randomUUID().slice(0, 8)}` }] };
  const created = await t.http.post(`${FHIR_BASE}/Patient`).send(patient).expect(201);
  const id = created.body.id as string;
  const seen = await statementsDuring(
    t,
    (sql) => WRITES_VERSIONS.test(sql),
    async () => {
      await t.http
        .put(`${FHIR_BASE}/Patient/${id}`)
        .send({ ...patient, id, gender: 'female' })
        .expect(200);
      await t.http.delete(`${FHIR_BASE}/Patient/${id}`).expect(200);
    },
  );
  expect(seen).toHaveLength(2);
  await expectProbesOnly(seen);
});

test('the check of a write’s reference targets probes each target', async () => {
  // Written by another service than the server's: a target the server wrote itself is not checked.
  const patientId = (await t.service().create({ resourceType: 'Patient' })).resource.id!;
  const seen = await statementsDuring(t, checksForeignTargets, () => t.http.post(`${FHIR_BASE}/ServiceRequest`).send(orderFor(patientId)).expect(201));
  await expectProbesOnly(seen);
});
