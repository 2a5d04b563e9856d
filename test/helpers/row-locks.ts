import type { TestApp } from './test-app';

/** On embedded PGlite one connection serves every request: no two transactions ever wait on each other. */
export const onPostgres = process.env.DATABASE_URL ? test : test.skip;

/** A transaction on a connection of its own that locks resources' rows, as another client of the database would. */
export interface RowLockHolder {
  /** Locks the resource's current row; with `noWait`, fails at once when another transaction holds it. */
  lock(resourceType: string, id: string, options?: { noWait?: boolean }): Promise<void>;
  /** Resolves once another connection waits on a lock this holder has. */
  untilWaitedOn(): Promise<void>;
  /** Ends the transaction (nothing was written), freeing its locks; again, a no-op. */
  release(): Promise<void>;
}

export async function rowLockHolder(app: TestApp): Promise<RowLockHolder> {
  const trx = await app.knex.transaction();
  const pid = (await trx.raw('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  const waitedOn = async (): Promise<boolean> =>
    Number((await app.knex.raw('SELECT count(*) AS n FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))', [pid])).rows[0].n) > 0;
  return {
    async lock(resourceType, id, { noWait = false } = {}) {
      await trx.raw(`SELECT 1 FROM resources WHERE tenant_id = ? AND resource_type = ? AND id = ? FOR UPDATE${noWait ? ' NOWAIT' : ''}`, [
        app.tenantId,
        resourceType,
        id,
      ]);
    },
    async untilWaitedOn() {
      while (!(await waitedOn())) await new Promise((resolve) => setTimeout(resolve, 10));
    },
    async release() {
      if (!trx.isCompleted()) await trx.rollback();
    },
  };
}
