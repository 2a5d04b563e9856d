import Redis from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { FlexibleCounter, type RateLimitCounter, type WindowSettings } from './rate-limit-counter';

/** A hit that Redis does not answer this fast is counted by the fallback instead. */
const COMMAND_TIMEOUT_MS = 1000;

const clients = new Map<string, Redis>();

/** Counters in Redis (rate-limiter-flexible's atomic Lua INCR + PEXPIRE), shared by every process using it. */
export function redisCounter(client: Redis, settings: WindowSettings): RateLimitCounter {
  return new FlexibleCounter(new RateLimiterRedis({ storeClient: client, keyPrefix: 'rate-limit', points: settings.points, duration: settings.windowSeconds }));
}

/** One connection per Redis URL and process, however many apps the process builds. */
export function redisClientFor(url: string): Redis {
  let client = clients.get(url);
  if (!client) {
    // A short disconnectTimeout: ioredis keeps a timer that long after closing a dead socket.
    client = new Redis(url, { commandTimeout: COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1, disconnectTimeout: 500 });
    // Connection errors surface as failed hits, which the fallback counter reports; without a
    // listener ioredis would print every reconnection attempt.
    client.on('error', () => undefined);
    clients.set(url, client);
  }
  return client;
}

/** Closes the connections redisClientFor opened (graceful shutdown, tests). */
export async function closeRedisClients(): Promise<void> {
  const open = [...clients.values()];
  clients.clear();
  await Promise.all(open.map((client) => client.quit().catch(() => client.disconnect())));
}
