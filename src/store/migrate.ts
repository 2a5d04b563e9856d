import type { Knex } from 'knex';
import { MIGRATIONS } from '../../migrations';

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
 * A PostgreSQL session advisory lock, held on a connection of its own for the whole run. It is
 * polled rather than waited for, so that a long migration elsewhere does not meet
 * statement_timeout, and it goes with the session if the process dies.
 */
async function withMigrationLock<T>(knex: Knex, run: (knex: Knex) => Promise<T>): Promise<T> {
  if ((knex.client as Knex.Client).config.client !== 'pg') return run(knex);
  const connection: unknown = await knex.client.acquireConnection();
  try {
    for (;;) {
      const { rows } = (await knex.raw(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS locked`).connection(connection)) as { rows: { locked: boolean }[] };
      if (rows[0]?.locked) break;
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
    try {
      return await run(knex);
    } finally {
      await knex.raw(`SELECT pg_advisory_unlock(${LOCK_KEY})`).connection(connection);
    }
  } finally {
    await knex.client.releaseConnection(connection);
  }
}

/** True when every known migration has been applied (readiness). */
export async function migrationsComplete(knex: Knex): Promise<boolean> {
  const [, pending] = (await knex.migrate.list({ migrationSource: source })) as [unknown[], unknown[]];
  return pending.length === 0;
}
