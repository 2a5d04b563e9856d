import http from 'node:http';
import { bootstrap } from './bootstrap';
import { loadConfig } from './config';
import { drainOnSignals } from './shutdown';

async function main(): Promise<void> {
  const config = loadConfig();
  const server = await bootstrap(config);
  const { logger } = server;
  const listener = http.createServer(server.app);
  listener.listen(config.port, () => logger.info({ port: config.port }, `listening on :${config.port}`));
  drainOnSignals({
    listener,
    logger,
    beginShutdown: server.beginShutdown,
    close: server.close,
    delayMs: config.shutdownDelayMs,
    graceMs: config.shutdownGraceMs,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`start-up failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
