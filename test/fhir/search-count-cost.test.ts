import type { Bundle, BundleEntry, Patient } from '@medplum/fhirtypes';
import { loadConfig } from '../../src/config';
import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';
import { search, unique } from './search/fixtures';

/**
 * Without `_total`, a search whose bounded count PostgreSQL plans above SEARCH_COUNT_COST_LIMIT
 * leaves the total out. A limit of 0 makes every such count too costly, as a search by several
 * broad criteria is at a million resources.
 */
let t: TestApp;
const u = unique();
const family = `Cost${u}`;
const stored = 12;

beforeAll(async () => {
  t = await startTestApp({ env: { SEARCH_COUNT_COST_LIMIT: '0' } });
  const entry: BundleEntry<Patient>[] = Array.from({ length: stored }, () => ({
    resource: { resourceType: 'Patient', gender: 'female', name: [{ family }] },
    request: { method: 'POST', url: 'Patient' },
  }));
  await t.http.post(FHIR_BASE).set('content-type', 'application/fhir+json').send({ resourceType: 'Bundle', type: 'batch', entry }).expect(200);
});
afterAll(() => t.close());

const next = (bundle: Bundle): string | undefined => bundle.link?.find((l) => l.relation === 'next')?.url;

test('SEARCH_COUNT_COST_LIMIT defaults to 10,000 and must not be negative', () => {
  expect(loadConfig({}).searchCountCostLimit).toBe(10_000);
  expect(loadConfig({ SEARCH_COUNT_COST_LIMIT: '250' }).searchCountCostLimit).toBe(250);
  expect(() => loadConfig({ SEARCH_COUNT_COST_LIMIT: '-1' })).toThrow(/SEARCH_COUNT_COST_LIMIT/);
});

test('a search by several criteria whose count costs too much answers its page without a total, and offers the next', async () => {
  const bundle = await search(t, `Patient?family=${family}&gender=female&_count=5`);
  expect(bundle.total).toBeUndefined();
  expect(bundle.entry).toHaveLength(5);
  expect(next(bundle)).toContain('_offset=5');
});

test('asked for, the total is counted whatever it costs', async () => {
  expect((await search(t, `Patient?family=${family}&gender=female&_count=5&_total=accurate`)).total).toBe(stored);
  expect((await search(t, `Patient?family=${family}&gender=female&_count=5&_total=estimate`)).total).toBe(stored);
  expect((await search(t, `Patient?family=${family}&gender=female&_summary=count`)).total).toBe(stored);
});

test('a last page and a search by one criterion still tell their total without that count', async () => {
  const whole = await search(t, `Patient?family=${family}&gender=female&_count=50`);
  expect(whole.total).toBe(stored);
  expect(whole.entry).toHaveLength(stored);
  const last = await search(t, `Patient?family=${family}&gender=female&_count=5&_offset=10`);
  expect(last.total).toBe(stored);
  expect(last.entry).toHaveLength(2);
  // One criterion: its index rows, read to find the page, count the matches.
  expect((await search(t, `Patient?family=${family}&_count=5`)).total).toBe(stored);
});
