import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp | undefined;
afterAll(() => t?.close());

interface Statement {
  sql: string;
  bindings: unknown[];
}

/** The statement's text with knex's `?` placeholders, whichever form it was reported in. */
const withKnexPlaceholders = (sql: string): string => sql.replace(/\$\d+/g, '?');

/**
 * A birth date window bounded on both sides is read from the stored ranges' GiST index, which
 * leads with one hash of tenant, resource type and code (migration 023): the search must name
 * that hash by the index's own expression, or the index is scanned by the range alone, over
 * every tenant's and parameter's rows. The btrees on either end would serve the plan too, so
 * they are dropped for the EXPLAIN, in a transaction rolled back after it.
 */
test('a two-sided date window is planned on the range index by the hash of its scope', async () => {
  t = await startTestApp();
  const app = t;
  const ids: string[] = [];
  for (const birthDate of ['1990-01-15', '1990-02-10', '1989-12-31']) {
    ids.push((await app.http.post(`${FHIR_BASE}/Patient`).send({ resourceType: 'Patient', birthDate }).expect(201)).body.id as string);
  }

  const seen: Statement[] = [];
  const onQuery = (q: { sql?: string; bindings?: unknown[] }): void => {
    if (q.sql?.includes('tstzrange')) seen.push({ sql: q.sql, bindings: q.bindings ?? [] });
  };
  app.knex.on('query', onQuery);
  const found = await app.http.get(`${FHIR_BASE}/Patient`).query('birthdate=ge1990-01-01&birthdate=lt1990-02-01').expect(200);
  app.knex.off('query', onQuery);
  expect(found.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([ids[0]]);
  expect(seen).toHaveLength(1);

  const [search] = seen as [Statement];
  const trx = await app.knex.transaction();
  try {
    await trx.raw('DROP INDEX search_date_high');
    await trx.raw('DROP INDEX search_date_tenant_id_resource_type_code_low_index');
    await trx.raw('SET LOCAL enable_seqscan = off');
    const { rows } = (await trx.raw(`EXPLAIN ${withKnexPlaceholders(search.sql)}`, search.bindings as never[])) as { rows: { 'QUERY PLAN': string }[] };
    const plan = rows.map((row) => row['QUERY PLAN']);
    const scan = plan.findIndex((line) => / on search_date_range\b| using search_date_range\b/.test(line));
    expect(scan).toBeGreaterThanOrEqual(0);
    expect(plan[scan + 1]).toMatch(/Index Cond: .*hashtextextended.*&&/);
  } finally {
    await trx.rollback();
  }
});
