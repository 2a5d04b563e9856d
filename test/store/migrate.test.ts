import { randomBytes } from 'node:crypto';
import { MIGRATIONS } from '../../migrations';
import { openDatabase, type Database } from '../../src/store/db';
import { migrateToLatest, migrationsComplete } from '../../src/store/migrate';

const url = process.env.DATABASE_URL;

/**
 * Handles on one fresh, empty database as separate processes would hold them: a pool each on
 * PostgreSQL (a schema of this test's own), the one handle on an in-memory PGlite.
 */
async function freshDatabase(starters: number): Promise<{ handles: Database[]; close(): Promise<void> }> {
  if (!url) {
    const db = openDatabase({});
    return { handles: Array.from({ length: starters }, () => db), close: () => db.knex.destroy() };
  }
  const schema = `${process.env.TEST_DB_SCHEMA ?? 'test'}_migrate_${randomBytes(4).toString('hex')}`;
  const admin = openDatabase({ url });
  await admin.knex.raw('CREATE SCHEMA ??', [schema]);
  const handles = Array.from({ length: starters }, () => openDatabase({ url, schema }));
  return {
    handles,
    close: async () => {
      for (const handle of handles) await handle.knex.destroy();
      await admin.knex.raw('DROP SCHEMA ?? CASCADE', [schema]);
      await admin.knex.destroy();
    },
  };
}

test('several servers starting together on an empty database all come up, and each migration runs once', async () => {
  const db = await freshDatabase(4);
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
