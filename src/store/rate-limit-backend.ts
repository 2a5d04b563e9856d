import type { Knex } from 'knex';
import type { Logger } from '../logger';
import { memoryCounter, type RateLimitCounter, type WindowSettings } from './rate-limit-counter';
import { FallbackCounter } from './rate-limit-fallback';
import { BatchedRateLimitCounter } from './rate-limit-batched';
import { PostgresRateLimitCounter } from './rate-limit-postgres';
import { redisClientFor, redisCounter } from './rate-limit-redis';

export interface RateLimitBackendOptions extends WindowSettings {
  knex: Knex;
  /** Set: counters in Redis; unset: in PostgreSQL. */
  redisUrl?: string;
  logger: Logger;
}

/** The shared counter the configuration asks for, with this process's memory as its fallback. */
export function openRateLimitCounter(options: RateLimitBackendOptions): RateLimitCounter {
  const shared = options.redisUrl
    ? redisCounter(redisClientFor(options.redisUrl), options)
    : new BatchedRateLimitCounter(new PostgresRateLimitCounter(options.knex, options.windowSeconds), options.points, options.logger);
  return new FallbackCounter(shared, memoryCounter(options), (err) => {
    const e = err as { name?: string; message?: string };
    options.logger.warn({ errName: e?.name, errMessage: e?.message }, 'rate-limit store failed; counting in process memory');
  });
}
