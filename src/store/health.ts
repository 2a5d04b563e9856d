import type { Database } from './db';
import { migrationsComplete } from './migrate';

export type DatabaseStatus = 'ready' | 'migrations_pending' | 'database_unavailable';

/**
 * Readiness of the database: it answers on a connection of its own (so a pool busy with
 * requests never reads as "down") and every migration is applied. Migrations only move
 * forward, so once complete they are not asked again.
 */
export function databaseReadiness(database: Database): () => Promise<DatabaseStatus> {
  let migrated = false;
  return async () => {
    if (!(await database.answers())) return 'database_unavailable';
    if (!migrated) migrated = await migrationsComplete(database.knex).catch(() => false);
    return migrated ? 'ready' : 'migrations_pending';
  };
}
