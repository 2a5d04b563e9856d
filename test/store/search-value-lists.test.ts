import { randomUUID } from 'node:crypto';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

/**
 * Several values of one parameter that are plain equalities — codes of one system, ids of one
 * target type — are one `= ANY` of an array, so that a search's statement is the same however
 * many values it names: one prepared statement, where each count of values was one of its own
 * (docs/search.md). Matches are checked on both databases, the statements on PostgreSQL.
 */
const onPostgres = process.env.DATABASE_URL ? test : test.skip;

/** One connection: every statement of the app is prepared on it, and `pg_prepared_statements` is its own. */
const apps: TestApp[] = [];
async function oneConnectionApp(): Promise<TestApp> {
  const app = await startTestApp({ poolMax: 1, env: { LAB_ORDER_POLL_MS: String(3_600_000) } });
  apps.push(app);
  return app;
}
afterAll(() => Promise.all(apps.map((app) => app.close())));

const idsOf = (body: { entry?: { resource: { id: string } }[] }): string[] => (body.entry ?? []).map((e) => e.resource.id).sort();

async function created(t: TestApp, resource: Record<string, unknown>): Promise<string> {
  const res = await t.http.post(`${FHIR_BASE}/${String(resource.resourceType)}`).send(resource);
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function search(t: TestApp, path: string, query: Record<string, string>): Promise<string[]> {
  const res = await t.http.get(`${FHIR_BASE}/${path}`).query(query);
  expect(res.status).toBe(200);
  return idsOf(res.body);
}

interface Setup {
  system: string;
  patients: string[];
  orders: string[];
}

async function setUp(t: TestApp): Promise<Setup> {
  const system = `urn:example:${randomUUID()}`;
  const patients: string[] = [];
  for (let i = 0; i < 5; i++) {
    const identifier = [{ system, value: `mrn-${i}` }, ...(i === 4 ? [{ system: `${system}:other`, value: 'mrn-0' }] : [])];
    patients.push(await created(t, { resourceType: 'Patient', identifier, name: [{ family: `Lists${i}` }] }));
  }
  const orders: string[] = [];
  for (const id of patients)
    orders.push(await created(t, { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: `Patient/${id}` } }));
  return { system, patients, orders };
}

test('a list of ids or codes matches each of them, under its own system or target type', async () => {
  const t = await oneConnectionApp();
  const { system, patients, orders } = await setUp(t);
  const subjects = (ids: string[]) => ids.map((id) => `Patient/${id}`).join(',');
  expect(await search(t, 'ServiceRequest', { subject: subjects(patients.slice(0, 2)) })).toEqual(orders.slice(0, 2).sort());
  expect(await search(t, 'ServiceRequest', { subject: `${subjects(patients.slice(1, 4))},Practitioner/${patients[0]}` })).toEqual(orders.slice(1, 4).sort());
  expect(await search(t, 'ServiceRequest', { patient: patients.slice(2).join(',') })).toEqual(orders.slice(2).sort());
  // `mrn-0` under the first system is one Patient; without a system, also the one holding it under another.
  expect(await search(t, 'Patient', { identifier: `${system}|mrn-0,${system}|mrn-3,${system}|none` })).toEqual([patients[0], patients[3]].sort());
  expect(await search(t, 'Patient', { identifier: `mrn-0,mrn-1,${system}|mrn-2` })).toEqual([patients[0], patients[1], patients[2], patients[4]].sort());
  expect(await search(t, 'Patient', { identifier: `|mrn-0,|mrn-1` })).toEqual([]);
  expect(await search(t, 'Patient', { identifier: `${system}|mrn-1,${system}|mrn-2`, family: 'Lists2' })).toEqual([patients[2]]);
});

onPostgres('a search names one statement whatever the number of values', async () => {
  // An app of its own: its connection has prepared no search yet.
  const t = await oneConnectionApp();
  const { system, patients } = await setUp(t);
  for (const n of [2, 3, 5, 4, 2, 3, 5, 4]) {
    expect(
      await search(t, 'ServiceRequest', {
        subject: patients
          .slice(0, n)
          .map((id) => `Patient/${id}`)
          .join(','),
      }),
    ).toHaveLength(n);
    const codes = Array.from({ length: n }, (_, i) => `${system}|mrn-${i}`).join(',');
    expect(await search(t, 'Patient', { identifier: codes })).toHaveLength(n);
  }
  const { rows } = (await t.knex.raw("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE 'fhir\\_built\\_%'")) as {
    rows: { statement: string; generic_plans: string; custom_plans: string }[];
  };
  const of = (table: string) => rows.filter((r) => new RegExp(`\\bsearch_${table}\\b`).test(r.statement));
  // Eight searches each, planned for their values five times, then for any value.
  expect(of('reference').map((r) => [Number(r.custom_plans), Number(r.generic_plans)])).toEqual([[5, 3]]);
  expect(of('token').map((r) => [Number(r.custom_plans), Number(r.generic_plans)])).toEqual([[5, 3]]);
  expect(of('token')[0]?.statement).toMatch(/= ANY/);
});
