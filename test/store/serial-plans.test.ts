import { openDatabase } from '../../src/store/db';

/** Parallel workers are a PostgreSQL server's; embedded PGlite is one process. */
const onPostgres = process.env.DATABASE_URL ? test : test.skip;

async function workersPerQuery(): Promise<string | undefined> {
  const { knex } = openDatabase({ url: process.env.DATABASE_URL, poolMax: 1 });
  try {
    const { rows } = (await knex.raw('SHOW max_parallel_workers_per_gather')) as { rows: { max_parallel_workers_per_gather: string }[] };
    return rows[0]?.max_parallel_workers_per_gather;
  } finally {
    await knex.destroy();
  }
}

onPostgres('requests are planned without parallel workers, which would walk past the end of a page', async () => {
  expect(await workersPerQuery()).toBe('0');
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
