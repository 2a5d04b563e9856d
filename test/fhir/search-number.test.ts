import { numberValue } from '../../src/fhir/search/parse-values';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { create, sorted } from './search/fixtures';

// None of the served types has an R4 number parameter, so the number comparisons are
// exercised at the store, over index rows written for a parameter code of this test.
let t: TestApp;
const code = 'test-number';
const byValue: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  for (const value of ['99.4', '99.5', '100', '100.49', '100.5', '150', '-3']) {
    const { id } = await create(t, { resourceType: 'Patient' });
    byValue[value] = id;
    await t.knex('search_number').insert({ tenant_id: t.tenantId, resource_type: 'Patient', resource_id: id, code, value });
  }
});
afterAll(() => t.close());

async function matching(search: string): Promise<string[]> {
  const criteria = [{ kind: 'index' as const, table: 'number' as const, codes: [code], values: [numberValue(search, code)] }];
  const result = await t.service().search('Patient', {
    criteria,
    sort: [{ on: 'number', codes: [code], descending: false }],
    count: 100,
    offset: 0,
    countTotal: false,
    include: [],
  });
  return result.versions.map((v) => v.resource.id as string);
}
const ids = (...values: string[]): string[] => sorted(values.map((v) => byValue[v] as string));

test('eq honours the precision of the search value', async () => {
  expect(sorted(await matching('100'))).toEqual(ids('99.5', '100', '100.49'));
  expect(sorted(await matching('100.0'))).toEqual(ids('100'));
  expect(sorted(await matching('1e2'))).toEqual(ids('99.4', '99.5', '100', '100.49', '100.5'));
});

test('ne, gt, lt, ge, le, sa, eb', async () => {
  expect(sorted(await matching('ne100'))).toEqual(ids('99.4', '100.5', '150', '-3'));
  expect(sorted(await matching('gt100'))).toEqual(ids('100.49', '100.5', '150'));
  expect(sorted(await matching('lt99.5'))).toEqual(ids('99.4', '-3'));
  expect(sorted(await matching('ge100.5'))).toEqual(ids('100.5', '150'));
  expect(sorted(await matching('le-3'))).toEqual(ids('-3'));
  expect(sorted(await matching('sa100.49'))).toEqual(ids('100.5', '150'));
  expect(sorted(await matching('eb0'))).toEqual(ids('-3'));
});

test('ap is within 10%', async () => {
  expect(sorted(await matching('ap140'))).toEqual(ids('150'));
});

test('sorting by a number parameter orders numerically', async () => {
  expect(await matching('gt-10')).toEqual(['-3', '99.4', '99.5', '100', '100.49', '100.5', '150'].map((v) => byValue[v]));
});
