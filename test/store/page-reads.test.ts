import { randomUUID } from 'node:crypto';
import { statementsDuring } from '../helpers/statements';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

/** The statement of a search that reads its page's resources beside the count of its matches. */
const READS_PAGE_WITH_COUNT = /matched_resources[\s\S]*LEFT JOIN resources AS r/;

interface SearchBundle {
  total?: number;
  entry?: { resource: { id: string }; search: { mode: string } }[];
  link: { relation: string }[];
}

const matchIds = (bundle: SearchBundle): string[] => (bundle.entry ?? []).filter((e) => e.search.mode === 'match').map((e) => e.resource.id);

const create = async (resource: Record<string, unknown>): Promise<string> =>
  (
    await t.http
      .post(`${FHIR_BASE}/${resource.resourceType as string}`)
      .send(resource)
      .expect(201)
  ).body.id as string;

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
      for (let i = 0; i < 3; i++) await create({ resourceType: 'Patient', name: [{ family: `${family}${i}` }] });
      return { path: `Patient?family=${family}&_count=2`, total: 3 };
    },
  ],
  [
    'a chain walked by its targets',
    async (family: string) => {
      for (let i = 0; i < 3; i++) {
        const patient = await create({ resourceType: 'Patient', name: [{ family: `${family}${i}` }] });
        await create({ resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: `Patient/${patient}` } });
      }
      return { path: `ServiceRequest?subject:Patient.family=${family}&_count=2`, total: 3 };
    },
  ],
  [
    'a page with its includes',
    async (family: string) => {
      const patient = await create({ resourceType: 'Patient', name: [{ family }] });
      for (let i = 0; i < 3; i++)
        await create({ resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: `Patient/${patient}` } });
      return { path: `ServiceRequest?subject=Patient/${patient}&_include=ServiceRequest:subject&_count=2`, total: 3 };
    },
  ],
])('%s reads the resources of its page only, and still links the next page', async (_name, seed) => {
  const { path, total } = await seed(`Pagereads${randomUUID().slice(0, 8)}`);

  let first: SearchBundle | undefined;
  const seen = await statementsDuring(
    t,
    (sql) => READS_PAGE_WITH_COUNT.test(sql),
    async () => {
      first = (await t.http.get(`${FHIR_BASE}/${path}`).expect(200)).body as SearchBundle;
    },
  );
  expect(first?.total).toBe(total);
  expect(matchIds(first!)).toHaveLength(2);
  expect(first?.link.map((l) => l.relation)).toContain('next');

  expect(seen).toHaveLength(1);
  const { rows } = (await t.knex.raw(seen[0]!.sql.replace(/\$\d+/g, '?'), seen[0]!.bindings as never[])) as {
    rows: { id: string | null; spec?: number | null }[];
  };
  const pageResources = rows.filter((row) => row.id !== null && (row.spec ?? null) === null);
  expect(pageResources.map((row) => row.id).sort()).toEqual([...matchIds(first!)].sort());

  // The last page: what the count told, without a `next` link.
  const last = (await t.http.get(`${FHIR_BASE}/${path}&_offset=2`).expect(200)).body as SearchBundle;
  expect(matchIds(last)).toHaveLength(total - 2);
  expect(last.link.map((l) => l.relation)).not.toContain('next');
  expect(new Set([...matchIds(first!), ...matchIds(last)]).size).toBe(total);
});
