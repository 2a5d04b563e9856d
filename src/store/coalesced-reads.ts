import type { Knex } from 'knex';
import { preparedStatement, runPrepared, type PreparedStatement } from './prepared-query';
import { batchesOfOneTurn, type Pending } from './turn-batches';
import { isUuid } from '../uuid-text';

/** One resource's current row, asked for by its primary key. */
export interface ResourceKey {
  tenantId: string;
  resourceType: string;
  id: string;
}

/** At most this many keys go into one statement, the reads of all tenants together; more waiting reads go into the next. */
const MAX_KEYS = 100;

/**
 * Whether the database takes the key as array elements: a tenant that is no UUID, or text with
 * a NUL, fails the statement, and in a batch it would fail the other reads with it, so such a
 * key goes alone (callers validate keys; this keeps one request's input from reaching another's).
 */
const batchable = (key: ResourceKey): boolean => isUuid(key.tenantId) && !key.resourceType.includes('\0') && !key.id.includes('\0');

/** Reads the current row of `resources` by its primary key. */
export type CurrentRowReader<Row> = (db: Knex, key: ResourceKey) => Promise<Row | undefined>;

/**
 * Reads of current rows that reach the database within one turn of the event loop go to it as
 * one statement, the keys as arrays. Under concurrent load many requests reach their read in
 * the same turn, and each statement costs a socket write and the database's per-statement work,
 * far more than its one row. A read alone waits only for the end of the turn (`setImmediate`).
 * A read inside a transaction goes alone, on the transaction's connection, and sees its writes.
 * `columns` reads from `resources` aliased `v`; each row comes back to the read that asked.
 */
export function coalescedReader<Row extends object>(name: string, columns: string): CurrentRowReader<Row> {
  const single = preparedStatement(name, `SELECT ${columns} FROM resources v WHERE tenant_id = ? AND resource_type = ? AND id = ?`);
  // The keys' position (`k.n`) ties each row to its read; a key that matches nothing has no row.
  const many = preparedStatement(
    `${name}_many`,
    `SELECT k.n, ${columns} FROM unnest(?::uuid[], ?::text[], ?::text[]) WITH ORDINALITY AS k(tenant_id, resource_type, id, n)
     JOIN resources v ON v.tenant_id = k.tenant_id AND v.resource_type = k.resource_type AND v.id = k.id`,
  );
  const readInTurn = batchesOfOneTurn<ResourceKey, Row | undefined>({ limit: MAX_KEYS, send: (db, _all, batch) => send(db, batch, single, many) });
  return async (db, key) => {
    if (db.isTransaction || !batchable(key)) return (await runPrepared<Row>(db, single, [key.tenantId, key.resourceType, key.id]))[0];
    return readInTurn(db, '', key);
  };
}

async function send<Row extends object>(
  db: Knex,
  batch: Pending<ResourceKey, Row | undefined>[],
  single: PreparedStatement,
  many: PreparedStatement,
): Promise<void> {
  try {
    if (batch.length === 1) {
      const [{ input: key, resolve }] = batch as [Pending<ResourceKey, Row | undefined>];
      resolve((await runPrepared<Row>(db, single, [key.tenantId, key.resourceType, key.id]))[0]);
      return;
    }
    const rows = await runPrepared<Row & { n: string | number }>(db, many, [
      batch.map((p) => p.input.tenantId),
      batch.map((p) => p.input.resourceType),
      batch.map((p) => p.input.id),
    ]);
    const found = new Map(rows.map(({ n, ...row }) => [Number(n), row as unknown as Row]));
    batch.forEach((p, k) => p.resolve(found.get(k + 1)));
  } catch (err) {
    for (const p of batch) p.reject(err);
  }
}
