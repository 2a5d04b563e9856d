import type { Knex } from 'knex';

/** One piece of work waiting for the end of the turn, and the promise it answers. */
export interface Pending<In, Out> {
  input: In;
  resolve(output: Out): void;
  reject(err: unknown): void;
}

interface TurnBatchOptions<In, Out> {
  /** At most about this much weight goes into one batch; work waiting beyond it goes into the next turn's. */
  limit: number;
  /** Each piece's share of the limit: one by default. */
  weightOf?(input: In): number;
  /** Answers every piece of the batch, each through its own `resolve` or `reject`; never rejects itself. */
  send(db: Knex, key: string, batch: Pending<In, Out>[]): Promise<void>;
}

/**
 * Groups the work that reaches it within one turn of the event loop by database and by `key`,
 * and hands each group to `send` at the end of the turn (`setImmediate`): the coalescing of
 * reads and writes that costs PostgreSQL a statement per group instead of one per request. A
 * piece alone waits only for the end of the turn.
 */
export function batchesOfOneTurn<In, Out>({ limit, weightOf = () => 1, send }: TurnBatchOptions<In, Out>): (db: Knex, key: string, input: In) => Promise<Out> {
  const waiting = new WeakMap<Knex, Map<string, Pending<In, Out>[]>>();

  const queueOf = (db: Knex, key: string): Pending<In, Out>[] => {
    const byKey = waiting.get(db) ?? new Map<string, Pending<In, Out>[]>();
    if (!waiting.has(db)) waiting.set(db, byKey);
    const queue = byKey.get(key) ?? [];
    if (!byKey.has(key)) byKey.set(key, queue);
    return queue;
  };
  const flush = (db: Knex, key: string): void => {
    const queue = queueOf(db, key);
    let size = 0;
    for (let weight = 0; size < queue.length; size++) {
      weight += weightOf(queue[size]!.input);
      if (weight > limit && size > 0) break;
    }
    const batch = queue.splice(0, size);
    if (queue.length > 0) setImmediate(flush, db, key);
    else waiting.get(db)?.delete(key);
    void send(db, key, batch);
  };
  return (db, key, input) => {
    const queue = queueOf(db, key);
    return new Promise<Out>((resolve, reject) => {
      if (queue.push({ input, resolve, reject }) === 1) setImmediate(flush, db, key);
    });
  };
}
