import { randomUUID } from 'node:crypto';
import { escapeLiteral } from 'pg';
import { statementsDuring, type Statement } from '../helpers/statements';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  // A tenant of a few thousand resources of the benchmark Patient's size, eight tokens each.
  await t.knex.raw(
    `INSERT INTO resources (tenant_id, resource_type, id, version_id, last_updated, created_at, deleted, content)
     SELECT ?::uuid, 'Basic', 'filler-' || g, 1, now(), now(), false, jsonb_build_object('resourceType', 'Basic', 'text', repeat('x', 1200))
     FROM generate_series(1, 3000) g`,
    [t.tenantId],
  );
  await t.knex.raw(
    `INSERT INTO search_token (tenant_id, resource_type, resource_id, code, system, value)
     SELECT ?::uuid, 'Basic', 'filler-' || g, 'code', 'http://example.org', 'v' || k FROM generate_series(1, 3000) g, generate_series(1, 8) k`,
    [t.tenantId],
  );
  await t.knex.raw('ANALYZE resources, search_token');
});
afterAll(() => t.close());

const literal = (value: unknown): string => (Array.isArray(value) ? `ARRAY[${value.map(literal).join(', ')}]` : escapeLiteral(String(value)));

/**
 * The plan PostgreSQL keeps for any values once it prefers it to planning each execution: the
 * statement prepared anew and explained for its values under `force_generic_plan`.
 */
async function genericPlanOf(statement: Statement): Promise<string> {
  const trx = await t.knex.transaction();
  try {
    await trx.raw('SET LOCAL plan_cache_mode = force_generic_plan');
    let n = 0;
    await trx.raw(`PREPARE plan_probe AS ${statement.sql.replace(/\$\d+|\?/g, () => `$${++n}`)}`);
    const values = statement.bindings.map(literal).join(', ');
    const { rows } = (await trx.raw(`EXPLAIN EXECUTE plan_probe(${values})`)) as { rows: { 'QUERY PLAN': string }[] };
    await trx.raw('DEALLOCATE plan_probe');
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await trx.rollback();
  }
}

/**
 * The updates of one turn go in one statement, its versions passed as a JSON array that
 * PostgreSQL takes for a hundred rows whatever it holds, the resources whose index rows go as
 * arrays it takes for ten: under any plan it keeps, each resource and its index rows are probed
 * by key, not the tables scanned whole.
 */
test('the updates of one turn probe each resource they write and its index rows, under the plan kept for any values', async () => {
  const service = t.service();
  const created = await Promise.all(
    Array.from({ length: 4 }, () => service.create({ resourceType: 'Patient', name: [{ family: `Plan${randomUUID().slice(0, 8)}` }] })),
  );
  const ids = created.map((version) => version.resource.id!);
  const seen = await statementsDuring(
    t,
    (sql) => sql.includes('json_to_recordset') && sql.includes('UPDATE resources'),
    () => Promise.all(ids.map((id) => service.update('Patient', id, { resourceType: 'Patient', id, gender: 'female' }))),
  );
  expect(seen).toHaveLength(1);
  const plan = await genericPlanOf(seen[0]!);
  expect(plan).toMatch(/Update on resources/);
  expect(plan).toMatch(/Delete on search_token/);
  expect(plan).not.toMatch(/Seq Scan on (resources|search_token)\b/);
});
