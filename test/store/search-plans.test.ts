import { randomUUID } from 'node:crypto';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

/**
 * A search (or a history) of one shape is one named prepared statement per connection, whatever
 * its values: parsed once, and planned again only while a plan for the values looks cheaper than
 * PostgreSQL's plan for any value (docs/performance.md). A string prefix is a range of the index
 * key, not a `LIKE`, so it is one of them. Prepared statements are a PostgreSQL server's, so this
 * runs on PostgreSQL.
 */
const onPostgres = process.env.DATABASE_URL ? test : test.skip;

let t: TestApp | undefined;
afterAll(() => t?.close());

interface Prepared {
  statement: string;
  generic: number;
  custom: number;
}

onPostgres('searches of one shape share a prepared statement and its generic plan, string prefixes too', async () => {
  // One connection: every statement of the app is prepared on it, and the view below is its own.
  t = await startTestApp({ poolMax: 1, env: { LAB_ORDER_POLL_MS: String(3_600_000) } });
  const app = t;
  const system = `urn:example:${randomUUID()}`;
  const patients: string[] = [];
  for (let i = 0; i < 3; i++) {
    const patient = { resourceType: 'Patient', identifier: [{ system, value: `mrn-${i}` }], name: [{ family: `Plancache${i}` }] };
    patients.push((await app.http.post(`${FHIR_BASE}/Patient`).send(patient).expect(201)).body.id as string);
  }
  for (const [i, id] of patients.entries()) {
    const order = { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: `Patient/${id}` } };
    for (let n = 0; n <= i; n++) await app.http.post(`${FHIR_BASE}/ServiceRequest`).send(order).expect(201);
  }

  for (let i = 0; i < 8; i++) {
    const found = await app.http.get(`${FHIR_BASE}/Patient`).query({ identifier: `${system}|mrn-${i % 3}` });
    expect(found.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([patients[i % 3]]);
    // Pages of one, two and three orders and their one Patient come by the same statement.
    const included = await app.http.get(`${FHIR_BASE}/ServiceRequest`).query({ subject: `Patient/${patients[i % 3]}`, _include: 'ServiceRequest:subject' });
    expect(included.body.entry.map((e: { search: { mode: string } }) => e.search.mode)).toEqual([...Array<string>(1 + (i % 3)).fill('match'), 'include']);
    const prefixed = await app.http.get(`${FHIR_BASE}/Patient`).query({ family: `Plancache${i % 3}` });
    expect(prefixed.body.total).toBe(1);
    const history = await app.http.get(`${FHIR_BASE}/Patient/${patients[i % 3]}/_history`);
    expect(history.body.total).toBe(1);
  }

  const { rows } = (await app.knex.raw("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE 'fhir\\_built\\_%'")) as {
    rows: { statement: string; generic_plans: string; custom_plans: string }[];
  };
  const built: Prepared[] = rows.map((r) => ({ statement: r.statement, generic: Number(r.generic_plans), custom: Number(r.custom_plans) }));
  const of = (table: string) => built.filter((b) => new RegExp(`\\b${table}\\b`).test(b.statement));
  // The token search, the prefix search, the reference search with its include (the page and its first round of
  // includes are one statement) and the instance history: eight executions each.
  expect(of('search_token')).toEqual([{ statement: expect.any(String), generic: 3, custom: 5 }]);
  expect(of('search_string')).toEqual([{ statement: expect.any(String), generic: 3, custom: 5 }]);
  expect(of('search_reference')).toEqual([{ statement: expect.any(String), generic: 3, custom: 5 }]);
  expect(of('resource_versions')).toEqual([{ statement: expect.any(String), generic: 3, custom: 5 }]);
  expect(built.filter((b) => /\blike\b/i.test(b.statement))).toEqual([]);
});
