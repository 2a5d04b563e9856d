import express from 'express';
import { randomBytes } from 'node:crypto';
import { httpServerFor } from '../../http/http-server';
import { listen } from '../../http/listen';
import { createLogger } from '../../logger';
import { createJunctionSandbox } from './sandbox';

/**
 * `npm run junction-sandbox`: the sandbox alone on JUNCTION_SANDBOX_PORT (default 8090), sending
 * webhooks to JUNCTION_WEBHOOK_URL signed with JUNCTION_WEBHOOK_SECRET. Without a URL no
 * webhooks are sent, and the secret may be left out.
 */
async function main(): Promise<void> {
  const logger = createLogger(process.env.LOG_LEVEL ?? 'info');
  const port = Number(process.env.JUNCTION_SANDBOX_PORT ?? 8090);
  const webhookUrl = process.env.JUNCTION_WEBHOOK_URL || undefined;
  const webhookSecret = process.env.JUNCTION_WEBHOOK_SECRET || undefined;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('JUNCTION_SANDBOX_PORT must be a port number');
  if (webhookUrl && !webhookSecret) throw new Error('JUNCTION_WEBHOOK_SECRET (whsec_...) is required with JUNCTION_WEBHOOK_URL');

  const sandbox = createJunctionSandbox({ webhookUrl, webhookSecret: webhookSecret ?? `whsec_${randomBytes(24).toString('base64')}`, logger });
  const app = express();
  app.disable('x-powered-by');
  app.use(sandbox.router);
  const server = httpServerFor(app);
  await listen(server, port, 'JUNCTION_SANDBOX_PORT');
  logger.info({ port, teamId: sandbox.teamId, webhooks: webhookUrl ? 'on' : 'off' }, 'junction sandbox listening');

  const stop = () => {
    void sandbox.close().then(() => {
      server.close();
      server.closeAllConnections();
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`junction sandbox failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
