import express from 'express';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpServerFor } from '../../src/http/http-server';
import type { JunctionOrderRequest } from '../../src/junction/gateway';
import { SANDBOX_LAB_TEST_IDS } from '../../src/junction/sandbox/lab-tests';
import { createJunctionSandbox, type JunctionSandbox, type JunctionSandboxOptions } from '../../src/junction/sandbox/sandbox';

export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

export interface RunningSandbox {
  sandbox: JunctionSandbox;
  /** Where the sandbox answers, mounted as our server mounts it. */
  baseUrl: string;
  close(): Promise<void>;
}

/** The sandbox router on a real HTTP server on an ephemeral port, under `/junction-sandbox`. */
export async function startSandbox(options: Partial<JunctionSandboxOptions> = {}): Promise<RunningSandbox> {
  const sandbox = createJunctionSandbox({ webhookSecret: newWebhookSecret(), webhookRetryDelaysMs: [20, 50], ...options });
  const app = express();
  app.use('/junction-sandbox', sandbox.router);
  const server = await listen(httpServerFor(app));
  return {
    sandbox,
    baseUrl: `${urlOf(server)}/junction-sandbox`,
    async close() {
      await sandbox.close();
      await stop(server);
    },
  };
}

export interface Reply {
  status: number;
  body: unknown;
  headers: Headers;
}

/** One request to the sandbox with the API key (unless headers say otherwise). */
export async function call(baseUrl: string, method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'x-vital-api-key': 'sk_us_test', 'content-type': 'application/json', ...options.headers },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown), headers: response.headers };
}

export async function createUser(baseUrl: string): Promise<string> {
  const reply = await call(baseUrl, 'POST', '/v2/user', { body: { client_user_id: `patient-${randomUUID()}` } });
  return (reply.body as { user_id: string }).user_id;
}

/** A valid order body for `userId` (synthetic patient data). */
export function orderRequest(userId: string, overrides: Partial<JunctionOrderRequest> = {}): JunctionOrderRequest {
  return {
    user_id: userId,
    order_set: { lab_test_ids: [SANDBOX_LAB_TEST_IDS.hashimotos] },
    collection_method: 'walk_in_test',
    patient_details: { first_name: 'Ada', last_name: 'Example', dob: '1990-01-01', gender: 'female', phone_number: '+11234567890', email: 'ada@example.com' },
    patient_address: { first_line: '256 West Lincoln Street', city: 'Phoenix', state: 'AZ', zip: '85004', country: 'US' },
    passthrough: randomUUID(),
    ...overrides,
  };
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Statuses to answer, in turn, before answering 204 to everything. */
  failFirst(statuses: number[]): void;
  close(): Promise<void>;
}

/** A small HTTP endpoint that records the raw bodies and headers it receives. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const failures: number[] = [];
  const server = await listen(
    createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.statusCode = failures.shift() ?? 204;
        res.end();
      });
    }),
  );
  return {
    url: `${urlOf(server)}/webhooks/junction`,
    received,
    failFirst: (statuses) => failures.push(...statuses),
    close: () => stop(server),
  };
}

async function listen(server: Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
