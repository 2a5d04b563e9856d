import type { AddressInfo } from 'node:net';
import { bootstrap } from './bootstrap';
import { loadConfig } from './config';
import { applyHeapSettings } from './heap-settings';
import { httpServerFor } from './http/http-server';
import { listen } from './http/listen';
import { drainOnSignals } from './shutdown';
import { startupBanner } from './startup-banner';

async function main(): Promise<void> {
  applyHeapSettings();
  const config = loadConfig();
  const server = await bootstrap(config);
  const { logger } = server;
  const listener = httpServerFor(server.app);
  drainOnSignals({
    listener,
    logger,
    beginShutdown: server.beginShutdown,
    close: server.close,
    delayMs: config.shutdownDelayMs,
    graceMs: config.shutdownGraceMs,
  });
  await listen(listener, config.port, 'PORT');
  const { port } = listener.address() as AddressInfo;
  logger.info({ port }, `listening on :${port}`);
  const banner = startupBanner({ config, port, apiKeys: server.apiKeys });
  logger.info({ banner: banner.fields }, banner.text);
  // Start-up output is for whoever is watching now: not held back until the first block is full.
  logger.flush();
}

main().catch((err: unknown) => {
  process.stderr.write(`start-up failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
