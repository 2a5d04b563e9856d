import { randomUUID } from 'node:crypto';
import { SANDBOX_LAB_TEST_IDS } from '../../src/junction/sandbox/lab-tests';
import { call, createUser, orderRequest, startSandbox, type RunningSandbox } from './sandbox-server';

let running: RunningSandbox;
let baseUrl: string;

beforeAll(async () => {
  running = await startSandbox();
  baseUrl = running.baseUrl;
});

afterAll(() => running.close());

afterEach(() => running.sandbox.faults.reset());

interface PostedOrder {
  order: {
    id: string;
    status: string;
    user_id: string;
    events: { status: string }[];
    last_event: { status: string };
    order_transaction: { status: string };
    physician: unknown;
  };
  status: string;
  message: string;
}

const ordersOf = async (userId: string) => (await call(baseUrl, 'GET', `/_sandbox/orders?user_id=${userId}`)).body as { orders: { id: string }[] };

describe('users', () => {
  test('a request without X-Vital-API-Key answers 401 with a detail', async () => {
    const reply = await call(baseUrl, 'POST', '/v2/user', { body: { client_user_id: 'x' }, headers: { 'x-vital-api-key': '' } });
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ detail: expect.any(String) });
  });

  test('creating a user whose client_user_id exists answers 400 with the existing user', async () => {
    const clientUserId = `patient-${randomUUID()}`;
    const first = await call(baseUrl, 'POST', '/v2/user', { body: { client_user_id: clientUserId } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ client_user_id: clientUserId, team_id: running.sandbox.teamId, connected_sources: [] });
    const userId = (first.body as { user_id: string }).user_id;

    const again = await call(baseUrl, 'POST', '/v2/user', { body: { client_user_id: clientUserId } });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({
      detail: { error_type: 'client_user_id_already_exists', error_message: expect.any(String), user_id: userId, created_on: expect.any(String) },
    });
    const resolved = await call(baseUrl, 'GET', `/v2/user/resolve/${clientUserId}`);
    expect(resolved.body).toMatchObject({ user_id: userId });
    expect((await call(baseUrl, 'GET', `/v2/user/resolve/nobody-${randomUUID()}`)).status).toBe(404);
  });

  test('a user without client_user_id answers 422 naming it', async () => {
    const reply = await call(baseUrl, 'POST', '/v2/user', { body: {} });
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({ detail: [{ loc: ['body', 'client_user_id'], msg: 'Field required', type: 'missing' }] });
  });
});

describe('order validation', () => {
  test('an order with a bad zip, state, name, dob, gender and email answers 422 naming each field', async () => {
    const userId = await createUser(baseUrl);
    const base = orderRequest(userId);
    const body = {
      ...base,
      patient_details: { ...base.patient_details, first_name: ' Ada', dob: '1990-02-30', gender: 'f', email: 'not-an-email' },
      patient_address: { ...base.patient_address, state: 'XX', zip: '8500' },
    };
    const reply = await call(baseUrl, 'POST', '/v3/order', { body });
    expect(reply.status).toBe(422);
    const locations = (reply.body as { detail: { loc: string[]; msg: string; type: string }[] }).detail.map((issue) => issue.loc.join('.'));
    expect(locations.sort()).toEqual(
      [
        'body.patient_details.first_name',
        'body.patient_details.dob',
        'body.patient_details.gender',
        'body.patient_details.email',
        'body.patient_address.state',
        'body.patient_address.zip',
      ].sort(),
    );
    expect(await ordersOf(userId)).toEqual({ orders: [] });
  });

  test('an order for an unknown user or lab test, or without patient_address, answers 422', async () => {
    const userId = await createUser(baseUrl);
    const { patient_address: _omitted, ...withoutAddress } = orderRequest(userId);
    const reply = await call(baseUrl, 'POST', '/v3/order', { body: { ...withoutAddress, user_id: randomUUID(), order_set: { lab_test_ids: [randomUUID()] } } });
    expect(reply.status).toBe(422);
    expect((reply.body as { detail: { loc: unknown[]; type: string }[] }).detail).toEqual([
      expect.objectContaining({ loc: ['body', 'user_id'] }),
      expect.objectContaining({ loc: ['body', 'order_set', 'lab_test_ids', 0] }),
      expect.objectContaining({ loc: ['body', 'patient_address'], type: 'missing' }),
    ]);
  });

  test('an inline physician with an invalid NPI or an unknown licensed state answers 422', async () => {
    const userId = await createUser(baseUrl);
    const physician = { first_name: 'Jane', last_name: 'Smith', npi: '1234567890', licensed_states: ['AZ', 'ZZ'] };
    const reply = await call(baseUrl, 'POST', '/v3/order', { body: orderRequest(userId, { physician }) });
    expect((reply.body as { detail: { loc: unknown[] }[] }).detail.map((issue) => issue.loc)).toEqual([
      ['body', 'physician', 'npi'],
      ['body', 'physician', 'licensed_states', 1],
    ]);
  });

  test('a body that is not JSON answers 422 json_invalid', async () => {
    const response = await fetch(`${baseUrl}/v3/order`, {
      method: 'POST',
      headers: { 'x-vital-api-key': 'k', 'content-type': 'application/json' },
      body: '{"user_id":',
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ detail: [expect.objectContaining({ type: 'json_invalid' })] });
  });
});

describe('orders', () => {
  test('a valid order answers 200 with status received.<method>.ordered, one event and an active transaction', async () => {
    const userId = await createUser(baseUrl);
    const physician = { first_name: 'Jane', last_name: 'Smith', npi: '1234567893', licensed_states: ['AZ', 'NY'] };
    const request = orderRequest(userId, { physician });
    const reply = await call(baseUrl, 'POST', '/v3/order', { body: request, headers: { 'x-idempotency-key': randomUUID() } });
    expect(reply.status).toBe(200);
    const posted = reply.body as PostedOrder;
    expect(posted).toMatchObject({ status: 'success', message: expect.any(String) });
    expect(posted.order).toMatchObject({
      user_id: userId,
      status: 'received',
      events: [{ id: expect.any(Number), status: 'received.walk_in_test.ordered' }],
      last_event: { status: 'received.walk_in_test.ordered' },
      order_transaction: { id: expect.any(String), status: 'active' },
      physician: { first_name: 'Jane', last_name: 'Smith', npi: '1234567893' },
      passthrough: request.passthrough,
      lab_test: { id: SANDBOX_LAB_TEST_IDS.hashimotos },
    });
    expect(posted.order.physician).not.toHaveProperty('licensed_states');

    const read = await call(baseUrl, 'GET', `/v3/order/${posted.order.id}`);
    expect(read.body).toEqual(posted.order);
  });

  test('an unknown order id answers 404 Order not found', async () => {
    const reply = await call(baseUrl, 'GET', `/v3/order/${randomUUID()}`);
    expect(reply).toMatchObject({ status: 404, body: { detail: 'Order not found' } });
  });
});

describe('idempotency', () => {
  test('the same key and body replays the first response and places no second order', async () => {
    const userId = await createUser(baseUrl);
    const key = randomUUID();
    const body = orderRequest(userId);
    const first = await call(baseUrl, 'POST', '/v3/order', { body, headers: { 'x-idempotency-key': key } });
    const orderId = (first.body as PostedOrder).order.id;
    await call(baseUrl, 'POST', `/v3/order/${orderId}/test?final_status=completed`);

    const replayed = await call(baseUrl, 'POST', '/v3/order', { body: { ...body }, headers: { 'x-idempotency-key': key } });
    expect(replayed.status).toBe(200);
    expect(replayed.body).toEqual(first.body);
    expect((await ordersOf(userId)).orders).toHaveLength(1);
  });

  test('the same key with a different body answers 409', async () => {
    const userId = await createUser(baseUrl);
    const key = randomUUID();
    await call(baseUrl, 'POST', '/v3/order', { body: orderRequest(userId), headers: { 'x-idempotency-key': key } });
    const reply = await call(baseUrl, 'POST', '/v3/order', { body: orderRequest(userId), headers: { 'x-idempotency-key': key } });
    expect(reply).toMatchObject({ status: 409, body: { detail: expect.any(String) } });
    expect((await ordersOf(userId)).orders).toHaveLength(1);
  });

  test('a request whose key is still in flight answers 409 and the first still places its order', async () => {
    const userId = await createUser(baseUrl);
    await call(baseUrl, 'POST', '/_sandbox/faults', { body: { latencyMs: 300 } });
    const key = randomUUID();
    const body = orderRequest(userId);
    const [first, second] = await Promise.all([
      call(baseUrl, 'POST', '/v3/order', { body, headers: { 'x-idempotency-key': key } }),
      new Promise((resolve) => setTimeout(resolve, 50)).then(() => call(baseUrl, 'POST', '/v3/order', { body, headers: { 'x-idempotency-key': key } })),
    ]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(409);
    expect((await ordersOf(userId)).orders).toHaveLength(1);
  });

  test('a 422 is not stored under its key: the corrected body is then accepted', async () => {
    const userId = await createUser(baseUrl);
    const key = randomUUID();
    const valid = orderRequest(userId);
    const invalid = await call(baseUrl, 'POST', '/v3/order', {
      body: { ...valid, patient_address: { ...valid.patient_address, zip: 'x' } },
      headers: { 'x-idempotency-key': key },
    });
    expect(invalid.status).toBe(422);
    const fixed = await call(baseUrl, 'POST', '/v3/order', { body: valid, headers: { 'x-idempotency-key': key } });
    expect(fixed.status).toBe(200);
  });
});

describe('catalog', () => {
  test('GET /v3/lab_test lists the hashimotos, pcos and fertility lab tests', async () => {
    const reply = await call(baseUrl, 'GET', '/v3/lab_test');
    const { data, next_cursor } = reply.body as { data: { id: string }[]; next_cursor: unknown };
    expect(data.map((test) => test.id)).toEqual([SANDBOX_LAB_TEST_IDS.hashimotos, SANDBOX_LAB_TEST_IDS.pcos, SANDBOX_LAB_TEST_IDS.fertility]);
    expect(next_cursor).toBeNull();
  });

  test('the team physician list holds the seeded NPIs and those added over the control API', async () => {
    const path = `/v2/team/${running.sandbox.teamId}/physicians`;
    expect((await call(baseUrl, 'GET', path)).body).toEqual(expect.arrayContaining([{ first_name: 'Jane', last_name: 'Smith', npi: '1234567893' }]));
    const added = await call(baseUrl, 'POST', '/_sandbox/physicians', { body: { first_name: 'Sam', last_name: 'Lee', npi: '1678901236' } });
    expect(added.status).toBe(201);
    expect((await call(baseUrl, 'GET', path)).body).toEqual(expect.arrayContaining([{ first_name: 'Sam', last_name: 'Lee', npi: '1678901236' }]));
    expect((await call(baseUrl, 'POST', '/_sandbox/physicians', { body: { first_name: 'A', last_name: 'B', npi: '1234567890' } })).status).toBe(400);
    expect((await call(baseUrl, 'GET', `/v2/team/${randomUUID()}/physicians`)).status).toBe(404);
  });
});

describe('faults', () => {
  test('a queued status fault answers the next matching request once, with Retry-After', async () => {
    await call(baseUrl, 'POST', '/_sandbox/faults', { body: { queue: [{ match: 'GET /v3/lab_test', fault: 'status', status: 429, retryAfter: 2 }] } });
    const physicians = await call(baseUrl, 'GET', `/v2/team/${running.sandbox.teamId}/physicians`);
    expect(physicians.status).toBe(200);
    const faulted = await call(baseUrl, 'GET', '/v3/lab_test');
    expect(faulted.status).toBe(429);
    expect(faulted.headers.get('retry-after')).toBe('2');
    expect((await call(baseUrl, 'GET', '/v3/lab_test')).status).toBe(200);
  });

  test('an invalid fault configuration answers 400 and DELETE resets the switches', async () => {
    expect((await call(baseUrl, 'POST', '/_sandbox/faults', { body: { queue: [{ fault: 'explode' }] } })).status).toBe(400);
    await call(baseUrl, 'POST', '/_sandbox/faults', { body: { latencyMs: 10, webhooks: 'duplicate', queue: [{ fault: 'hang' }] } });
    expect((await call(baseUrl, 'DELETE', '/_sandbox/faults')).status).toBe(204);
    expect((await call(baseUrl, 'GET', '/_sandbox/faults')).body).toEqual({ latencyMs: 0, queue: [], webhooks: 'normal' });
  });

  test('requests are counted by route template, faulted ones included', async () => {
    const before = (await call(baseUrl, 'GET', '/_sandbox/requests')).body as Record<string, number>;
    await call(baseUrl, 'POST', '/_sandbox/faults', { body: { queue: [{ fault: 'status', status: 500 }] } });
    await call(baseUrl, 'GET', `/v3/order/${randomUUID()}`);
    await call(baseUrl, 'GET', `/v3/order/${randomUUID()}`);
    const after = (await call(baseUrl, 'GET', '/_sandbox/requests')).body as Record<string, number>;
    expect((after['GET /v3/order/:orderId'] ?? 0) - (before['GET /v3/order/:orderId'] ?? 0)).toBe(2);
  });

  test('reply_lost places the order and drops the connection without an answer', async () => {
    const userId = await createUser(baseUrl);
    await call(baseUrl, 'POST', '/_sandbox/faults', { body: { queue: [{ match: 'POST /v3/order', fault: 'reply_lost' }] } });
    await expect(call(baseUrl, 'POST', '/v3/order', { body: orderRequest(userId) })).rejects.toThrow('fetch failed');
    expect((await ordersOf(userId)).orders).toHaveLength(1);
  });

  test('hang places the order and never answers', async () => {
    const userId = await createUser(baseUrl);
    await call(baseUrl, 'POST', '/_sandbox/faults', { body: { queue: [{ match: 'POST /v3/order', fault: 'hang' }] } });
    const hung = fetch(`${baseUrl}/v3/order`, {
      method: 'POST',
      headers: { 'x-vital-api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify(orderRequest(userId)),
      signal: AbortSignal.timeout(200),
    });
    await expect(hung).rejects.toMatchObject({ name: 'TimeoutError' });
    expect((await ordersOf(userId)).orders).toHaveLength(1);
  });
});
