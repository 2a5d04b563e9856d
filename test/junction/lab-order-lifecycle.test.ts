import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';
import { createPatient, eventually } from './lab-fixtures';
import { call } from './sandbox-server';

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await startTestApp();
  base = await t.listen();
});
afterAll(() => t.close());
afterEach(() =>
  call(t.junction.baseUrl, 'POST', '/_sandbox/faults', { body: { webhooks: 'normal' } }).then(() => call(t.junction.baseUrl, 'DELETE', '/_sandbox/faults')),
);

async function placeOrder(app: TestApp = t, key: string = randomUUID()) {
  const patient = await createPatient(app);
  return app.http.post('/v1/lab-orders').set('idempotency-key', key).send({ brand_id: 'b', patient_id: patient, panel_id: 'pcos' });
}

const simulate = (junctionOrderId: string, finalStatus: string) =>
  call(t.junction.baseUrl, 'POST', `/v3/order/${junctionOrderId}/test?final_status=${finalStatus}&delay=0`, { body: {} });
const labOrder = (id: string) => t.http.get(`/v1/lab-orders/${id}`);

describe('webhooks', () => {
  test('the sandbox simulation ends, within seconds, with the final status and completed_at', async () => {
    const placed = await placeOrder();
    expect(placed.status).toBe(201);
    expect((await simulate(placed.body.junction_order_id, 'completed')).status).toBeLessThan(300);
    const done = await eventually(
      () => labOrder(placed.body.id),
      (res) => res.body.status === 'completed',
    );
    expect(done.body.status).toBe('completed');
    expect(Date.parse(done.body.completed_at)).toBeGreaterThan(Date.parse(placed.body.created_at) - 1000);
    const fhir = await t.http.get(`${FHIR_BASE}/ServiceRequest/${placed.body.id}`);
    expect(fhir.body.status).toBe('completed');
  });

  test.each(['duplicate', 'out_of_order'])('%s deliveries end at the final status, never moving backwards', async (mode) => {
    await call(t.junction.baseUrl, 'POST', '/_sandbox/faults', { body: { webhooks: mode } });
    const placed = await placeOrder();
    await simulate(placed.body.junction_order_id, 'cancelled');
    const done = await eventually(
      () => labOrder(placed.body.id),
      (res) => res.body.status === 'cancelled',
    );
    expect(done.body).toMatchObject({ status: 'cancelled', completed_at: null });
    // Out-of-order deliveries of earlier statuses arrive later and change nothing.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await labOrder(placed.body.id)).body.status).toBe('cancelled');
    expect((await t.http.get(`${FHIR_BASE}/ServiceRequest/${placed.body.id}`)).body.status).toBe('revoked');
  });

  test('a bad, missing or stale signature is a 401 and changes nothing; a replayed message id is ignored', async () => {
    const placed = await placeOrder();
    const body = JSON.stringify({ event_type: 'labtest.order.updated', data: { id: placed.body.junction_order_id } });
    const post = (headers: Record<string, string>) =>
      fetch(`${base}/webhooks/junction`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const signed = (secret: string, id: string, at: Date) => ({
      'svix-id': id,
      'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
      'svix-signature': new Webhook(secret).sign(id, at, body),
    });
    const forged = await post(signed(`whsec_${Buffer.from('not the secret at all!!').toString('base64')}`, 'msg_forged', new Date()));
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ error: 'invalid_signature', message: expect.any(String) });
    expect((await post({})).status).toBe(401);
    expect((await post(signed(t.webhookSecret, 'msg_stale', new Date(Date.now() - 10 * 60_000)))).status).toBe(401);
    expect(await t.knex('webhook_deliveries').whereIn('message_id', ['msg_forged', 'msg_stale'])).toEqual([]);
    expect((await labOrder(placed.body.id)).body.status).toBe('received');

    const id = `msg_${randomUUID()}`;
    expect((await post(signed(t.webhookSecret, id, new Date()))).status).toBe(200);
    expect((await post(signed(t.webhookSecret, id, new Date()))).status).toBe(200);
    expect(await t.knex('webhook_deliveries').where({ message_id: id })).toHaveLength(1);
  });

  test('another tenant’s order is found only within its own tenant', async () => {
    const other = await t.otherTenant();
    const placed = await placeOrder(other);
    await simulate(placed.body.junction_order_id, 'completed');
    await eventually(
      () => other.http.get(`/v1/lab-orders/${placed.body.id}`),
      (res) => res.body.status === 'completed',
    );
    expect((await labOrder(placed.body.id)).status).toBe(404);
  });
});

describe('never lost, never doubled', () => {
  test('two server instances racing on one key place one order', async () => {
    const second = await t.sameTenantInstance();
    try {
      const key = randomUUID();
      const body = { brand_id: 'b', patient_id: await createPatient(t), panel_id: 'hashimotos' };
      const answers = await Promise.all([t, second, t, second].map((app) => app.http.post('/v1/lab-orders').set('idempotency-key', key).send(body)));
      const ids = new Set(answers.filter((a) => a.status === 201).map((a) => a.body.id));
      expect(answers.map((a) => (a.status === 201 ? 201 : `${a.status} ${JSON.stringify(a.body)}`))).toContain(201);
      expect(ids.size).toBe(1);
      const orders = (await call(t.junction.baseUrl, 'GET', '/_sandbox/orders')).body as { orders: { passthrough: string }[] };
      expect(orders.orders.filter((o) => ids.has(o.passthrough))).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  test('a crash between Junction’s answer and the commit is settled after restart with the one order', async () => {
    // The order was written and sent, Junction created it, and the process died before recording it.
    await call(t.junction.baseUrl, 'POST', '/_sandbox/faults', {
      body: {
        queue: [
          { match: 'POST /v3/order', fault: 'reply_lost' },
          { match: 'POST /v3/order', fault: 'reply_lost' },
          { match: 'POST /v3/order', fault: 'reply_lost' },
        ],
      },
    });
    const key = randomUUID();
    const failed = await placeOrder(t, key);
    expect(failed.status).toBe(502);
    const [row] = await t.knex('lab_order_outbox').where({ tenant_id: t.tenantId, state: 'pending' }).orderBy('created_at', 'desc').limit(1);
    // As a dead process leaves it: leased, lease since run out, nothing recorded.
    await t
      .knex('lab_order_outbox')
      .where({ tenant_id: t.tenantId, service_request_id: row.service_request_id })
      .update({ leased_until: t.knex.raw("now() - interval '1 second'"), next_attempt_at: t.knex.fn.now(), outcome_unknown: false });
    const restarted = await t.sameTenantInstance();
    try {
      const settled = await eventually(
        () => restarted.http.get(`/v1/lab-orders/${row.service_request_id}`),
        (res) => res.body.status === 'received',
      );
      expect(settled.body.junction_order_id).not.toBe('');
      const orders = (await call(t.junction.baseUrl, 'GET', '/_sandbox/orders')).body as { orders: { passthrough: string }[] };
      expect(orders.orders.filter((o) => o.passthrough === row.service_request_id)).toHaveLength(1);
    } finally {
      await restarted.close();
    }
  }, 30_000);

  test('an order Junction refuses is dead: GET shows it, and operators list it', async () => {
    await call(t.junction.baseUrl, 'POST', '/_sandbox/faults', { body: { queue: [{ match: 'POST /v3/order', fault: 'status', status: 400 }] } });
    const failed = await placeOrder();
    expect(failed.status).toBe(502);
    const dead = await t.http.get('/admin/lab-orders?state=dead').expect(200);
    const entry = (dead.body.data as { tenant_id: string; id: string; last_error: string }[]).find(
      (d) => d.tenant_id === t.tenantId && d.last_error === 'rejected_400',
    );
    expect(entry).toBeDefined();
    expect((await labOrder(entry?.id ?? '')).body.status).toBe('submission_failed');
  });
});
