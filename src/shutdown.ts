import type { Server } from 'node:http';
import type { Logger } from './logger';

interface Draining {
  listener: Server;
  logger: Logger;
  /** Flips /readyz to 503 and makes every response close its connection. */
  beginShutdown(): void;
  /** Stops background work and closes the database. */
  close(): Promise<void>;
  /** How long the server keeps accepting after SIGTERM, so that a load balancer stops sending first. */
  delayMs: number;
  /** How long in-flight requests may take once the server stops accepting. */
  graceMs: number;
}

/**
 * SIGTERM: not ready at once, yet still accepting and serving for `delayMs` (a load balancer
 * notices /readyz and stops sending; every response meanwhile closes its connection, so
 * keep-alive clients reconnect elsewhere); then stop accepting, let in-flight requests finish
 * within `graceMs`, close idle connections, and exit 0. SIGINT (a terminal) skips the delay.
 */
export function drainOnSignals(parts: Draining): void {
  let stopping = false;
  const begin = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    parts.beginShutdown();
    const delayMs = signal === 'SIGTERM' ? parts.delayMs : 0;
    parts.logger.info({ signal, delayMs }, 'shutting down: not ready, still serving until the delay is over');
    setTimeout(() => stopAccepting(parts), delayMs);
  };
  process.on('SIGTERM', begin);
  process.on('SIGINT', begin);
}

function stopAccepting({ listener, logger, close, graceMs }: Draining): void {
  logger.info('no longer accepting connections; draining in-flight requests');
  const force = setTimeout(() => {
    logger.warn('grace period over; exiting with requests still open');
    process.exit(1);
  }, graceMs);
  force.unref();
  listener.close(async () => {
    await close();
    logger.info('stopped');
    process.exit(0);
  });
  listener.closeIdleConnections();
}
