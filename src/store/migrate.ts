import type { Knex } from 'knex';
import { MIGRATIONS } from '../../migrations';
import { openOwnConnection } from './own-connection';

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => MIGRATIONS.map(([name]) => name),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const found = MIGRATIONS.find(([n]) => n === name);
    if (!found) throw new Error(`unknown migration ${name}`);
    const migration = found[1];
    // Each migration runs in its own transaction; an index built over a large table may take
    // minutes, far past the statement timeout that protects requests.
    return {
      up: async (trx: Knex) => {
        await trx.raw('SET LOCAL statement_timeout = 0');
        await migration.up(trx);
      },
      down: migration.down,
    };
  },
};

// One lock per schema, so that test runs in schemas of their own do not wait for each other.
const LOCK_KEY = "hashtext('fhir-facade migrations ' || current_schema())";
const LOCK_POLL_MS = 250;
/** Migrations already running in this process, per database handle (PGlite has a single connection). */
const running = new WeakMap<Knex, Promise<string[]>>();

/**
 * Applies pending migrations, one starter at a time: processes starting together on a fresh
 * PostgreSQL would otherwise race to create knex's own bookkeeping tables, and all but one fail.
 */
export async function migrateToLatest(knex: Knex): Promise<string[]> {
  const before = running.get(knex) ?? Promise.resolve([]);
  const mine = before.catch(() => []).then(() => withMigrationLock(knex, latest));
  running.set(knex, mine);
  return mine;
}

async function latest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource: source })) as [number, string[]];
  return applied;
}

/**
 * A PostgreSQL session advisory lock, held for the whole run on a connection of its own outside
 * the pool, which the migrations need whole (a pool of one connection would otherwise wait for
 * itself). It is polled rather than waited for, so that a long migration elsewhere does not meet
 * statement_timeout, and it goes with the session if the process dies.
 */
async function withMigrationLock<T>(knex: Knex, run: (knex: Knex) => Promise<T>): Promise<T> {
  const client = knex.client as Knex.Client;
  if (client.config.client !== 'pg') return run(knex);
  // In the schema the pool's connections work in, which the key names.
  const connection = await openOwnConnection(knex);
  try {
    for (;;) {
      const { rows } = await connection.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS locked`);
      if (rows[0]?.locked) break;
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
    return await run(knex);
  } finally {
    // Closing the session releases its lock.
    await connection.end().catch(() => undefined);
  }
}

/** True when every known migration has been applied (readiness). */
export async function migrationsComplete(knex: Knex): Promise<boolean> {
  const [, pending] = (await knex.migrate.list({ migrationSource: source })) as [unknown[], unknown[]];
  return pending.length === 0;
}
