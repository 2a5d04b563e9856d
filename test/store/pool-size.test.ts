import { loadConfig } from '../../src/config';
import { openDatabase } from '../../src/store/db';
import { openTemplateCopy } from '../helpers/pglite-template';

test('DATABASE_POOL_MAX defaults to 10 connections per process', () => {
  expect(loadConfig({}).databasePoolMax).toBe(10);
  expect(loadConfig({ DATABASE_POOL_MAX: '4' }).databasePoolMax).toBe(4);
  expect(() => loadConfig({ DATABASE_POOL_MAX: '0' })).toThrow(/DATABASE_POOL_MAX/);
});

test('the pool never holds more connections than its maximum, however many queries wait', async () => {
  const url = process.env.DATABASE_URL;
  // Embedded, a copy of the run's migrated database: an empty one runs initdb, which on a loaded
  // two-core CI took longer than the pool waits for its one connection to be made.
  const { knex } = url ? openDatabase({ url, poolMax: 2 }) : openTemplateCopy();
  try {
    const pids = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const { rows } = (await knex.raw('SELECT pg_backend_pid() AS pid, pg_sleep(0.2)')) as { rows: { pid: number }[] };
        return rows[0]?.pid;
      }),
    );
    expect(pids.every((pid) => typeof pid === 'number')).toBe(true);
    // Embedded PGlite is one in-process connection whatever the setting.
    expect(new Set(pids).size).toBe(url ? 2 : 1);
  } finally {
    await knex.destroy();
  }
});
