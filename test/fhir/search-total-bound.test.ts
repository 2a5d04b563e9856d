import type { Bundle, BundleEntry, Patient } from '@medplum/fhirtypes';
import { COUNT_BOUND } from '../../src/fhir/search/parse';
import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';
import { search, unique } from './search/fixtures';

/** Broad searches count at most COUNT_BOUND matches unless the client asks for an accurate total. */
let t: TestApp;
const u = unique();
const stored = COUNT_BOUND + 5;

beforeAll(async () => {
  t = await startTestApp();
  const entry: BundleEntry<Patient>[] = Array.from({ length: stored }, () => ({
    // Two names of one family: a family search matches each Patient through two index rows.
    resource: { resourceType: 'Patient', gender: 'female', name: [{ family: `Many${u}` }, { family: `Many${u}`, use: 'maiden' }] },
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
    ...Array.from({ length: 3 }, (): Patient => ({ resourceType: 'Patient', name: [{ family: few }, { family: few, use: 'old' }] })),
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
