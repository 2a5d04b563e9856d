import type { Bundle, BundleEntry, Patient } from '@medplum/fhirtypes';
import { COUNT_BOUND } from '../../src/fhir/search/parse';
import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';
import { create, matchIds, search, unique } from './search/fixtures';

/** Broad searches count at most COUNT_BOUND matches unless the client asks for an accurate total. */
let t: TestApp;
const u = unique();
const stored = COUNT_BOUND + 5;

beforeAll(async () => {
  t = await startTestApp();
  const entry: BundleEntry<Patient>[] = Array.from({ length: stored }, () => ({
    // Two families of one prefix: a family search matches each Patient through two index rows.
    resource: { resourceType: 'Patient', gender: 'female', name: [{ family: `Many${u}` }, { family: `Many${u}son`, use: 'maiden' }] },
    request: { method: 'POST', url: 'Patient' },
  }));
  await t.http.post(FHIR_BASE).set('content-type', 'application/fhir+json').send({ resourceType: 'Bundle', type: 'batch', entry }).expect(200);
}, 120_000);
afterAll(() => t.close());

const next = (bundle: Bundle): string | undefined => bundle.link?.find((l) => l.relation === 'next')?.url;

test('past the bound, no total unless asked for, and the next page is still offered', async () => {
  // One index row per match (gender), and two per match (family): both counts stop past the bound.
  for (const query of [`Patient?gender=female&_count=10`, `Patient?family=many${u}&_count=10`]) {
    const bundle = await search(t, query);
    expect(bundle.total).toBeUndefined();
    expect(bundle.entry).toHaveLength(10);
    expect(next(bundle)).toContain('_offset=10');
  }
});

test('a Patient matching through several index rows counts once', async () => {
  const few = `Few${u}`;
  const patients: Patient[] = [
    ...Array.from({ length: 3 }, (): Patient => ({ resourceType: 'Patient', name: [{ family: few }, { family: `${few}son`, use: 'old' }] })),
    ...Array.from({ length: 2 }, (): Patient => ({ resourceType: 'Patient', name: [{ family: few }] })),
  ];
  for (const patient of patients) await t.http.post(`${FHIR_BASE}/Patient`).set('content-type', 'application/fhir+json').send(patient).expect(201);
  const first = await search(t, `Patient?family=${few}&_count=2`);
  expect(first.entry).toHaveLength(2);
  expect(first.total).toBe(5);
  expect((await search(t, `Patient?family:exact=${few}&_count=1`)).total).toBe(5);
});

test('_total=accurate and _summary=count count every match', async () => {
  expect((await search(t, `Patient?family=many${u}&_total=accurate&_count=1`)).total).toBe(stored);
  expect((await search(t, `Patient?family=many${u}&_summary=count`)).total).toBe(stored);
});

test('_total=estimate past the bound reports the planner estimate, never fewer than the bound', async () => {
  const { total } = await search(t, `Patient?family=many${u}&_total=estimate&_count=1`);
  expect(total).toBeGreaterThan(COUNT_BOUND);
});

test('under the bound every total is exact', async () => {
  const last = await search(t, `Patient?family=many${u}&_offset=${COUNT_BOUND}&_count=10`);
  expect(last.entry).toHaveLength(5);
  expect(next(last)).toBeUndefined();
  expect((await search(t, `Patient?family=many${u}&gender=male`)).total).toBe(0);
});

test('pages past the bound hold every match once, in id order', async () => {
  const pageSize = 300;
  const ids: string[] = [];
  for (let offset = 0; offset < stored; offset += pageSize)
    ids.push(...matchIds(await search(t, `Patient?family=many${u}&_count=${pageSize}&_offset=${offset}`), true));
  expect(ids).toHaveLength(stored);
  expect(new Set(ids).size).toBe(stored);
  expect(ids).toEqual([...ids].sort());
});

test('pages under the bound hold every match once, in id order', async () => {
  const family = `Paged${u}`;
  for (let k = 0; k < 5; k += 1) await create(t, { resourceType: 'Patient', name: [{ family }, { family: `${family}son`, use: 'old' }] });
  const pages = [];
  for (const offset of [0, 2, 4, 6]) pages.push(await search(t, `Patient?family=${family}&_count=2&_offset=${offset}`));
  expect(pages.map((page) => [page.entry?.length ?? 0, page.total])).toEqual([
    [2, 5],
    [2, 5],
    [1, 5],
    [0, 5],
  ]);
  const ids = pages.flatMap((page) => matchIds(page, true));
  expect(new Set(ids).size).toBe(5);
  expect(ids).toEqual([...ids].sort());
});

test('a date window counts its matches, and a deleted match leaves the count', async () => {
  const family = `Born${u}`;
  const inMarch = await Promise.all(
    ['1911-03-01', '1911-03-15', '1911-03-31'].map((birthDate) => create(t, { resourceType: 'Patient', birthDate, name: [{ family }] })),
  );
  await create(t, { resourceType: 'Patient', birthDate: '1911-04-01', name: [{ family }] });
  const march = 'Patient?birthdate=ge1911-03-01&birthdate=lt1911-04-01';
  const before = await search(t, march);
  expect(before.total).toBe(3);
  expect(matchIds(before)).toEqual(inMarch.map((p) => p.id).sort());
  await t.http.delete(`${FHIR_BASE}/Patient/${inMarch[1]!.id}`).expect(200);
  const after = await search(t, `${march}&_count=1`);
  expect(after.total).toBe(2);
  expect(matchIds(after)).toEqual([[inMarch[0]!.id, inMarch[2]!.id].sort()[0]]);
});
