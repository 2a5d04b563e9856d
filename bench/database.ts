import pg from 'pg';

/** The PostgreSQL settings that shape the figures; printed and stored with every run. */
const REPORTED_SETTINGS = [
  'server_version',
  'shared_buffers',
  'effective_cache_size',
  'work_mem',
  'max_connections',
  'synchronous_commit',
  'fsync',
  'full_page_writes',
  'wal_level',
  'commit_delay',
  'max_wal_size',
  'checkpoint_timeout',
  'autovacuum',
  'random_page_cost',
  'jit',
  'max_parallel_workers_per_gather',
  'default_statistics_target',
  'lc_collate',
];

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A database of the benchmark's own on the server of `url`, so that every run starts empty. */
export async function createBenchDatabase(url: string): Promise<BenchDatabase> {
  const name = `fhir_bench_${Date.now()}`;
  await withClient(url, (client) => client.query(`CREATE DATABASE ${name}`));
  const own = new URL(url);
  own.pathname = `/${name}`;
  return {
    name,
    url: own.toString(),
    drop: () => withClient(url, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export function postgresSettings(url: string): Promise<Record<string, string>> {
  return withClient(url, async (client) => {
    const settings: Record<string, string> = {};
    for (const name of REPORTED_SETTINGS) settings[name] = String((await client.query(`SHOW ${name}`)).rows[0]?.[name] ?? '');
    return settings;
  });
}

/** The settings on one line, as a run prints them. */
export const settingsLine = (settings: Record<string, string>): string =>
  Object.entries(settings)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/** The baselines' table, in a schema of its own, with `rows` Patients to read; returns their ids. */
export function createBaselineSchema(url: string, schema: string, patient: Record<string, unknown>, rows: number): Promise<string[]> {
  return withClient(url, async (client) => {
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`CREATE TABLE ${schema}.patients (id uuid PRIMARY KEY, resource jsonb NOT NULL)`);
    const { rows: ids } = await client.query<{ id: string }>(
      `INSERT INTO ${schema}.patients SELECT id, $1::jsonb || jsonb_build_object('id', id) FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, $2)) g RETURNING id`,
      [patient, rows],
    );
    return ids.map((r) => r.id);
  });
}

export function dropSchema(url: string, schema: string): Promise<void> {
  return withClient(url, (client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined);
}

export function databaseSizeMb(url: string): Promise<number> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes');
    return Math.round(Number(rows[0]?.bytes ?? 0) / 2 ** 20);
  });
}

export function analyze(url: string): Promise<void> {
  return withClient(url, (client) => client.query('ANALYZE')).then(() => undefined);
}
