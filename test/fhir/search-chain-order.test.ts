import type { Bundle, ServiceRequest } from '@medplum/fhirtypes';
import { statementsDuring } from '../helpers/statements';
import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';
import { create, matchIds, search, sorted, unique } from './search/fixtures';

/**
 * A chain through one target type by a string prefix answers in its targets' order: by the
 * target's matching value, then its id, then the referencing resource's id; a resource found
 * through several targets (or one target's several values) stands at its first place
 * (docs/search.md, "How it works").
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const order = (fields: Pick<ServiceRequest, 'subject' | 'performer'>): ServiceRequest => ({
  resourceType: 'ServiceRequest',
  status: 'active',
  intent: 'order',
  ...fields,
});
const patientNamed = async (...families: string[]) => (await create(t, { resourceType: 'Patient', name: families.map((family) => ({ family })) })).id;
const practitionerNamed = async (family: string) => (await create(t, { resourceType: 'Practitioner', name: [{ family }] })).id;

/** Orders of one subject, created in one transaction; their ids in id order. */
async function ordersOf(patient: string, count: number): Promise<string[]> {
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: Array.from({ length: count }, () => ({
      request: { method: 'POST', url: 'ServiceRequest' },
      resource: order({ subject: { reference: `Patient/${patient}` } }),
    })),
  };
  const res = await t.http.post(FHIR_BASE).set('content-type', 'application/fhir+json').send(bundle).expect(200);
  return sorted((res.body as Bundle).entry!.map((e) => e.response!.location!.split('/')[1]!));
}

/** How many statements placing every match of a chain (`chainPageByTarget`) the action sends. */
async function walksOfEveryMatch(action: () => Promise<void>): Promise<number> {
  return (await statementsDuring(t, (sql) => sql.includes('GROUP BY w.resource_id'), action)).length;
}

/** The page's matches in the answer's order, and whether it links to a next page. */
async function page(path: string): Promise<{ ids: string[]; next: boolean; total?: number }> {
  const bundle = await search(t, path);
  return { ids: matchIds(bundle, true), next: (bundle.link ?? []).some((l) => l.relation === 'next'), total: bundle.total };
}

test('matches come by target value, then target, then their own id; each resource once, at its first place', async () => {
  const tag = unique('q');
  const later = await patientNamed(`${tag}b`);
  // Two Patients with the same value: their ids decide. One of them also matches by a later value.
  const [first, second] = sorted([await patientNamed(`${tag}a`), await patientNamed(`${tag}a`, `${tag}c`)]);
  await patientNamed(`x${tag}`);
  const byPatient = new Map<string, string[]>();
  for (const patient of [later, first!, second!]) byPatient.set(patient, await ordersOf(patient, 2));
  const expected = [first!, second!, later].flatMap((patient) => byPatient.get(patient)!);

  const all = await page(`ServiceRequest?subject:Patient.family=${tag}`);
  expect(all.ids).toEqual(expected);
  expect(all.total).toBe(6);
  expect((await page(`ServiceRequest?subject.family=${tag}`)).ids).toEqual(expected);

  // Pages of two, in the same order, neither overlapping nor skipping.
  const pages = await Promise.all([0, 2, 4].map((offset) => page(`ServiceRequest?subject:Patient.family=${tag}&_count=2&_offset=${offset}`)));
  expect(pages.flatMap((p) => p.ids)).toEqual(expected);
  expect(pages.map((p) => p.next)).toEqual([true, true, false]);
});

test('an order whose performers both match stands at the first one', async () => {
  const tag = unique('q');
  const earlier = await practitionerNamed(`${tag}a`);
  const later = await practitionerNamed(`${tag}b`);
  const subject = { reference: `Patient/${await patientNamed(tag)}` };
  // Created first: in id order it would come first.
  const onlyLater = (await create(t, order({ subject, performer: [{ reference: `Practitioner/${later}` }] }))).id;
  const both = (await create(t, order({ subject, performer: [{ reference: `Practitioner/${later}` }, { reference: `Practitioner/${earlier}` }] }))).id;

  const found = await page(`ServiceRequest?performer:Practitioner.family=${tag}`);
  expect(found.ids).toEqual([both, onlyLater]);
  expect(found.total).toBe(2);
});

describe('more than 1,000 matches', () => {
  const tag = unique('q');
  let many: string[], few: string[];
  beforeAll(async () => {
    // Three matching names: the first Patient's orders stand three times in the walk by target.
    const first = await patientNamed(`${tag}m`, `${tag}n`, `${tag}o`);
    const second = await patientNamed(`${tag}p`);
    // The second Patient's orders are created first: in id order they would come first.
    few = await ordersOf(second, 2);
    many = (await Promise.all([0, 1, 2, 3, 4].map(() => ordersOf(first, 201)))).flat().sort();
  });
  const chain = `ServiceRequest?subject:Patient.family=${tag}`;

  test('a page the probe reached comes from it, without a total past the count bound', async () => {
    const start = await page(`${chain}&_count=5`);
    expect(start.ids).toEqual(many.slice(0, 5));
    expect(start.next).toBe(true);
    expect(start.total).toBeUndefined();
    const end = await page(`${chain}&_count=2&_offset=998`);
    expect(end).toEqual({ ids: many.slice(998, 1000), next: true, total: undefined });
  });

  test('a page past it, among repeated resources, walks every match in the same order', async () => {
    const walks = await walksOfEveryMatch(async () => {
      expect(await page(`${chain}&_count=3&_offset=1003`)).toEqual({ ids: [...many.slice(1003), few[0]], next: true, total: undefined });
      // The last page tells the total.
      expect(await page(`${chain}&_count=10&_offset=1000`)).toEqual({ ids: [...many.slice(1000), ...few], next: false, total: 1007 });
    });
    expect(walks).toBe(2);
  });

  test('a page past it, without repeats, comes from the walk’s first rows', async () => {
    const walks = await walksOfEveryMatch(async () => {
      expect(await page(`${chain}n&_count=3&_offset=1000`)).toEqual({ ids: many.slice(1000, 1003), next: true, total: undefined });
    });
    expect(walks).toBe(0);
  });

  test('an accurate total counts every match', async () => {
    expect((await page(`${chain}&_count=1&_total=accurate`)).total).toBe(1007);
  });
});

describe('the count of a chain walked by its targets', () => {
  const tag = unique('q');
  beforeAll(async () => {
    await ordersOf(await patientNamed(`${tag}a`), 100);
    await ordersOf(await patientNamed(`${tag}b`), 1);
  });

  test('is exact up to 100 matches, left out past them unless the client asks for it', async () => {
    expect(await page(`ServiceRequest?subject:Patient.family=${tag}a&_count=5`)).toMatchObject({ next: true, total: 100 });
    const chain = `ServiceRequest?subject:Patient.family=${tag}&_count=5`;
    expect(await page(chain)).toMatchObject({ next: true, total: undefined });
    expect((await page(`${chain}&_total=accurate`)).total).toBe(101);
    expect((await page(`${chain}&_total=estimate`)).total).toBeGreaterThanOrEqual(101);
    // The last page tells the total.
    expect(await page(`${chain}&_offset=100`)).toMatchObject({ next: false, total: 101 });
  });
});
