import { openDatabase } from '../../src/store/db';

/** Parallel workers are a PostgreSQL server's; embedded PGlite is one process. */
const onPostgres = process.env.DATABASE_URL ? test : test.skip;

/** A setting as a connection of the server's pool has it. */
async function sessionSetting(name: 'max_parallel_workers_per_gather' | 'jit'): Promise<string | undefined> {
  const { knex } = openDatabase({ url: process.env.DATABASE_URL, poolMax: 1 });
  try {
    const { rows } = (await knex.raw(`SHOW ${name}`)) as { rows: Record<string, string>[] };
    return rows[0]?.[name];
  } finally {
    await knex.destroy();
  }
}

const workersPerQuery = () => sessionSetting('max_parallel_workers_per_gather');

onPostgres('requests are planned without parallel workers, which would walk past the end of a page', async () => {
  expect(await workersPerQuery()).toBe('0');
});

onPostgres('requests are not compiled by JIT, whose every compile costs more than a request', async () => {
  expect(await sessionSetting('jit')).toBe('off');
});

onPostgres("libpq's PGOPTIONS still has the last word", async () => {
  const before = process.env.PGOPTIONS;
  process.env.PGOPTIONS = '-c max_parallel_workers_per_gather=2';
  try {
    expect(await workersPerQuery()).toBe('2');
  } finally {
    if (before === undefined) delete process.env.PGOPTIONS;
    else process.env.PGOPTIONS = before;
  }
});
