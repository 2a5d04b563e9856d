import { randomUUID } from 'node:crypto';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

/*
 * `:exact` compares the whole value as written, case and accents included (R4 search.html#string),
 * through the folded prefix index: names that fold alike are found apart.
 */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function create(family: string): Promise<string> {
  const res = await t.http
    .post(`${FHIR_BASE}/Patient`)
    .set('content-type', 'application/fhir+json')
    .send({ resourceType: 'Patient', name: [{ family }] });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function found(query: string): Promise<string[]> {
  const res = await t.http.get(`${FHIR_BASE}/Patient`).query(query);
  expect(res.status).toBe(200);
  return ((res.body.entry ?? []) as { resource: { id: string } }[]).map((e) => e.resource.id).sort();
}

test('names that fold to the same text are told apart by :exact, and found together by the default match', async () => {
  const u = randomUUID().slice(0, 8);
  const accented = await create(`Zoë-Ñu${u}`);
  const plain = await create(`zoe-nu${u}`);
  const upper = await create(`ZOE-NU${u}`);
  expect(await found(`family:exact=${encodeURIComponent(`Zoë-Ñu${u}`)}`)).toEqual([accented]);
  expect(await found(`family:exact=zoe-nu${u}`)).toEqual([plain]);
  expect(await found(`family:exact=ZOE-NU${u}`)).toEqual([upper]);
  expect(await found(`family:exact=Zoe-Nu${u}`)).toEqual([]);
  expect(await found(`family:exact=zoe-nu${u.slice(0, 4)}`)).toEqual([]);
  expect(await found(`family=zoe-nu${u}`)).toEqual([accented, plain, upper].sort());
});
