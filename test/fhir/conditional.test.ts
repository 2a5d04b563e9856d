import type { Patient } from '@medplum/fhirtypes';
import { findMatches } from '../../src/fhir/search/match';
import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';
import { create, matchIds, search, unique } from './search/fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const SYSTEM = 'http://example.org/mrn';
const patient = (value: string, family = 'Cond'): Patient => ({ resourceType: 'Patient', name: [{ family }], identifier: [{ system: SYSTEM, value }] });
const criteria = (value: string): string => `identifier=${encodeURIComponent(`${SYSTEM}|${value}`)}`;

function createIfNoneExist(body: Patient, ifNoneExist: string) {
  return t.http.post(`${FHIR_BASE}/Patient`).set('content-type', 'application/fhir+json').set('if-none-exist', ifNoneExist).send(body);
}

function conditionalPut(query: string, body: Patient) {
  return t.http.put(`${FHIR_BASE}/Patient?${query}`).set('content-type', 'application/fhir+json').send(body);
}

describe('conditional create (If-None-Exist)', () => {
  test('no match creates (201)', async () => {
    const value = unique();
    const res = await createIfNoneExist(patient(value), criteria(value));
    expect(res.status).toBe(201);
    expect(res.headers.location).toContain(`/Patient/${res.body.id}/_history/1`);
  });

  test('one match answers it with 200 and writes nothing', async () => {
    const value = unique();
    const existing = await create(t, patient(value));
    const res = await createIfNoneExist(patient(value, 'Changed'), `?${criteria(value)}`);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(existing.id);
    expect(res.body.name[0].family).toBe('Cond');
    expect(res.headers.etag).toBe('W/"1"');
    expect(matchIds(await search(t, `Patient?${criteria(value)}`))).toEqual([existing.id]);
  });

  test('several matches answer 412', async () => {
    const value = unique();
    await create(t, patient(value));
    await create(t, patient(value));
    expect((await createIfNoneExist(patient(value), criteria(value))).status).toBe(412);
  });

  test('criteria with an unknown parameter or none at all answer 400', async () => {
    expect((await createIfNoneExist(patient(unique()), 'nope=1')).status).toBe(400);
    expect((await createIfNoneExist(patient(unique()), '_count=1')).status).toBe(400);
  });

  test('8 concurrent creates with the same criteria make exactly one resource', async () => {
    const value = unique();
    const results = await Promise.all(Array.from({ length: 8 }, () => createIfNoneExist(patient(value), criteria(value))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(matchIds(await search(t, `Patient?${criteria(value)}`))).toHaveLength(1);
  });
});

describe('conditional update (PUT /Type?criteria)', () => {
  test('no match creates (201), under the body id when it has one', async () => {
    const value = unique();
    const res = await conditionalPut(criteria(value), patient(value));
    expect(res.status).toBe(201);
    const id = `cond-${unique()}`;
    const withId = await conditionalPut(criteria(unique()), { ...patient(unique()), id });
    expect(withId.status).toBe(201);
    expect(withId.body.id).toBe(id);
  });

  test('one match is updated (200, a new version)', async () => {
    const value = unique();
    const existing = await create(t, patient(value));
    const res = await conditionalPut(criteria(value), patient(value, 'Updated'));
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(existing.id);
    expect(res.body.meta.versionId).toBe('2');
    expect(res.body.name[0].family).toBe('Updated');
    const sameId = await conditionalPut(criteria(value), { ...patient(value, 'Again'), id: existing.id });
    expect(sameId.status).toBe(200);
  });

  test('a body id other than the match answers 400', async () => {
    const value = unique();
    await create(t, patient(value));
    const res = await conditionalPut(criteria(value), { ...patient(value), id: 'someone-else' });
    expect(res.status).toBe(400);
  });

  test('several matches answer 412; no criteria answer 400', async () => {
    const value = unique();
    await create(t, patient(value));
    await create(t, patient(value));
    expect((await conditionalPut(criteria(value), patient(value))).status).toBe(412);
    expect((await conditionalPut('', patient(value))).status).toBe(400);
  });

  test('8 concurrent updates with the same criteria create once, then update', async () => {
    const value = unique();
    const results = await Promise.all(Array.from({ length: 8 }, () => conditionalPut(criteria(value), patient(value))));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.map((r) => Number(r.body.meta.versionId)).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe('findMatches', () => {
  test('answers up to limit matches of the criteria, with or without a leading Type?', async () => {
    const value = unique();
    const a = await create(t, patient(value));
    const b = await create(t, patient(value));
    const service = t.service();
    expect((await findMatches(service, 'Patient', criteria(value))).map((v) => v.resource.id).sort()).toEqual([a.id, b.id].sort());
    expect(await findMatches(service, 'Patient', `Patient?${criteria(value)}`, 1)).toHaveLength(1);
    expect(await findMatches(service, 'Patient', `?${criteria(value)}&family=nobody`)).toEqual([]);
  });

  test('criteria for another type, unknown parameters and empty criteria are a 400', async () => {
    const service = t.service();
    for (const bad of ['Practitioner?identifier=1', 'nope=1', '', '_count=5']) {
      await expect(findMatches(service, 'Patient', bad)).rejects.toMatchObject({ outcome: { kind: 'badRequest' } });
    }
  });
});
