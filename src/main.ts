import http from 'node:http';
import { bootstrap } from './bootstrap';
import { loadConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig();
  const server = await bootstrap(config);
  const { logger } = server;
  const listener = http.createServer(server.app);
  listener.listen(config.port, () => logger.info({ port: config.port }, `listening on :${config.port}`));

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    server.beginShutdown();
    logger.info({ signal }, 'draining in-flight requests');
    const force = setTimeout(() => {
      logger.warn('grace period over; exiting with requests still open');
      process.exit(1);
    }, config.shutdownGraceMs);
    force.unref();
    listener.close(async () => {
      await server.close();
      logger.info('stopped');
      process.exit(0);
    });
    listener.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`start-up failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
