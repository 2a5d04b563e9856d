import { randomUUID } from 'node:crypto';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

/*
 * An update replaces a resource's search index rows (one prepared statement for a single
 * resource, one planned statement for a batch): the old values stop matching, the new ones
 * match, and a deletion leaves nothing to match — also under concurrent updates.
 */

const FHIR_JSON = 'application/fhir+json';
const SYSTEM = 'http://hospital.example.org/index-replacement';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const patient = (family: string, mrn: string, birthDate: string, id?: string) => ({
  resourceType: 'Patient',
  ...(id ? { id } : {}),
  identifier: [{ system: SYSTEM, value: mrn }],
  name: [{ family, given: ['Ava'] }],
  birthDate,
});

const put = (id: string, body: object) => t.http.put(`${FHIR_BASE}/Patient/${id}`).set('content-type', FHIR_JSON).send(body);

/** The ids a search finds. */
async function found(query: string): Promise<string[]> {
  const res = await t.http.get(`${FHIR_BASE}/Patient?${query}`);
  expect(res.status).toBe(200);
  return (res.body.entry ?? []).map((e: { resource: { id: string } }) => e.resource.id);
}

test('after an update only the new values match; after a deletion none do', async () => {
  const [before, after] = [`Old${randomUUID().slice(0, 8)}`, `New${randomUUID().slice(0, 8)}`];
  const [oldMrn, newMrn] = [randomUUID(), randomUUID()];
  const created = await t.http
    .post(`${FHIR_BASE}/Patient`)
    .set('content-type', FHIR_JSON)
    .send(patient(before, oldMrn, '1931-02-03'));
  const id = created.body.id as string;
  expect(await found(`family=${before}`)).toEqual([id]);

  expect((await put(id, patient(after, newMrn, '1932-04-05', id))).status).toBe(200);
  expect(await found(`family=${before}`)).toEqual([]);
  expect(await found(`identifier=${SYSTEM}|${oldMrn}`)).toEqual([]);
  expect(await found(`family=${after}`)).toEqual([id]);
  expect(await found(`identifier=${SYSTEM}|${newMrn}`)).toEqual([id]);
  expect(await found(`birthdate=1932-04-05&identifier=${SYSTEM}|${newMrn}`)).toEqual([id]);
  expect(await found(`birthdate=1931-02-03&identifier=${SYSTEM}|${newMrn}`)).toEqual([]);

  expect((await t.http.delete(`${FHIR_BASE}/Patient/${id}`)).status).toBe(200);
  expect(await found(`family=${after}`)).toEqual([]);
  expect(await found(`identifier=${SYSTEM}|${newMrn}`)).toEqual([]);
});

test('concurrent updates of one resource leave the index of the version that won, once', async () => {
  const mrn = randomUUID();
  const stem = `Race${randomUUID().slice(0, 8)}`;
  const created = await t.http
    .post(`${FHIR_BASE}/Patient`)
    .set('content-type', FHIR_JSON)
    .send(patient(`${stem}x`, mrn, '1950-01-01'));
  const id = created.body.id as string;
  const families = Array.from({ length: 12 }, (_, i) => `${stem}v${i}`);
  const answers = await Promise.all(families.map((family) => put(id, patient(family, mrn, '1950-01-01', id))));
  expect(answers.map((a) => a.status)).toEqual(families.map(() => 200));

  const current = await t.http.get(`${FHIR_BASE}/Patient/${id}`);
  expect(current.body.meta.versionId).toBe('13');
  const winner = current.body.name[0].family as string;
  // Every family but the stored one is gone from the index; the stored one is found once.
  expect(await found(`family=${stem}`)).toEqual([id]);
  for (const family of [`${stem}x`, ...families]) expect(await found(`family:exact=${family}`)).toEqual(family === winner ? [id] : []);
  expect(await found(`identifier=${SYSTEM}|${mrn}`)).toEqual([id]);
});

test('a value repeated in a resource is one index row; values that differ only in a missing part are two', async () => {
  const family = `Twice${randomUUID().slice(0, 8)}`;
  const mrn = randomUUID();
  const created = await t.http
    .post(`${FHIR_BASE}/Patient`)
    .set('content-type', FHIR_JSON)
    .send({
      resourceType: 'Patient',
      name: [
        { family, given: ['Ava'] },
        { family, given: ['Ava'] },
      ],
      identifier: [{ system: SYSTEM, value: mrn }, { system: SYSTEM, value: mrn }, { value: mrn }],
      birthDate: '1931-02-03',
    });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const rows = (table: string, code: string, columns: string[]) =>
    t.knex(table).where({ tenant_id: t.tenantId, resource_type: 'Patient', resource_id: id, code }).orderBy(columns[0]!).select(columns);
  expect(await rows('search_string', 'family', ['exact'])).toEqual([{ exact: family }]);
  expect(await rows('search_token', 'identifier', ['system', 'value'])).toEqual([
    { system: SYSTEM, value: mrn },
    { system: null, value: mrn },
  ]);
  expect(await found(`identifier=${mrn}`)).toEqual([id]);

  // Many rows of one table are told apart by a key per row rather than row against row.
  const values = Array.from({ length: 20 }, (_, i) => `${mrn}-${i}`);
  const many = await t.http
    .post(`${FHIR_BASE}/Patient`)
    .set('content-type', FHIR_JSON)
    .send({ resourceType: 'Patient', identifier: [...values, ...values.slice(0, 5)].map((value) => ({ system: SYSTEM, value })) });
  expect(many.status).toBe(201);
  const manyRows = await t
    .knex('search_token')
    .where({ tenant_id: t.tenantId, resource_type: 'Patient', resource_id: many.body.id, code: 'identifier' })
    .select('value');
  expect(manyRows.map((row: { value: string }) => row.value).sort()).toEqual([...values].sort());
});
