import type { Bundle, Patient, ServiceRequest } from '@medplum/fhirtypes';
import { rowsOf, statementsDuring } from '../helpers/statements';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { create, matchIds, search, unique } from './search/fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

/** The statement of a search that reads its page's resources beside the count of its matches. */
const READS_PAGE_WITH_COUNT = /matched_resources[\s\S]*LEFT JOIN resources AS r/;

const patientNamed = async (family: string): Promise<string> => (await create<Patient>(t, { resourceType: 'Patient', name: [{ family }] })).id;
const orderOf = (patient: string): Promise<ServiceRequest> =>
  create<ServiceRequest>(t, { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: `Patient/${patient}` } });
const linksNext = (bundle: Bundle): boolean => (bundle.link ?? []).some((l) => l.relation === 'next');

/**
 * Three searches whose page comes with the count of their matches, in one statement: by a value
 * index, a chain walked by its targets, and with a first round of includes. The count tells
 * whether more follow the page, so the statement reads the page's resources and none past it —
 * at a million Patients each one more is a read of its index page and its row from the disk.
 */
test.each([
  [
    'a string prefix',
    async (family: string) => {
      for (let i = 0; i < 3; i++) await patientNamed(`${family}${i}`);
      return `Patient?family=${family}&_count=2`;
    },
  ],
  [
    'a chain walked by its targets',
    async (family: string) => {
      for (let i = 0; i < 3; i++) await orderOf(await patientNamed(`${family}${i}`));
      return `ServiceRequest?subject:Patient.family=${family}&_count=2`;
    },
  ],
  [
    'a page with its includes',
    async (family: string) => {
      const patient = await patientNamed(family);
      for (let i = 0; i < 3; i++) await orderOf(patient);
      return `ServiceRequest?subject=Patient/${patient}&_include=ServiceRequest:subject&_count=2`;
    },
  ],
])('%s reads the resources of its page only, and still links the next page', async (_name, seed) => {
  const path = await seed(unique('Pagereads'));

  let first: Bundle | undefined;
  const seen = await statementsDuring(
    t,
    (sql) => READS_PAGE_WITH_COUNT.test(sql),
    async () => {
      first = await search(t, path);
    },
  );
  expect(first?.total).toBe(3);
  expect(matchIds(first!)).toHaveLength(2);
  expect(linksNext(first!)).toBe(true);

  expect(seen).toHaveLength(1);
  const rows = await rowsOf<{ id: string | null; spec?: number | null }>(t, seen[0]!);
  const pageResources = rows.filter((row) => row.id !== null && (row.spec ?? null) === null);
  expect(pageResources.map((row) => row.id as string).sort()).toEqual(matchIds(first!));

  // The last page: what the count told, without a `next` link.
  const last = await search(t, `${path}&_offset=2`);
  expect(matchIds(last)).toHaveLength(1);
  expect(linksNext(last)).toBe(false);
  expect(new Set([...matchIds(first!), ...matchIds(last)]).size).toBe(3);
});
