import { randomUUID } from 'node:crypto';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

/*
 * `phonetic` is R4's `name` path on Patient and Practitioner: its searches read the `name`
 * rows (src/fhir/indexing/index-codes.ts), so a write stores those rows once, and every way of
 * searching it (value, :exact, :contains, :missing, _sort) answers as `name` does.
 */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const post = (body: object) =>
  t.http
    .post(`${FHIR_BASE}/${(body as { resourceType: string }).resourceType}`)
    .set('content-type', 'application/fhir+json')
    .send(body);

async function ids(type: string, query: string): Promise<string[]> {
  const res = await t.http.get(`${FHIR_BASE}/${type}?${query}`);
  expect(res.status).toBe(200);
  return ((res.body.entry ?? []) as { resource: { id: string } }[]).map((e) => e.resource.id);
}

test.each(['Patient', 'Practitioner'])('%s: phonetic finds what name finds, from rows stored once', async (type) => {
  const family = `Phon${randomUUID().slice(0, 8)}`;
  const a = (await post({ resourceType: type, name: [{ family, given: ['Ava'] }] })).body.id as string;
  const b = (await post({ resourceType: type, name: [{ family: `${family}b`, given: ['Zed'] }] })).body.id as string;
  const unnamed = (await post({ resourceType: type, gender: 'other', identifier: [{ system: 'urn:x', value: family }] })).body.id as string;

  for (const query of [`=${family}`, `:exact=${family}b`, `:contains=${family.slice(2).toLowerCase()}`, `=ava`]) {
    expect(await ids(type, `phonetic${query}&name=${family}`)).toEqual(await ids(type, `name${query}&name=${family}`));
  }
  expect(new Set(await ids(type, `phonetic=${family}`))).toEqual(new Set([a, b]));
  expect(await ids(type, `phonetic:missing=true&identifier=urn:x|${family}`)).toEqual([unnamed]);
  expect(await ids(type, `phonetic=${family}&_sort=-phonetic`)).toEqual(await ids(type, `phonetic=${family}&_sort=-name`));

  const codes = await t.knex('search_string').where({ tenant_id: t.tenantId, resource_id: a }).distinct('code').pluck('code');
  expect(codes).toContain('name');
  expect(codes).not.toContain('phonetic');
});
