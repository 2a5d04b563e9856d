import { randomUUID } from 'node:crypto';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

/**
 * The searches kept prepared are bounded per process (each costs every connection that prepares
 * it ~100 KB of PostgreSQL's plan cache). In a file of its own: the bound is the process's, and
 * this test needs all of it. Prepared statements are a PostgreSQL server's.
 */
const onPostgres = process.env.DATABASE_URL ? test : test.skip;

let t: TestApp | undefined;
afterAll(() => t?.close());

onPostgres('past 64 shapes in a process, searches of further shapes run unnamed and still answer', async () => {
  t = await startTestApp({ poolMax: 1, env: { LAB_ORDER_POLL_MS: String(3_600_000) } });
  const app = t;
  const system = `urn:example:${randomUUID()}`;
  const created = await app.http
    .post(`${FHIR_BASE}/Patient`)
    .send({ resourceType: 'Patient', identifier: [{ system: `${system}-0`, value: 'mrn-0' }] })
    .expect(201);
  // A search of n identifiers of n systems is a shape of its own: n alternatives in its statement.
  for (let n = 1; n <= 70; n++) {
    const values = Array.from({ length: n }, (_, i) => `${system}-${i}|mrn-${i}`).join(',');
    const found = await app.http.get(`${FHIR_BASE}/Patient`).query({ identifier: values }).expect(200);
    expect(found.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([created.body.id]);
  }
  const { rows } = (await app.knex.raw("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'fhir\\_built\\_%'")) as {
    rows: { n: number }[];
  };
  expect(rows[0]?.n).toBe(64);
});
