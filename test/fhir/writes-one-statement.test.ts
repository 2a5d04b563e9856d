import { randomUUID } from 'node:crypto';
import { EXT } from '../../mappings/fhir-urls';
import { BatchItemError } from '../../src/fhir/service';
import { VERSION_WRITE_MARK } from '../../src/store/version-write';
import { statementsDuring } from '../helpers/statements';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

/**
 * A create that no hook writes beside is one statement without a transaction, and so is a
 * transaction Bundle of such creates: what it could not write (a business key taken, an id
 * taken meanwhile) must refuse the statement whole. In a caller's transaction it joins that
 * transaction without a savepoint: a refusal rolls back all the caller did. An update or a
 * delete is one statement too, over the version it read, refused whole when another write
 * replaced that version meanwhile, then done again in a transaction; one with business keys
 * is one statement for its rows, index and old keys, then its keys, in a transaction.
 */
let t: TestApp;
beforeAll(async () => {
  // No lab orders here: the worker's polls (a transaction each) would mix with the statements counted.
  t = await startTestApp({ env: { LAB_ORDER_POLL_MS: String(3_600_000) } });
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
  // Its one version is current (in `resources`); none of the seven left a version in either table.
  for (const [table, stored] of [
    ['resources', 1],
    ['resource_versions', 0],
  ] as const) {
    const [versions] = await t
      .knex(table)
      .count({ n: '*' })
      .where({ tenant_id: t.tenantId, resource_type: 'Patient' })
      .whereRaw("content::jsonb->'telecom' @> ?::jsonb", [JSON.stringify([{ value: email }])]);
    expect(Number(versions?.n)).toBe(stored);
  }
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

describe('a transaction Bundle of creates alone is one statement', () => {
  const emailPatient = (email: string, family: string) => ({
    resource: {
      resourceType: 'Patient',
      name: [{ family }],
      extension: [{ url: EXT.brandId, valueString: 'one-statement' }],
      telecom: [{ system: 'email', value: email }],
    },
    request: { method: 'POST', url: 'Patient' },
  });
  const transaction = (entry: object[]) => ({ resourceType: 'Bundle', type: 'transaction', entry });

  test('six concurrent Bundles holding one business key: one stored whole, five 409 leaving nothing', async () => {
    const email = `tx.${randomUUID()}@example.com`;
    const family = `Bundled${randomUUID().slice(0, 8)}`;
    const bundle = transaction([
      { resource: { resourceType: 'Organization', name: family }, request: { method: 'POST', url: 'Organization' } },
      emailPatient(email, family),
    ]);
    const responses = await Promise.all(Array.from({ length: 6 }, () => t.http.post(FHIR_BASE).send(bundle)));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    expect(await total(`Organization?name:exact=${family}`)).toBe(1);
    expect(await total(`Patient?family=${family}`)).toBe(1);
    expect(await orphanRows()).toBe(0);
  });

  test('a create refused after other entries of its transaction rolls them back', async () => {
    const email = `held.${randomUUID()}@example.com`;
    await t.http.post(`${FHIR_BASE}/Patient`).send(emailPatient(email, 'Holder').resource).expect(201);
    const doomed = await t.http.post(`${FHIR_BASE}/Organization`).send({ resourceType: 'Organization', name: 'Doomed' }).expect(201);
    const res = await t.http
      .post(FHIR_BASE)
      .send(transaction([{ request: { method: 'DELETE', url: `Organization/${doomed.body.id}` } }, emailPatient(email, `Taker${randomUUID().slice(0, 8)}`)]));
    expect(res.status).toBe(409);
    expect(res.body.issue.at(-1).expression).toEqual(['Bundle.entry[1]']);
    await t.http.get(`${FHIR_BASE}/Organization/${doomed.body.id}`).expect(200);
    expect(await orphanRows()).toBe(0);
  });
});

describe('an update, its index and its business keys in one statement', () => {
  const withEmail = (patient: { telecom?: { system?: string; value?: string }[] }, email: string) => ({
    ...patient,
    telecom: [...(patient.telecom ?? []).filter((c) => c.system !== 'email'), { system: 'email', value: email }],
  });
  async function v1Patient(brand: string, email: string): Promise<Record<string, unknown>> {
    const created = await t.http.post('/v1/patients').send({ brand_id: brand, first_name: 'Key', last_name: 'Holder', email }).expect(201);
    return (await t.http.get(`${FHIR_BASE}/Patient/${created.body.id}`).expect(200)).body;
  }
  const post = (brand: string, email: string) => t.http.post('/v1/patients').send({ brand_id: brand, first_name: 'Other', last_name: 'Holder', email });

  test('an update that keeps its email still holds it; one that changes it frees the old and takes the new', async () => {
    const brand = `brand_${randomUUID()}`;
    const [first, second] = [`a.${randomUUID()}@example.com`, `b.${randomUUID()}@example.com`];
    const patient = await v1Patient(brand, first);
    await t.http
      .put(`${FHIR_BASE}/Patient/${patient.id}`)
      .send({ ...patient, gender: 'female' })
      .expect(200);
    expect((await post(brand, first)).status).toBe(409);
    await t.http.put(`${FHIR_BASE}/Patient/${patient.id}`).send(withEmail(patient, second)).expect(200);
    expect((await post(brand, second)).status).toBe(409);
    expect((await post(brand, first)).status).toBe(201);
  });

  test('an update onto an email another patient holds is refused and changes nothing', async () => {
    const brand = `brand_${randomUUID()}`;
    const taken = `taken.${randomUUID()}@example.com`;
    const patient = await v1Patient(brand, `own.${randomUUID()}@example.com`);
    await v1Patient(brand, taken);
    const family = `Refused${randomUUID().slice(0, 8)}`;
    const res = await t.http.put(`${FHIR_BASE}/Patient/${patient.id}`).send({ ...withEmail(patient, taken), name: [{ family }] });
    expect(res.status).toBe(409);
    expect((await t.http.get(`${FHIR_BASE}/Patient/${patient.id}`).expect(200)).body).toEqual(patient);
    expect(await total(`Patient?family=${family}`)).toBe(0);
    expect(await total(`Patient?email=${encodeURIComponent(taken)}`)).toBe(1);
    expect(await orphanRows()).toBe(0);
  });

  test('an update taking an identifier resolves the references naming it, and none of its own old ones', async () => {
    const identifier = { system: 'urn:example:org', value: `org-${randomUUID()}` };
    const org = await t.http.post(`${FHIR_BASE}/Organization`).send({ resourceType: 'Organization', name: 'Parted', partOf: { identifier } }).expect(201);
    const child = await t.http.post(`${FHIR_BASE}/Organization`).send({ resourceType: 'Organization', name: 'Child', partOf: { identifier } }).expect(201);
    await t.http
      .put(`${FHIR_BASE}/Organization/${org.body.id}`)
      .send({ resourceType: 'Organization', id: org.body.id, name: 'Parent', identifier: [identifier] })
      .expect(200);
    const children = await t.http.get(`${FHIR_BASE}/Organization?partof=Organization/${org.body.id}`).expect(200);
    expect(children.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([child.body.id]);
  });
});

describe('an update or a delete without business keys: one statement over the version it read', () => {
  /** The statements the database was sent while `run` ran. */
  const statementsOf = async (run: () => Promise<unknown>): Promise<string[]> => (await statementsDuring(t, () => true, run)).map((statement) => statement.sql);
  const versionWrites = (statements: string[]) => statements.filter((sql) => sql.startsWith(VERSION_WRITE_MARK));
  const transactions = (statements: string[]) => statements.filter((sql) => /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT)\b/i.test(sql));

  test('a PUT and a DELETE each write with one statement, without BEGIN or COMMIT', async () => {
    const org = await t.http.post(`${FHIR_BASE}/Organization`).send({ resourceType: 'Organization', name: 'Once' }).expect(201);
    const url = `${FHIR_BASE}/Organization/${org.body.id}`;
    const put = await statementsOf(() => t.http.put(url).send({ resourceType: 'Organization', id: org.body.id, name: 'Twice' }).expect(200));
    expect(versionWrites(put)).toHaveLength(1);
    expect(transactions(put)).toEqual([]);
    const del = await statementsOf(() => t.http.delete(url).expect(200));
    expect(versionWrites(del)).toHaveLength(1);
    expect(transactions(del)).toEqual([]);
    await t.http.get(url).expect(410);
    expect(await total(`Organization?name:exact=Twice&_id=${org.body.id}`)).toBe(0);
    expect(await orphanRows()).toBe(0);
  });

  test('concurrent updates and a delete of one resource: every version kept, the index holds only the last', async () => {
    const family = `Racer${randomUUID().slice(0, 8)}`;
    const created = await t.http
      .post(`${FHIR_BASE}/Patient`)
      .send({ resourceType: 'Patient', name: [{ family }] })
      .expect(201);
    const id = created.body.id as string;
    const names = Array.from({ length: 8 }, (_, i) => `${family}n${i}`);
    const updates = await Promise.all(
      names.map((name) => t.http.put(`${FHIR_BASE}/Patient/${id}`).send({ resourceType: 'Patient', id, name: [{ family: name }] })),
    );
    expect(updates.map((r) => r.status)).toEqual(names.map(() => 200));
    expect(updates.map((r) => Number(r.body.meta.versionId)).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    const last = updates.find((r) => r.body.meta.versionId === '9')!.body.name[0].family as string;
    expect(await total(`Patient?family:exact=${last}`)).toBe(1);
    expect(await total(`Patient?family=${family}`)).toBe(1);
    const [deletion, update] = await Promise.all([
      t.http.delete(`${FHIR_BASE}/Patient/${id}`),
      t.http.put(`${FHIR_BASE}/Patient/${id}`).send({ resourceType: 'Patient', id, name: [{ family: `${family}late` }] }),
    ]);
    expect([deletion.status, update.status]).toEqual([200, expect.any(Number)]);
    expect([200, 201]).toContain(update.status);
    const history = await t.http.get(`${FHIR_BASE}/Patient/${id}/_history`).expect(200);
    expect(history.body.total).toBe(11);
    const current = await t.http.get(`${FHIR_BASE}/Patient/${id}`);
    expect(await total(`Patient?family=${family}`)).toBe(current.status === 200 ? 1 : 0);
    const [rows] = await t.knex('search_string').count({ n: '*' }).where({ tenant_id: t.tenantId, resource_type: 'Patient', resource_id: id, code: 'family' });
    expect(Number(rows?.n)).toBe(current.status === 200 ? 1 : 0);
    expect(await orphanRows()).toBe(0);
  });
});
