import type { Knex } from 'knex';
import type { IndexTarget } from './index-writer';
import { writeNewResources, type NewResourcesWritten } from './new-resources-write';
import type { VersionRow } from './rows';

interface PendingWrite {
  rows: readonly VersionRow[];
  targets: readonly IndexTarget[];
  resolve(outcome: NewResourcesWritten): void;
  reject(err: unknown): void;
}

/** At most about this many resources go into one statement; writes waiting beyond it go into the next. */
const MAX_ROWS = 100;

/** Waiting writes by database, then by tenant: one statement writes for one tenant. */
const waiting = new WeakMap<Knex, Map<string, PendingWrite[]>>();

/**
 * Writes new resources as `writeNewResources` does; outside a transaction, the writes that reach
 * here within one turn of the event loop go to the database as one statement per tenant. Each
 * statement costs PostgreSQL far more than the rows it adds — its executor's start over the
 * tables and their indexes, its commit — so under concurrent creates a batch of k costs nearly
 * k times less of that (docs/performance.md, "Creates of one turn in one statement"). A write
 * alone waits only for the end of the turn (`setImmediate`).
 *
 * A batch's statement is atomic: refused — a business key taken, a row created meanwhile, any
 * error — it wrote nothing, and each write in it is then sent alone, so that a refusal or a
 * failure is only its own request's. Inside a transaction a write goes at once, on its connection.
 */
export function writeNewResourcesSoon(
  db: Knex | Knex.Transaction,
  tenantId: string,
  rows: readonly VersionRow[],
  targets: readonly IndexTarget[],
): Promise<NewResourcesWritten> {
  if (db.isTransaction) return writeNewResources(db, tenantId, rows, targets);
  const queue = queueOf(db, tenantId);
  return new Promise((resolve, reject) => {
    if (queue.push({ rows, targets, resolve, reject }) === 1) setImmediate(flush, db, tenantId);
  });
}

function queueOf(db: Knex, tenantId: string): PendingWrite[] {
  const byTenant = waiting.get(db) ?? new Map<string, PendingWrite[]>();
  if (!waiting.has(db)) waiting.set(db, byTenant);
  const queue = byTenant.get(tenantId) ?? [];
  if (!byTenant.has(tenantId)) byTenant.set(tenantId, queue);
  return queue;
}

function flush(db: Knex, tenantId: string): void {
  const byTenant = waiting.get(db);
  const queue = byTenant?.get(tenantId) ?? [];
  let size = 0;
  for (let rowCount = 0; size < queue.length; size++) {
    rowCount += queue[size]!.rows.length;
    if (rowCount > MAX_ROWS && size > 0) break;
  }
  const batch = queue.splice(0, size);
  if (queue.length > 0) setImmediate(flush, db, tenantId);
  else byTenant?.delete(tenantId);
  void send(db, tenantId, batch);
}

async function send(db: Knex, tenantId: string, batch: readonly PendingWrite[]): Promise<void> {
  if (batch.length > 1) {
    const rows = batch.flatMap((write) => write.rows);
    const whole = await writeNewResources(
      db,
      tenantId,
      rows,
      batch.flatMap((write) => write.targets),
    ).catch(() => undefined);
    if (whole && whole.written.size === rows.length && whole.taken.length === 0) {
      for (const write of batch) write.resolve({ written: new Set(write.rows.map((row) => `${row.resource_type}/${row.id}`)), taken: [] });
      return;
    }
  }
  for (const write of batch) writeNewResources(db, tenantId, write.rows, write.targets).then(write.resolve, write.reject);
}
