import type { Knex } from 'knex';
import { migrationsComplete } from './migrate';

export type DatabaseStatus = 'ready' | 'migrations_pending' | 'database_unavailable';

/** Whether the database answers (within `timeoutMs`) and every migration is applied. */
export async function databaseStatus(knex: Knex, timeoutMs = 2000): Promise<DatabaseStatus> {
  try {
    await withTimeout(knex.raw('SELECT 1'), timeoutMs);
    return (await withTimeout(migrationsComplete(knex), timeoutMs)) ? 'ready' : 'migrations_pending';
  } catch {
    return 'database_unavailable';
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
