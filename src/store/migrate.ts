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

/** Applies pending migrations; knex's lock table keeps concurrent starters from racing. */
export async function migrateToLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource: source })) as [number, string[]];
  return applied;
}

/** True when every known migration has been applied (readiness). */
export async function migrationsComplete(knex: Knex): Promise<boolean> {
  const [, pending] = (await knex.migrate.list({ migrationSource: source })) as [unknown[], unknown[]];
  return pending.length === 0;
}
