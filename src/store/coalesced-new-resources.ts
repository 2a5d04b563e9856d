import type { Knex } from 'knex';
import type { IndexTarget } from './index-writer';
import { writeNewResources, type NewResourcesWritten } from './new-resources-write';
import type { VersionRow } from './rows';
import { batchesOfOneTurn, WRITE_BATCHES_IN_FLIGHT, type Pending } from './turn-batches';

interface NewResourcesWrite {
  rows: readonly VersionRow[];
  targets: readonly IndexTarget[];
}

/** Waiting writes by database and tenant, at most about 100 resources a statement: one statement writes for one tenant. */
const writeInTurn = batchesOfOneTurn<NewResourcesWrite, NewResourcesWritten>({
  limit: 100,
  weightOf: (write) => write.rows.length,
  inFlight: WRITE_BATCHES_IN_FLIGHT,
  send,
});

/**
 * Writes new resources as `writeNewResources` does; outside a transaction, the writes that reach
 * here within one turn of the event loop go to the database as one statement per tenant. Each
 * statement costs PostgreSQL far more than the rows it adds — its executor's start over the
 * tables and their indexes, its commit — so under concurrent creates a batch of k costs nearly
 * k times less of that (docs/performance-history.md, "Creates of one turn in one statement").
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
  return writeInTurn(db, tenantId, { rows, targets });
}

async function send(db: Knex, tenantId: string, batch: readonly Pending<NewResourcesWrite, NewResourcesWritten>[]): Promise<void> {
  if (batch.length > 1) {
    const rows = batch.flatMap(({ input }) => input.rows);
    const whole = await writeNewResources(
      db,
      tenantId,
      rows,
      batch.flatMap(({ input }) => input.targets),
    ).catch(() => undefined);
    if (whole && whole.written.size === rows.length && whole.taken.length === 0) {
      for (const { input, resolve } of batch) resolve({ written: new Set(input.rows.map((row) => `${row.resource_type}/${row.id}`)), taken: [] });
      return;
    }
  }
  for (const { input, resolve, reject } of batch) writeNewResources(db, tenantId, input.rows, input.targets).then(resolve, reject);
}
