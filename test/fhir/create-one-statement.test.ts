import { randomUUID } from 'node:crypto';
import { BatchItemError } from '../../src/fhir/service';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

/**
 * A create that no hook writes beside is one statement without a transaction: what it could
 * not write (a business key taken, an id taken meanwhile) must refuse the statement whole.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const INDEX_TABLES = ['search_string', 'search_token', 'search_reference', 'search_date', 'search_number', 'search_uri', 'unique_keys'];

/** Rows of this tenant's index and business keys whose resource is not stored. */
async function orphanRows(): Promise<number> {
  let orphans = 0;
  for (const table of INDEX_TABLES) {
    const [row] = await t
      .knex(`${table} as x`)
      .count({ n: '*' })
      .where('x.tenant_id', t.tenantId)
      .whereNotExists((q) =>
        q.select(t.knex.raw('1')).from('resources as r').whereRaw('r.tenant_id = x.tenant_id AND r.resource_type = x.resource_type AND r.id = x.resource_id'),
      );
    orphans += Number(row?.n);
  }
  return orphans;
}

async function total(query: string): Promise<number> {
  const res = await t.http.get(`${FHIR_BASE}/${query}`).expect(200);
  return res.body.total as number;
}

test('eight concurrent creates holding one business key: one stored, seven 409, nothing left of the seven', async () => {
  const email = `one.${randomUUID()}@example.com`;
  const body = { brand_id: `brand_${randomUUID()}`, first_name: 'Once', last_name: 'Only', email };
  const responses = await Promise.all(Array.from({ length: 8 }, () => t.http.post('/v1/patients').send(body)));
  expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
  expect(await total(`Patient?email=${encodeURIComponent(email)}`)).toBe(1);
  const [versions] = await t
    .knex('resource_versions')
    .count({ n: '*' })
    .where({ tenant_id: t.tenantId, resource_type: 'Patient' })
    .whereRaw("content->'telecom' @> ?::jsonb", [JSON.stringify([{ value: email }])]);
  expect(Number(versions?.n)).toBe(1);
  expect(await orphanRows()).toBe(0);
});

test('a create under an id stored meanwhile is refused whole: 409, the stored resource untouched', async () => {
  const stored = await t.http
    .post(`${FHIR_BASE}/Patient`)
    .send({ resourceType: 'Patient', name: [{ family: 'First' }] })
    .expect(201);
  const family = `Second${randomUUID().slice(0, 8)}`;
  const refused = await t
    .service()
    .createMany([{ resource: { resourceType: 'Patient', name: [{ family }] }, id: stored.body.id }])
    .catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(BatchItemError);
  expect((refused as BatchItemError).failure).toMatchObject({ outcome: { kind: 'conflict' } });
  const read = await t.http.get(`${FHIR_BASE}/Patient/${stored.body.id}`).expect(200);
  expect(read.body).toMatchObject({ meta: { versionId: '1' }, name: [{ family: 'First' }] });
  expect(await total(`Patient?family=${family}`)).toBe(0);
  expect(await orphanRows()).toBe(0);
});

test('a batch whose logical reference names an identifier of the batch is written and adopted together', async () => {
  const npi = `93${Date.now() % 100_000_000}`;
  const identifier = { system: 'http://hl7.org/fhir/sid/us-npi', value: npi };
  const [practitioner, role] = await t.service().createMany([
    { resource: { resourceType: 'Practitioner', identifier: [identifier] }, id: randomUUID() },
    { resource: { resourceType: 'PractitionerRole', practitioner: { identifier } }, id: randomUUID() },
  ]);
  const found = await t.http.get(`${FHIR_BASE}/PractitionerRole?practitioner=Practitioner/${practitioner!.resource.id}`).expect(200);
  expect(found.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([role!.resource.id]);
});
