import type { Knex } from 'knex';

/** One piece of work waiting for the end of the turn, and the promise it answers. */
export interface Pending<In, Out> {
  input: In;
  resolve(output: Out): void;
  reject(err: unknown): void;
}

interface TurnBatchOptions<In, Out> {
  /** At most about this much weight goes into one batch; work waiting beyond it goes into the next. */
  limit: number;
  /** Each piece's share of the limit: one by default. */
  weightOf?(input: In): number;
  /**
   * At most this many batches of one key at the database at once (no bound by default): while
   * they are, the work that arrives waits and joins the next batch, sent when one of them ends.
   */
  inFlight?: number;
  /** Answers every piece of the batch, each through its own `resolve` or `reject`; never rejects itself. */
  send(db: Knex, key: string, batch: Pending<In, Out>[]): Promise<void>;
}

/**
 * Write batches of one tenant at the database at once. More writes then wait for one to end and
 * go together: under load a batch grows, which costs PostgreSQL less per write (its statement's
 * start and commit shared); measured against no bound, about 8% less PostgreSQL CPU per request
 * in the CRUD mix and per create (docs/performance-history.md, "Updates, deletions and reference checks of one turn").
 */
export const WRITE_BATCHES_IN_FLIGHT = 4;

interface Queue<In, Out> {
  waiting: Pending<In, Out>[];
  /** Batches sent and not yet ended. */
  sent: number;
}

/**
 * Groups the work that reaches it within one turn of the event loop by database and by `key`,
 * and hands each group to `send` at the end of the turn (`setImmediate`): the coalescing of
 * reads and writes that costs PostgreSQL a statement per group instead of one per request. A
 * piece alone waits only for the end of the turn, or with `inFlight` for a batch to end.
 */
export function batchesOfOneTurn<In, Out>({
  limit,
  weightOf = () => 1,
  inFlight = Infinity,
  send,
}: TurnBatchOptions<In, Out>): (db: Knex, key: string, input: In) => Promise<Out> {
  const queues = new WeakMap<Knex, Map<string, Queue<In, Out>>>();

  const queueOf = (db: Knex, key: string): Queue<In, Out> => {
    const byKey = queues.get(db) ?? new Map<string, Queue<In, Out>>();
    if (!queues.has(db)) queues.set(db, byKey);
    const queue = byKey.get(key) ?? { waiting: [], sent: 0 };
    if (!byKey.has(key)) byKey.set(key, queue);
    return queue;
  };
  const flush = (db: Knex, key: string): void => {
    const queue = queueOf(db, key);
    if (queue.sent >= inFlight) return; // the batch that ends first flushes what waits
    const { waiting } = queue;
    if (waiting.length === 0) return;
    let size = 0;
    for (let weight = 0; size < waiting.length; size++) {
      weight += weightOf(waiting[size]!.input);
      if (weight > limit && size > 0) break;
    }
    const batch = waiting.splice(0, size);
    if (waiting.length > 0) setImmediate(flush, db, key);
    queue.sent++;
    void send(db, key, batch).finally(() => {
      queue.sent--;
      if (waiting.length > 0) flush(db, key);
      else if (queue.sent === 0) queues.get(db)?.delete(key);
    });
  };
  return (db, key, input) => {
    const queue = queueOf(db, key);
    return new Promise<Out>((resolve, reject) => {
      if (queue.waiting.push({ input, resolve, reject }) === 1 && queue.sent < inFlight) setImmediate(flush, db, key);
    });
  };
}
