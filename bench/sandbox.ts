import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startService, type Service } from './processes';

const ROOT = path.join(__dirname, '..');
const SETTLE_TIMEOUT_MS = 120_000;

/** The server's side of Junction: where it sends orders and what it checks webhooks with. */
export interface JunctionSettings {
  port: number;
  webhookSecret: string;
}

export const newJunctionSettings = (port: number): JunctionSettings => ({ port, webhookSecret: `whsec_${randomBytes(24).toString('base64')}` });

/** The server's settings for Junction at the sandbox process: a key, the sandbox's URL, the webhook secret. */
export const junctionEnv = (junction: JunctionSettings): NodeJS.ProcessEnv => ({
  JUNCTION_API_KEY: 'bench-junction-key',
  JUNCTION_BASE_URL: `http://127.0.0.1:${junction.port}`,
  JUNCTION_WEBHOOK_SECRET: junction.webhookSecret,
});

/**
 * The Junction sandbox as a process of its own (`npm run junction-sandbox`, built), standing in
 * for Junction as production has it: another service, its webhooks sent to the server. Run
 * inside the server (the default without JUNCTION_API_KEY) it would add its own work and
 * memory — every order it ever took — to the server's figures.
 */
export function startJunctionSandbox(junction: JunctionSettings, webhookUrl: string, logFile: string): Promise<Service> {
  return startService({
    name: 'junction-sandbox',
    command: process.execPath,
    args: [path.join(ROOT, 'dist/src/junction/sandbox/main.js')],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      JUNCTION_SANDBOX_PORT: String(junction.port),
      JUNCTION_WEBHOOK_URL: webhookUrl,
      JUNCTION_WEBHOOK_SECRET: junction.webhookSecret,
      LOG_LEVEL: 'warn',
    },
    readyPath: '/_sandbox/faults',
    port: junction.port,
    logFile,
  });
}

/**
 * Waits until the sandbox has delivered every webhook its orders queued (it sends them one at a
 * time, and under load they fall behind), so that a lab order target's webhooks are not handled
 * during the next target. The seconds waited.
 */
export async function sandboxWebhooksDelivered(sandboxUrl: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    const res = await fetch(`${sandboxUrl}/_sandbox/webhooks`);
    const { pending } = (await res.json()) as { pending: number };
    if (pending === 0) return (Date.now() - started) / 1000;
    if (Date.now() - started > SETTLE_TIMEOUT_MS)
      throw new Error(`the Junction sandbox still had ${pending} webhooks to deliver after ${SETTLE_TIMEOUT_MS / 1000} s`);
    await sleep(100);
  }
}
