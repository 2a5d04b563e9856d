import { randomBytes, randomUUID } from 'node:crypto';
import { MIGRATIONS } from '../../migrations';
import { auditEventOf } from '../../src/fhir/audit/audit-event';
import type { AuditEntry } from '../../src/store/audit-log';
import { DEFAULT_TENANT_ID } from '../../src/store/default-tenant';
import { openDatabase, type Database } from '../../src/store/db';
import { migrateToLatest, migrationsComplete } from '../../src/store/migrate';

const url = process.env.DATABASE_URL;

/**
 * Handles on one fresh, empty database as separate processes would hold them: a pool each on
 * PostgreSQL (a schema of this test's own), the one handle on an in-memory PGlite.
 */
async function freshDatabase(starters: number, poolMax?: number): Promise<{ handles: Database[]; close(): Promise<void> }> {
  if (!url) {
    const db = openDatabase({});
    return { handles: Array.from({ length: starters }, () => db), close: () => db.knex.destroy() };
  }
  const schema = `${process.env.TEST_DB_SCHEMA ?? 'test'}_migrate_${randomBytes(4).toString('hex')}`;
  const admin = openDatabase({ url });
  await admin.knex.raw('CREATE SCHEMA ??', [schema]);
  const handles = Array.from({ length: starters }, () => openDatabase({ url, schema, poolMax }));
  return {
    handles,
    close: async () => {
      for (const handle of handles) await handle.knex.destroy();
      await admin.knex.raw('DROP SCHEMA ?? CASCADE', [schema]);
      await admin.knex.destroy();
    },
  };
}

/** A fresh database with the migrations before `name` applied, and that migration. */
async function justBefore(name: string): Promise<{ knex: Database['knex']; migration: (typeof MIGRATIONS)[number][1]; close(): Promise<void> }> {
  const db = await freshDatabase(1);
  try {
    const knex = db.handles[0]!.knex;
    const at = MIGRATIONS.findIndex(([migrationName]) => migrationName === name);
    for (const [, migration] of MIGRATIONS.slice(0, at)) await migration.up(knex);
    return { knex, migration: MIGRATIONS[at]![1], close: db.close };
  } catch (err) {
    await db.close();
    throw err;
  }
}

test.each([
  ['several servers', 4, undefined],
  // The migration lock is held on a connection beside the pool, which the migrations need.
  ['servers whose pools hold one connection each', 2, 1],
])('%s starting together on an empty database all come up, and each migration runs once', async (_name, starters, poolMax) => {
  const db = await freshDatabase(starters, poolMax);
  try {
    const results = await Promise.allSettled(db.handles.map((handle) => migrateToLatest(handle.knex)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const applied = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    expect(applied.sort()).toEqual(MIGRATIONS.map(([name]) => name).sort());
    for (const handle of db.handles) expect(await migrationsComplete(handle.knex)).toBe(true);
    const [first] = db.handles;
    const rows = (await first!.knex('knex_migrations').select('name')) as { name: string }[];
    expect(rows).toHaveLength(MIGRATIONS.length);
  } finally {
    await db.close();
  }
});

const onPostgres = url ? test : test.skip;

onPostgres('servers migrating schemas of their own at once on a database without the extensions all come up', async () => {
  // Extensions belong to the database: a database of this test's own, which has none yet.
  const database = `fhir_migrate_${randomBytes(4).toString('hex')}`;
  const admin = openDatabase({ url });
  await admin.knex.raw('CREATE DATABASE ??', [database]);
  const target = new URL(url!);
  target.pathname = `/${database}`;
  const schemas = ['a', 'b', 'c', 'd'].map((name) => `schema_${name}`);
  const handles = schemas.map((schema) => openDatabase({ url: target.toString(), schema }));
  try {
    for (const [i, handle] of handles.entries()) await handle.knex.raw('CREATE SCHEMA ??', [schemas[i]!]);
    const results = await Promise.allSettled(handles.map((handle) => migrateToLatest(handle.knex)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const { rows } = (await handles[0]!.knex.raw('SELECT extname FROM pg_extension ORDER BY extname')) as { rows: { extname: string }[] };
    expect(rows.map((r) => r.extname)).toEqual(expect.arrayContaining(['btree_gist', 'pg_trgm']));
  } finally {
    for (const handle of handles) await handle.knex.destroy();
    await admin.knex.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [database]);
    await admin.knex.destroy();
  }
});

test('a start on an up-to-date database applies nothing', async () => {
  const db = await freshDatabase(1);
  try {
    const [handle] = db.handles;
    expect((await migrateToLatest(handle!.knex)).length).toBe(MIGRATIONS.length);
    expect(await migrateToLatest(handle!.knex)).toEqual([]);
  } finally {
    await db.close();
  }
});

test('016 carries whole audit events over to columns, and its down rebuilds the same events', async () => {
  const { knex, migration: m016, close } = await justBefore('016_compact_audit_events');
  try {
    const entry = (entities: string[], description: string, succeeded: boolean): AuditEntry => ({
      id: randomUUID(),
      recorded: '2026-11-24T10:11:12.345Z',
      action: 'E',
      interaction: 'search-type',
      succeeded,
      agent: { via: 'jwt', id: 'user-7' },
      requestId: `req_${randomUUID()}`,
      entities,
      description,
    });
    const entries = [entry(['Patient/a', 'Patient/b'], 'Patient?family&birthdate', true), entry([], 'Practitioner', false)];
    await knex('audit_events').insert(
      entries.map((e) => ({ tenant_id: DEFAULT_TENANT_ID, id: e.id, recorded: e.recorded, entities: e.entities, content: auditEventOf(e) })),
    );

    await m016.up(knex);
    const rows = await knex('audit_events').select(
      'id',
      'action',
      'interaction',
      'succeeded',
      'agent_via',
      'agent_id',
      'request_id',
      'entities',
      'description',
    );
    expect(rows.sort((x, y) => entries.findIndex((e) => e.id === x.id) - entries.findIndex((e) => e.id === y.id))).toEqual(
      entries.map((e) => ({
        id: e.id,
        action: e.action,
        interaction: e.interaction,
        succeeded: e.succeeded,
        agent_via: e.agent.via,
        agent_id: e.agent.id,
        request_id: e.requestId,
        entities: e.entities,
        description: e.description,
      })),
    );

    await m016.down(knex);
    const events = (await knex('audit_events').select('content')).map((r: { content: unknown }) => r.content);
    expect(events).toEqual(expect.arrayContaining(entries.map(auditEventOf)));
    expect(events).toHaveLength(entries.length);
  } finally {
    await close();
  }
});

test('018 gives index rows written before it their bounded key, and its down restores the expression index', async () => {
  const { knex, migration: m018, close } = await justBefore('018_covering_string_prefix');
  try {
    const long = `kuhn${'x'.repeat(300)}`;
    const row = (resourceId: string, value: string) => ({
      tenant_id: DEFAULT_TENANT_ID,
      resource_type: 'Patient',
      resource_id: resourceId,
      code: 'family',
      value,
      exact: value,
    });
    await knex('search_string').insert([row('a', 'kuhn'), row('b', long)]);

    await m018.up(knex);
    const keys = await knex('search_string').select('resource_id', 'value_key').where('value_key', 'like', 'kuhn%').orderBy('resource_id');
    expect(keys).toEqual([
      { resource_id: 'a', value_key: 'kuhn' },
      { resource_id: 'b', value_key: long.slice(0, 256) },
    ]);

    await m018.down(knex);
    const indexes = (await knex('pg_indexes').select('indexname').where({ tablename: 'search_string' }).whereRaw('schemaname = current_schema()')).map(
      (r: { indexname: string }) => r.indexname,
    );
    expect(indexes).toEqual(expect.arrayContaining(['search_string_value_pattern']));
    expect(indexes).not.toContain('search_string_value_key');
    expect(await knex.schema.hasColumn('search_string', 'value_key')).toBe(false);
  } finally {
    await close();
  }
});

/** The definitions (after `USING btree`) of the named indexes of the test's schema, in the order of their names. */
async function indexDefinitions(knex: Database['knex'], names: string[]): Promise<string[]> {
  const rows = (await knex('pg_indexes').select('indexdef').whereIn('indexname', names).whereRaw('schemaname = current_schema()').orderBy('indexname')) as {
    indexdef: string;
  }[];
  return rows.map((r) => r.indexdef.replace(/^.* USING btree /, ''));
}

/** The definitions of indexes `names` once every migration ran, and again after `migrationName`'s down. */
async function indexesAtLatestAndAfterDown(migrationName: string, names: string[]): Promise<{ latest: string[]; afterDown: string[] }> {
  const db = await freshDatabase(1);
  try {
    const knex = db.handles[0]!.knex;
    await migrateToLatest(knex);
    const latest = await indexDefinitions(knex, names);
    const [, migration] = MIGRATIONS.find(([name]) => name === migrationName)!;
    await migration.down(knex);
    return { latest, afterDown: await indexDefinitions(knex, names) };
  } finally {
    await db.close();
  }
}

const DATE_BOUNDS = ['search_date_high', 'search_date_tenant_id_resource_type_code_low_index'];

test('019 rebuilds the btrees on either end of a date range to cover the other end and the resource, and its down takes that back', async () => {
  const { knex, migration: m019, close } = await justBefore('019_covering_date_bounds');
  try {
    await m019.up(knex);
    expect(await indexDefinitions(knex, DATE_BOUNDS)).toEqual([
      '(tenant_id, resource_type, code, high) INCLUDE (low, resource_id)',
      '(tenant_id, resource_type, code, low) INCLUDE (high, resource_id)',
    ]);
    await m019.down(knex);
    expect(await indexDefinitions(knex, DATE_BOUNDS)).toEqual(['(tenant_id, resource_type, code, high)', '(tenant_id, resource_type, code, low)']);
  } finally {
    await close();
  }
});

test('025 keys the indexes a sort walks by the value and then the resource, and its down includes the resource again', async () => {
  const db = await freshDatabase(1);
  try {
    const knex = db.handles[0]!.knex;
    const walked = [...DATE_BOUNDS, 'search_string_value_key'];
    await migrateToLatest(knex);
    expect(await indexDefinitions(knex, walked)).toEqual([
      '(tenant_id, resource_type, code, high, resource_id) INCLUDE (low)',
      '(tenant_id, resource_type, code, low, resource_id) INCLUDE (high)',
      '(tenant_id, resource_type, code, value_key text_pattern_ops, resource_id)',
    ]);
    const [, m025] = MIGRATIONS.find(([name]) => name === '025_sort_ties_by_resource')!;
    await m025.down(knex);
    expect(await indexDefinitions(knex, walked)).toEqual([
      '(tenant_id, resource_type, code, high) INCLUDE (low, resource_id)',
      '(tenant_id, resource_type, code, low) INCLUDE (high, resource_id)',
      '(tenant_id, resource_type, code, value_key text_pattern_ops) INCLUDE (resource_id)',
    ]);
  } finally {
    await db.close();
  }
});

/** The tables of the test's schema with a foreign key to `tenants`. */
async function tablesReferencingTenants(knex: Database['knex']): Promise<string[]> {
  const { rows } = (await knex.raw(
    `SELECT c.conrelid::regclass::text AS "table" FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
     WHERE c.contype = 'f' AND c.confrelid = 'tenants'::regclass AND t.relnamespace = current_schema()::regnamespace ORDER BY 1`,
  )) as { rows: { table: string }[] };
  return rows.map((r) => r.table);
}

/** What still references `tenants` once every migration ran: what a request's own writes never insert into. */
const KEEP_TENANT_KEYS = ['api_keys', 'bulk_exports', 'idempotency_keys', 'lab_order_outbox'];

test('026 drops the foreign keys to tenants of the tables every write inserts into, keeps the others, and its down restores them', async () => {
  const db = await freshDatabase(1);
  try {
    const knex = db.handles[0]!.knex;
    await migrateToLatest(knex);
    expect(await tablesReferencingTenants(knex)).toEqual(KEEP_TENANT_KEYS);
    await expect(
      knex('resources').insert({
        tenant_id: randomUUID(),
        resource_type: 'Patient',
        id: 'p',
        version_id: 1,
        last_updated: new Date(),
        created_at: new Date(),
        content: {},
      }),
    ).resolves.toBeDefined();
    await knex('resources').delete();
    const [, m026] = MIGRATIONS.find(([name]) => name === '026_resource_tables_without_tenant_keys')!;
    await m026.down(knex);
    expect(await tablesReferencingTenants(knex)).toEqual([...KEEP_TENANT_KEYS, 'resource_versions', 'resources', 'unique_keys'].sort());
  } finally {
    await db.close();
  }
});

test('028 drops the foreign key from the audit trail to tenants, and its down restores it', async () => {
  const { knex, migration: m028, close } = await justBefore('028_audit_trail_without_tenant_key');
  try {
    expect(await tablesReferencingTenants(knex)).toContain('audit_events');
    await m028.up(knex);
    expect(await tablesReferencingTenants(knex)).toEqual(KEEP_TENANT_KEYS);
    await m028.down(knex);
    expect(await tablesReferencingTenants(knex)).toEqual([...KEEP_TENANT_KEYS, 'audit_events'].sort());
  } finally {
    await close();
  }
});

test('027 keeps creation order for practitioners and their roles only, and its down indexes every type again', async () => {
  const { knex, migration: m027, close } = await justBefore('027_created_order_of_listed_types');
  try {
    await m027.up(knex);
    expect(await indexDefinitions(knex, ['resources_created_order'])).toEqual([
      "(tenant_id, resource_type, created_at, id) WHERE (resource_type = ANY (ARRAY['Practitioner'::text, 'PractitionerRole'::text]))",
    ]);
    await m027.down(knex);
    expect(await indexDefinitions(knex, ['resources_created_order'])).toEqual(['(tenant_id, resource_type, created_at, id)']);
  } finally {
    await close();
  }
});

test('032 keeps creation order for practitioners only, and its down indexes their roles again', async () => {
  const { latest, afterDown } = await indexesAtLatestAndAfterDown('032_created_order_of_practitioners', ['resources_created_order']);
  expect(latest).toEqual(["(tenant_id, resource_type, created_at, id) WHERE (resource_type = 'Practitioner'::text)"]);
  expect(afterDown).toEqual(["(tenant_id, resource_type, created_at, id) WHERE (resource_type = ANY (ARRAY['Practitioner'::text, 'PractitionerRole'::text]))"]);
});

test("034 indexes the Practitioners' names and emails by their pairs of characters, and its down drops them", async () => {
  const PAIR_INDEXES = ['search_string_practitioner_pairs', 'search_token_practitioner_email_pairs'];
  const { latest, afterDown } = await indexesAtLatestAndAfterDown('034_directory_character_pairs', PAIR_INDEXES);
  // The definitions name the test's schema.
  expect(latest.map((definition) => definition.replace(/^.* USING /, ''))).toEqual([
    "gin (fhir_character_pairs(value)) WHERE ((resource_type = 'Practitioner'::text) AND (code = ANY (ARRAY['name'::text, 'family'::text, 'given'::text, 'display-name'::text])))",
    "gin (fhir_character_pairs(lower(value))) WHERE ((code = 'email'::text) AND (resource_type = 'Practitioner'::text))",
  ]);
  expect(afterDown).toEqual([]);
});

test('023 keys the date range index by one hash of tenant, type and code, and its down restores the three columns', async () => {
  const db = await freshDatabase(1);
  try {
    const knex = db.handles[0]!.knex;
    const definition = async (): Promise<string> => {
      const row = (await knex('pg_indexes').first('indexdef').where('indexname', 'search_date_range').whereRaw('schemaname = current_schema()')) as {
        indexdef: string;
      };
      return row.indexdef.replace(/^.* USING gist /, '');
    };
    await migrateToLatest(knex);
    expect(await definition()).toBe(
      "(hashtextextended((((((tenant_id)::text || '/'::text) || resource_type) || '/'::text) || code), (0)::bigint), tstzrange(low, high, '[]'::text)) INCLUDE (tenant_id, resource_type, code, resource_id, low, high)",
    );
    const [, m023] = MIGRATIONS.find(([name]) => name === '023_date_range_by_scope')!;
    await m023.down(knex);
    expect(await definition()).toBe("(tenant_id, resource_type, code, tstzrange(low, high, '[]'::text)) INCLUDE (resource_id, low, high)");
  } finally {
    await db.close();
  }
});

test('024 keys the reference rows by resource and code, carrying their target, and its down restores the old key', async () => {
  const db = await freshDatabase(1);
  try {
    const knex = db.handles[0]!.knex;
    const byResource = ['search_reference_tenant_id_resource_type_resource_id_index'];
    await migrateToLatest(knex);
    expect(await indexDefinitions(knex, byResource)).toEqual(['(tenant_id, resource_type, resource_id, code) INCLUDE (target_type, target_id)']);
    const [, m024] = MIGRATIONS.find(([name]) => name === '024_covering_references_by_resource')!;
    await m024.down(knex);
    expect(await indexDefinitions(knex, byResource)).toEqual(['(tenant_id, resource_type, resource_id)']);
  } finally {
    await db.close();
  }
});

test('022 drops the history copies of current versions, keeping the ones before; its down copies them back', async () => {
  const { knex, migration: m022, close } = await justBefore('022_history_of_past_versions');
  try {
    const version = (id: string, versionId: number) => ({
      tenant_id: DEFAULT_TENANT_ID,
      resource_type: 'Patient',
      id,
      version_id: versionId,
      last_updated: `2026-11-2${versionId}T10:00:00.000Z`,
      created_at: '2026-11-21T10:00:00.000Z',
      deleted: false,
      content: { resourceType: 'Patient', id, meta: { versionId: String(versionId) } },
    });
    // As written before it: every version in the history, the current one in both tables.
    await knex('resources').insert([version('updated', 2), version('created', 1)]);
    await knex('resource_versions').insert([version('updated', 1), version('updated', 2), version('created', 1)]);
    const history = async () =>
      (await knex('resource_versions').select('id', 'version_id').orderBy(['id', 'version_id'])) as { id: string; version_id: number }[];

    await m022.up(knex);
    expect(await history()).toEqual([{ id: 'updated', version_id: 1 }]);
    expect(Number(((await knex('resources').count({ n: '*' })) as { n: unknown }[])[0]!.n)).toBe(2);

    await m022.down(knex);
    expect(await history()).toEqual([
      { id: 'created', version_id: 1 },
      { id: 'updated', version_id: 1 },
      { id: 'updated', version_id: 2 },
    ]);
  } finally {
    await close();
  }
});

test('029 leaves an order one row per Patient reference, under patient, and its down writes the subject twins again', async () => {
  const { knex, migration: m029, close } = await justBefore('029_order_patient_references_once');
  try {
    const row = (resourceId: string, code: string, reference: string, targetType: string | null, targetId: string | null) => ({
      tenant_id: DEFAULT_TENANT_ID,
      resource_type: 'ServiceRequest',
      resource_id: resourceId,
      code,
      reference,
      target_type: targetType,
      target_id: targetId,
    });
    await knex('search_reference').insert([
      // As written before: a Patient reference under both codes; an absolute one, which FHIRPath read as no type, under subject only.
      row('both', 'subject', 'Patient/p1', 'Patient', 'p1'),
      row('both', 'patient', 'Patient/p1', 'Patient', 'p1'),
      row('absolute', 'subject', 'https://ehr.example.org/fhir/Patient/p2', 'Patient', 'p2'),
      row('location', 'subject', 'Location/l1', 'Location', 'l1'),
      row('conditional', 'subject', 'Patient?identifier=x', null, null),
      row('conditional', 'patient', 'Patient?identifier=x', null, null),
    ]);
    const rows = () =>
      knex('search_reference').where({ resource_type: 'ServiceRequest' }).orderBy(['resource_id', 'code']).select('resource_id', 'code', 'reference');

    await m029.up(knex);
    const kept = [
      { resource_id: 'absolute', code: 'patient', reference: 'https://ehr.example.org/fhir/Patient/p2' },
      { resource_id: 'both', code: 'patient', reference: 'Patient/p1' },
      { resource_id: 'conditional', code: 'subject', reference: 'Patient?identifier=x' },
      { resource_id: 'location', code: 'subject', reference: 'Location/l1' },
    ];
    expect(await rows()).toEqual(kept);

    await m029.down(knex);
    const twins = kept.filter((row) => row.code === 'patient').map((row) => ({ ...row, code: 'subject' }));
    const byResourceAndCode = (a: { resource_id: string; code: string }, b: { resource_id: string; code: string }) =>
      a.resource_id.localeCompare(b.resource_id) || a.code.localeCompare(b.code);
    expect(await rows()).toEqual([...kept, ...twins].sort(byResourceAndCode));
  } finally {
    await close();
  }
});

test('030 indexes references by target in one index that holds the referencing resource, and its down restores the two it replaces', async () => {
  const byTarget = ['search_reference_by_target'];
  const replaced = ['search_reference_tenant_id_resource_type_code_target_id_index', 'search_reference_tenant_id_target_type_target_id_index'];
  const { latest, afterDown } = await indexesAtLatestAndAfterDown('030_references_by_target', [...byTarget, ...replaced]);
  expect(latest).toEqual(['(tenant_id, target_id, target_type, resource_type, code, resource_id)']);
  expect(afterDown).toEqual(['(tenant_id, resource_type, code, target_id)', '(tenant_id, target_type, target_id)']);
});
