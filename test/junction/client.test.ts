import { randomUUID } from 'node:crypto';
import { JunctionClient, junctionBaseUrl, type JunctionClientOptions } from '../../src/junction/client';
import { JunctionConflictError, JunctionRejectedError, JunctionUnavailableError } from '../../src/junction/errors';
import { call, orderRequest, startSandbox, type RunningSandbox } from './sandbox-server';

let running: RunningSandbox;

beforeAll(async () => {
  running = await startSandbox();
});

afterAll(() => running.close());

afterEach(() => running.sandbox.faults.reset());

/** A client tuned so the file runs in a few seconds: short timeouts and backoff. */
function client(options: Partial<JunctionClientOptions> = {}): JunctionClient {
  return new JunctionClient({
    baseUrl: running.baseUrl,
    apiKey: 'sk_us_test',
    teamId: running.sandbox.teamId,
    timeoutMs: 300,
    maxAttempts: 3,
    backoff: { initialMs: 5, maxMs: 2_000 },
    breaker: { threshold: 100, halfOpenAfterMs: 60_000 },
    ...options,
  });
}

const queueFaults = (...queue: object[]) => call(running.baseUrl, 'POST', '/_sandbox/faults', { body: { queue } });
const ordersOf = (userId: string) => running.sandbox.state.orders().filter((order) => order.user_id === userId);
const orderRequests = () => running.sandbox.state.requestCounts()['POST /v3/order'] ?? 0;

async function newUser(junction: JunctionClient): Promise<string> {
  return (await junction.ensureUser(`patient-${randomUUID()}`)).userId;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

test('junctionBaseUrl gives the documented hosts', () => {
  expect(junctionBaseUrl({ environment: 'production', region: 'us' })).toBe('https://api.us.junction.com');
  expect(junctionBaseUrl({ environment: 'production', region: 'eu' })).toBe('https://api.eu.junction.com');
  expect(junctionBaseUrl({ environment: 'sandbox', region: 'us' })).toBe('https://api.sandbox.us.junction.com');
  expect(junctionBaseUrl({ environment: 'sandbox', region: 'eu' })).toBe('https://api.sandbox.eu.junction.com');
});

test('ensureUser twice for one client_user_id returns the same user', async () => {
  const junction = client();
  const clientUserId = `patient-${randomUUID()}`;
  const first = await junction.ensureUser(clientUserId);
  expect(await junction.ensureUser(clientUserId)).toEqual(first);
});

test('a 400 without the conflicting user resolves the user by client_user_id, and a 400 for an unknown one is a rejection', async () => {
  const junction = client();
  const clientUserId = `patient-${randomUUID()}`;
  const { userId } = await junction.ensureUser(clientUserId);
  await queueFaults({ match: 'POST /v2/user', fault: 'status', status: 400 }, { match: 'POST /v2/user', fault: 'status', status: 400 });
  expect(await junction.ensureUser(clientUserId)).toEqual({ userId });

  const err = await rejectionOf(junction.ensureUser(`patient-${randomUUID()}`));
  expect(err).toBeInstanceOf(JunctionRejectedError);
  expect(err).toMatchObject({ status: 400, fields: [] });
});

test('createOrder places the order and getOrder reads it back; an unknown id reads undefined', async () => {
  const junction = client();
  const userId = await newUser(junction);
  const request = orderRequest(userId);
  const order = await junction.createOrder(request, randomUUID());
  expect(order).toMatchObject({
    user_id: userId,
    status: 'received',
    last_event: { status: 'received.walk_in_test.ordered' },
    passthrough: request.passthrough,
  });
  expect(await junction.getOrder(order.id)).toEqual(order);
  expect(await junction.getOrder(randomUUID())).toBeUndefined();
});

test('findTeamPhysician finds a team NPI and answers undefined for one outside the team', async () => {
  const junction = client();
  expect(await junction.findTeamPhysician('1234567893')).toEqual({ first_name: 'Jane', last_name: 'Smith', npi: '1234567893' });
  expect(await junction.findTeamPhysician('1098765435')).toBeUndefined();
});

test('500, 500, then 200 places exactly one order at the sandbox', async () => {
  const junction = client();
  const userId = await newUser(junction);
  const before = orderRequests();
  await queueFaults({ match: 'POST /v3/order', fault: 'status', status: 500 }, { match: 'POST /v3/order', fault: 'status', status: 500 });
  const order = await junction.createOrder(orderRequest(userId), randomUUID());
  expect(orderRequests() - before).toBe(3);
  expect(ordersOf(userId).map((o) => o.id)).toEqual([order.id]);
});

test('a 429 with Retry-After: 1 is retried no sooner than a second later', async () => {
  const junction = client();
  const userId = await newUser(junction);
  await queueFaults({ match: 'POST /v3/order', fault: 'status', status: 429, retryAfter: 1 });
  const started = Date.now();
  await junction.createOrder(orderRequest(userId), randomUUID());
  expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  expect(ordersOf(userId)).toHaveLength(1);
});

test('hung attempts end as JunctionUnavailableError with outcomeUnknown, and a retry with the same key places no second order', async () => {
  const junction = client({ maxAttempts: 2, timeoutMs: 150 });
  const userId = await newUser(junction);
  const key = randomUUID();
  const request = orderRequest(userId);
  await queueFaults({ match: 'POST /v3/order', fault: 'hang' }, { match: 'POST /v3/order', fault: 'hang' });
  const err = await rejectionOf(junction.createOrder(request, key));
  expect(err).toBeInstanceOf(JunctionUnavailableError);
  expect(err).toMatchObject({ reason: 'timeout', outcomeUnknown: true });

  const order = await junction.createOrder(request, key);
  expect(ordersOf(userId).map((o) => o.id)).toEqual([order.id]);
});

test('a lost reply is retried with the same key and returns the one order placed', async () => {
  const junction = client();
  const userId = await newUser(junction);
  await queueFaults({ match: 'POST /v3/order', fault: 'reply_lost' });
  const order = await junction.createOrder(orderRequest(userId), randomUUID());
  expect(ordersOf(userId).map((o) => o.id)).toEqual([order.id]);
});

test('a lost reply followed by a 429 ends as outcomeUnknown, and the order exists once', async () => {
  const junction = client({ maxAttempts: 2 });
  const userId = await newUser(junction);
  // The 429 alone would be a known outcome; the lost reply before it is not.
  await queueFaults({ match: 'POST /v3/order', fault: 'reply_lost' }, { match: 'POST /v3/order', fault: 'status', status: 429 });
  const err = await rejectionOf(junction.createOrder(orderRequest(userId), randomUUID()));
  expect(err).toMatchObject({ name: 'JunctionUnavailableError', reason: 'status', status: 429, outcomeUnknown: true });
  expect(ordersOf(userId)).toHaveLength(1);
});

test('a retry that finds the first attempt still in progress ends as outcomeUnknown, and a later retry with the key returns the one order', async () => {
  const junction = client({ maxAttempts: 3, timeoutMs: 100, backoff: { initialMs: 5, maxMs: 20 } });
  const userId = await newUser(junction);
  const key = randomUUID();
  const request = orderRequest(userId);
  await call(running.baseUrl, 'POST', '/_sandbox/faults', { body: { latencyMs: 400 } });
  const err = await rejectionOf(junction.createOrder(request, key));
  expect(err).toBeInstanceOf(JunctionUnavailableError);
  expect(err).toMatchObject({ reason: 'in_progress', outcomeUnknown: true });

  await new Promise((resolve) => setTimeout(resolve, 400));
  const order = await junction.createOrder(request, key);
  expect(ordersOf(userId).map((o) => o.id)).toEqual([order.id]);
});

test('a 503 on a read is unavailable with a known outcome once attempts run out', async () => {
  const junction = client({ maxAttempts: 2 });
  await queueFaults({ fault: 'status', status: 503 }, { fault: 'status', status: 503 });
  const err = await rejectionOf(junction.getOrder(randomUUID()));
  expect(err).toMatchObject({ name: 'JunctionUnavailableError', reason: 'status', status: 503, outcomeUnknown: false });
});

/**
 * Port 2: nothing listens there, it lies below the range the system hands out for port 0 (32768
 * and up by default), and fetch does not block it (it blocks port 1). A port freed by closing a
 * server could be taken by another test file's server before the request, which then answered.
 */
const REFUSING_PORT = 2;

test('a refused connection is unavailable with a known outcome, even for a write', async () => {
  const junction = client({ baseUrl: `http://127.0.0.1:${REFUSING_PORT}`, maxAttempts: 1 });
  const err = await rejectionOf(junction.createOrder(orderRequest(randomUUID()), randomUUID()));
  expect(err).toMatchObject({ name: 'JunctionUnavailableError', reason: 'network', outcomeUnknown: false });
});

test('the circuit opens after consecutive failures and then fails fast without calling Junction', async () => {
  const junction = client({ maxAttempts: 1, breaker: { threshold: 3, halfOpenAfterMs: 60_000 } });
  await queueFaults(...Array.from({ length: 3 }, () => ({ match: 'GET /v3/order/:id', fault: 'status', status: 502 })));
  for (let i = 0; i < 3; i++) await expect(junction.getOrder(randomUUID())).rejects.toMatchObject({ reason: 'status', status: 502 });
  const requests = running.sandbox.state.requestCounts()['GET /v3/order/:orderId'];

  await expect(junction.getOrder(randomUUID())).rejects.toMatchObject({ name: 'JunctionUnavailableError', reason: 'circuit_open', outcomeUnknown: false });
  expect(running.sandbox.state.requestCounts()['GET /v3/order/:orderId']).toBe(requests);
});

test('a 422 becomes JunctionRejectedError naming the fields, without Junction text', async () => {
  const junction = client();
  const userId = await newUser(junction);
  const request = orderRequest(userId);
  const err = await rejectionOf(junction.createOrder({ ...request, patient_address: { ...request.patient_address, zip: '8500' } }, randomUUID()));
  expect(err).toBeInstanceOf(JunctionRejectedError);
  expect(err).toMatchObject({ status: 422, fields: ['patient_address.zip'] });
  expect((err as Error).message).toBe('Junction rejected the request (HTTP 422: patient_address.zip)');
});

test('reusing a key with another body is a JunctionConflictError', async () => {
  const junction = client();
  const userId = await newUser(junction);
  const key = randomUUID();
  await junction.createOrder(orderRequest(userId), key);
  await expect(junction.createOrder(orderRequest(userId), key)).rejects.toBeInstanceOf(JunctionConflictError);
  expect(ordersOf(userId)).toHaveLength(1);
});
