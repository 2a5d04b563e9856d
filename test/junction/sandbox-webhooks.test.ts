import { Webhook } from 'standardwebhooks';
import {
  call,
  createUser,
  newWebhookSecret,
  orderRequest,
  startSandbox,
  startWebhookReceiver,
  type RunningSandbox,
  type WebhookReceiver,
} from './sandbox-server';

const secret = newWebhookSecret();
let running: RunningSandbox;
let receiver: WebhookReceiver;
let baseUrl: string;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  running = await startSandbox({ webhookSecret: secret, webhookUrl: () => receiver.url });
  baseUrl = running.baseUrl;
});

afterAll(async () => {
  await running.close();
  await receiver.close();
});

beforeEach(async () => {
  await running.sandbox.webhooksIdle();
  receiver.received.length = 0;
  running.sandbox.faults.reset();
});

interface Envelope {
  event_type: string;
  user_id: string;
  client_user_id: string;
  team_id: string;
  data: { id: string; status: string; last_event: { id: number; status: string }; order_transaction: { status: string } };
}

/** Verifies each delivery's Svix signature as a receiver would, and returns the envelopes. */
function verifiedEnvelopes(withSecret = secret): Envelope[] {
  const verifier = new Webhook(withSecret);
  return receiver.received.map(({ headers, body }) => {
    const svix = {
      'webhook-id': String(headers['svix-id']),
      'webhook-timestamp': String(headers['svix-timestamp']),
      'webhook-signature': String(headers['svix-signature']),
    };
    return verifier.verify(body, svix) as Envelope;
  });
}

async function placeOrder(): Promise<{ orderId: string; userId: string }> {
  const userId = await createUser(baseUrl);
  const reply = await call(baseUrl, 'POST', '/v3/order', { body: orderRequest(userId) });
  await running.sandbox.webhooksIdle();
  receiver.received.length = 0;
  return { orderId: (reply.body as { order: { id: string } }).order.id, userId };
}

async function simulate(orderId: string, query: string): Promise<number> {
  const reply = await call(baseUrl, 'POST', `/v3/order/${orderId}/test?${query}`);
  await running.sandbox.webhooksIdle();
  return reply.status;
}

const statusesOf = (envelopes: Envelope[]) => envelopes.map((envelope) => envelope.data.last_event.status);

test('placing an order sends one signed labtest.order.created webhook', async () => {
  const userId = await createUser(baseUrl);
  await call(baseUrl, 'POST', '/v3/order', { body: orderRequest(userId) });
  await running.sandbox.webhooksIdle();
  expect(verifiedEnvelopes().map((envelope) => [envelope.event_type, envelope.data.status])).toEqual([['labtest.order.created', 'received']]);
});

test('simulating to completed walks the modality statuses and sends a signed labtest.order.updated per change', async () => {
  const { orderId, userId } = await placeOrder();
  expect(await simulate(orderId, 'final_status=completed')).toBe(200);

  const envelopes = verifiedEnvelopes();
  expect(statusesOf(envelopes)).toEqual([
    'received.walk_in_test.requisition_created',
    'collecting_sample.walk_in_test.appointment_scheduled',
    'completed.walk_in_test.completed',
  ]);
  expect(envelopes.every((envelope) => envelope.event_type === 'labtest.order.updated' && envelope.user_id === userId && envelope.data.id === orderId)).toBe(
    true,
  );
  expect(envelopes[0]).toMatchObject({ team_id: running.sandbox.teamId, client_user_id: expect.stringMatching(/^patient-/) });
  const order = (await call(baseUrl, 'GET', `/v3/order/${orderId}`)).body as {
    status: string;
    events: unknown[];
    order_transaction: { status: string };
    sample_id: string;
  };
  expect(order).toMatchObject({ status: 'completed', order_transaction: { status: 'completed' }, sample_id: expect.any(String) });
  expect(order.events).toHaveLength(4);
});

test('a signature made with another secret does not verify', async () => {
  const { orderId } = await placeOrder();
  await simulate(orderId, 'final_status=cancelled');
  expect(() => verifiedEnvelopes(newWebhookSecret())).toThrow();
});

test('simulating to cancelled ends the order and its transaction cancelled', async () => {
  const { orderId } = await placeOrder();
  await simulate(orderId, 'final_status=cancelled');
  const envelopes = verifiedEnvelopes();
  expect(statusesOf(envelopes)).toEqual(['received.walk_in_test.requisition_created', 'cancelled.walk_in_test.cancelled']);
  expect(envelopes.at(-1)?.data.order_transaction.status).toBe('cancelled');
});

test('a simulation never moves an order backwards, but may correct a completed one', async () => {
  const { orderId } = await placeOrder();
  await simulate(orderId, 'final_status=completed');
  receiver.received.length = 0;
  expect(await simulate(orderId, 'final_status=collecting_sample')).toBe(200);
  expect(await simulate(orderId, 'final_status=cancelled')).toBe(200);
  expect(receiver.received).toHaveLength(0);

  await simulate(orderId, 'final_status=completed.walk_in_test.corrected');
  expect(statusesOf(verifiedEnvelopes())).toEqual(['completed.walk_in_test.corrected']);
});

test('a final_status the modality cannot reach answers 422 naming final_status', async () => {
  const { orderId } = await placeOrder();
  const reply = await call(baseUrl, 'POST', `/v3/order/${orderId}/test?final_status=sample_with_lab.testkit.delivered_to_lab`);
  expect(reply.status).toBe(422);
  expect(reply.body).toEqual({ detail: [expect.objectContaining({ loc: ['query', 'final_status'] })] });
});

test('with a delay the statuses change over time, not at once', async () => {
  const { orderId } = await placeOrder();
  await call(baseUrl, 'POST', `/v3/order/${orderId}/test?final_status=completed&delay=0.1`);
  const early = (await call(baseUrl, 'GET', `/v3/order/${orderId}`)).body as { status: string };
  expect(early.status).toBe('received');
  await new Promise((resolve) => setTimeout(resolve, 450));
  await running.sandbox.webhooksIdle();
  expect((await call(baseUrl, 'GET', `/v3/order/${orderId}`)).body).toMatchObject({ status: 'completed' });
  expect(verifiedEnvelopes()).toHaveLength(3);
});

test('webhooks "duplicate" delivers every message twice under the same svix-id', async () => {
  const { orderId } = await placeOrder();
  await call(baseUrl, 'POST', '/_sandbox/faults', { body: { webhooks: 'duplicate' } });
  await simulate(orderId, 'final_status=completed');
  const ids = receiver.received.map((delivery) => delivery.headers['svix-id']);
  expect(ids).toHaveLength(6);
  expect(new Set(ids).size).toBe(3);
  expect(ids[0]).toBe(ids[1]);
  expect(statusesOf(verifiedEnvelopes())).toEqual([
    'received.walk_in_test.requisition_created',
    'received.walk_in_test.requisition_created',
    'collecting_sample.walk_in_test.appointment_scheduled',
    'collecting_sample.walk_in_test.appointment_scheduled',
    'completed.walk_in_test.completed',
    'completed.walk_in_test.completed',
  ]);
});

test('webhooks "out_of_order" delivers a simulation newest first', async () => {
  const { orderId } = await placeOrder();
  await call(baseUrl, 'POST', '/_sandbox/faults', { body: { webhooks: 'out_of_order' } });
  await simulate(orderId, 'final_status=completed');
  const envelopes = verifiedEnvelopes();
  expect(statusesOf(envelopes)).toEqual([
    'completed.walk_in_test.completed',
    'collecting_sample.walk_in_test.appointment_scheduled',
    'received.walk_in_test.requisition_created',
  ]);
  const eventIds = envelopes.map((envelope) => envelope.data.last_event.id);
  expect([...eventIds].sort((a, b) => a - b)).toEqual([...eventIds].reverse());
});

test('a failed delivery is retried under the same svix-id until the receiver answers 2xx', async () => {
  const { orderId } = await placeOrder();
  receiver.failFirst([500, 503]);
  await simulate(orderId, 'final_status=cancelled');
  const ids = receiver.received.map((delivery) => delivery.headers['svix-id']);
  expect(ids).toHaveLength(4);
  expect(ids[0]).toBe(ids[1]);
  expect(ids[1]).toBe(ids[2]);
  expect(new Set(ids).size).toBe(2);
});

test('GET /_sandbox/webhooks counts the messages not yet delivered or given up', async () => {
  const waiting = await startSandbox({ webhookSecret: secret, webhookUrl: () => receiver.url, webhookRetryDelaysMs: [60_000] });
  try {
    expect((await call(waiting.baseUrl, 'GET', '/_sandbox/webhooks')).body).toEqual({ pending: 0 });
    receiver.failFirst([500]);
    const userId = await createUser(waiting.baseUrl);
    await call(waiting.baseUrl, 'POST', '/v3/order', { body: orderRequest(userId) });
    while (receiver.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    // Refused once, the message waits a minute for its retry.
    expect((await call(waiting.baseUrl, 'GET', '/_sandbox/webhooks')).body).toEqual({ pending: 1 });
  } finally {
    await waiting.close();
  }
  await placeOrder();
  expect((await call(baseUrl, 'GET', '/_sandbox/webhooks')).body).toEqual({ pending: 0 });
});
