import { randomUUID } from 'node:crypto';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';
import { expectDocumented } from '../helpers/schema-assert';
import { randomNpi } from '../v1/physicians-fixtures';
import { createPatient, eventually, labServiceRequest, orderablePatient } from './lab-fixtures';
import { call } from './sandbox-server';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());
afterEach(() => call(t.junction.baseUrl, 'DELETE', '/_sandbox/faults'));

interface SandboxOrder {
  id: string;
  user_id: string;
  passthrough?: string;
  physician: { npi: string } | null;
}

const patientId = (overrides: object = {}, app = t) => createPatient(app, overrides);
const order = async (body: object, key: string = randomUUID(), app = t) => app.http.post('/v1/lab-orders').set('idempotency-key', key).send(body);
const orderBody = async (extra: object = {}, app = t) => ({ brand_id: 'brand-1', patient_id: await patientId({}, app), panel_id: 'hashimotos', ...extra });
const sandboxOrders = async (passthrough: string, app = t): Promise<SandboxOrder[]> =>
  ((await call(app.junction.baseUrl, 'GET', '/_sandbox/orders')).body as { orders: SandboxOrder[] }).orders.filter((o) => o.passthrough === passthrough);
const faults = (queue: object[], app = t) => call(app.junction.baseUrl, 'POST', '/_sandbox/faults', { body: { queue } });

describe('POST /v1/lab-orders', () => {
  test('places one Junction order and answers 201 in the seed shape; GET shows it', async () => {
    const body = await orderBody();
    const res = await order(body);
    expect(res.status).toBe(201);
    expectDocumented(res, 'lab-orders');
    expect(res.body).toMatchObject({ brand_id: 'brand-1', patient_id: body.patient_id, panel_id: 'hashimotos', status: 'received', completed_at: null });
    expect(res.body.junction_order_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.get('location')).toBe(`/v1/lab-orders/${res.body.id}`);
    expect(await sandboxOrders(res.body.id)).toHaveLength(1);
    const read = await t.http.get(`/v1/lab-orders/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
    const fhir = await t.http.get(`${FHIR_BASE}/ServiceRequest/${res.body.id}`);
    expect(fhir.body).toMatchObject({ intent: 'order', status: 'active', subject: { reference: `Patient/${body.patient_id}` } });
    expect(fhir.body.identifier[0].value).toBe(res.body.junction_order_id);
  });

  test('Patients of one id in two tenants are two Junction users', async () => {
    const other = await t.otherTenant();
    // As two tenants that imported the same Synthea file hold it.
    const id = randomUUID();
    const users: string[] = [];
    for (const app of [t, other]) {
      expect((await app.http.put(`${FHIR_BASE}/Patient/${id}`).send(orderablePatient({ id }))).status).toBe(201);
      const res = await order({ brand_id: 'brand-1', patient_id: id, panel_id: 'pcos' }, randomUUID(), app);
      expect(res.status).toBe(201);
      const placed = await sandboxOrders(res.body.id, app);
      expect(placed).toHaveLength(1);
      users.push(placed[0]!.user_id);
    }
    expect(users[0]).not.toBe(users[1]);
  });

  test('the same key and body replay the stored answer; another body is a 409', async () => {
    const body = await orderBody();
    const key = randomUUID();
    const first = await order(body, key);
    const again = await order(body, key);
    expect(again.status).toBe(201);
    expect(again.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const other = await order({ ...body, panel_id: 'pcos' }, key);
    expect(other.status).toBe(409);
    expectDocumented(other, 'lab-orders');
    expect(await sandboxOrders(first.body.id)).toHaveLength(1);
  });

  test.each([
    ['missing', undefined],
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['with a control character', 'key\twith-tab'],
  ])('an idempotency-key %s is a 400 naming it', async (_what, key) => {
    const request = t.http.post('/v1/lab-orders');
    if (key !== undefined) request.set('idempotency-key', key);
    const res = await request.send(await orderBody());
    expect(res.status).toBe(400);
    expectDocumented(res, 'lab-orders');
    expect(res.body.message).toContain('idempotency-key');
  });

  test('what Junction would refuse is a 400 naming the field, before any call to Junction', async () => {
    const before = (await call(t.junction.baseUrl, 'GET', '/_sandbox/requests')).body;
    const cases: [object, string][] = [
      [{ patient_id: randomUUID() }, 'patient_id'],
      [{ address: { line1: '1 Main St', city: 'Phoenix', state: 'AZ', zip: '8500', country: 'US' } }, 'address.zip'],
      [{ address: { line1: '1 Main St', city: 'Phoenix', state: 'Arizona', zip: '85004', country: 'US' } }, 'address.state'],
      [{ patient: { first_name: 'Zoë', last_name: 'Smith', dob: '1990-01-01', email: 'z@example.com' } }, 'patient.first_name'],
      [{ patient: { first_name: 'Zoe', last_name: 'Smith', dob: '01/02/1990', email: 'z@example.com' } }, 'patient.dob'],
      [{ panel_id: 'thyroid' }, 'panel_id'],
      [{ unexpected: true }, 'unexpected'],
      // Passes the request schema; FHIR validation of the stored ServiceRequest refuses it.
      [{ brand_id: '\ufeff' }, 'brand_id'],
    ];
    for (const [extra, field] of cases) {
      const res = await order(await orderBody(extra));
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      expect(res.body.message).toContain(field);
    }
    const noPhone = await order({ brand_id: 'b', panel_id: 'pcos', patient_id: await patientId({ telecom: [{ system: 'email', value: 'np@example.com' }] }) });
    expect(noPhone.status).toBe(400);
    expect(noPhone.body.message).toContain('phone');
    expect((await call(t.junction.baseUrl, 'GET', '/_sandbox/requests')).body).toEqual(before);
  });

  test('10 concurrent requests with one key place one order', async () => {
    const body = await orderBody();
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 10 }, () => order(body, key)));
    const created = answers.filter((a) => a.status === 201);
    expect(answers.map((a) => a.status).filter((s) => s !== 409)).toEqual(created.map(() => 201));
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(answers.every((a) => a.status === 201 || a.status === 409)).toBe(true);
    for (const busy of answers.filter((a) => a.status === 409)) expect(busy.get('retry-after')).toBe('1');
    expect(new Set(created.map((a) => a.body.id)).size).toBe(1);
    expect(await sandboxOrders(created[0]?.body.id)).toHaveLength(1);
  });

  test('Junction answering 500, 500, then 200 still makes one order', async () => {
    await faults([
      { match: 'POST /v3/order', fault: 'status', status: 500 },
      { match: 'POST /v3/order', fault: 'status', status: 503 },
    ]);
    const res = await order(await orderBody());
    expect(res.status).toBe(201);
    expect(await sandboxOrders(res.body.id)).toHaveLength(1);
  });

  test('an active physician licensed in the patient’s state orders it; otherwise Junction’s network', async () => {
    const unlicensed = await order(await orderBody({ address: { line1: '1 Elm St', city: 'Boise', state: 'ID', zip: '83702', country: 'US' } }));
    expect((await sandboxOrders(unlicensed.body.id))[0]?.physician).toBeNull();
    const npi = '1234567893';
    const physician = await t.http
      .post('/v1/physicians')
      .send({ name: 'Dr Grace Hopper', email: 'grace@example.com', npi, license_state: 'AZ', state_license: 'AZ-1' });
    expect(physician.status).toBe(201);
    expect(physician.body.junction_physician_id).toBe(npi);
    const licensed = await order(await orderBody());
    expect((await sandboxOrders(licensed.body.id))[0]?.physician?.npi).toBe(npi);
    const fhir = await t.http.get(`${FHIR_BASE}/ServiceRequest/${licensed.body.id}`);
    expect(fhir.body.requester).toEqual({ reference: `Practitioner/${physician.body.id}` });
  });
});

describe('when Junction does not answer', () => {
  // A client whose attempts give up quickly, so three lost attempts take seconds, not half a minute.
  let quick: TestApp;
  beforeAll(async () => {
    quick = await startTestApp({ env: { JUNCTION_TIMEOUT_MS: '1500' } });
  });
  afterAll(() => quick.close());

  test.each(['hang', 'reply_lost'])(
    '%s on every attempt: 502, and a retry with the same key completes the one order',
    async (fault) => {
      await faults(
        Array.from({ length: 3 }, () => ({ match: 'POST /v3/order', fault })),
        quick,
      );
      const body = await orderBody({}, quick);
      const key = randomUUID();
      const failed = await order(body, key, quick);
      expect(failed.status).toBe(502);
      expectDocumented(failed, 'lab-orders');
      await call(quick.junction.baseUrl, 'DELETE', '/_sandbox/faults');
      const retried = await order(body, key, quick);
      expect(retried.status).toBe(201);
      expect(await sandboxOrders(retried.body.id, quick)).toHaveLength(1);
      const replay = await order(body, key, quick);
      expect(replay.get('idempotent-replayed')).toBe('true');
    },
    30_000,
  );
});

describe('the same flow from FHIR', () => {
  test('a lab ServiceRequest created over FHIR becomes one Junction order and shows at /v1/lab-orders', async () => {
    const patient = await patientId();
    const created = await t.http.post(`${FHIR_BASE}/ServiceRequest`).send(labServiceRequest(`Patient/${patient}`));
    expect(created.status).toBe(201);
    const shown = await eventually(
      () => t.http.get(`/v1/lab-orders/${created.body.id}`),
      (res) => res.body.status === 'received',
    );
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ panel_id: 'fertility', patient_id: patient, status: 'received' });
    expect(await sandboxOrders(created.body.id)).toHaveLength(1);
  });

  test('a transaction that writes the patient and its lab order places the one order after commit', async () => {
    const bundle = await t.http.post(FHIR_BASE).send({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:new-patient',
          resource: orderablePatient({ name: [{ given: ['Tx'], family: 'Patient' }] }),
          request: { method: 'POST', url: 'Patient' },
        },
        {
          resource: labServiceRequest('urn:uuid:new-patient', 'hashimotos'),
          request: { method: 'POST', url: 'ServiceRequest' },
        },
      ],
    });
    expect(bundle.status).toBe(200);
    const id = (bundle.body.entry[1].response.location as string).split('/')[1] as string;
    const shown = await eventually(
      () => t.http.get(`/v1/lab-orders/${id}`),
      (res) => res.body.status === 'received',
    );
    expect(shown.body.status).toBe('received');
    expect(await sandboxOrders(id)).toHaveLength(1);
  });

  test('a transaction of creates whose lab order Junction could not take is a 422 and stores neither resource', async () => {
    const family = `NoPhone${randomUUID().slice(0, 8)}`;
    const bundle = await t.http.post(FHIR_BASE).send({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:no-phone', resource: orderablePatient({ name: [{ family }], telecom: undefined }), request: { method: 'POST', url: 'Patient' } },
        { resource: labServiceRequest('urn:uuid:no-phone'), request: { method: 'POST', url: 'ServiceRequest' } },
      ],
    });
    expect(bundle.status).toBe(422);
    expect(bundle.body.issue.at(-1).expression).toEqual(['Bundle.entry[1]']);
    const patients = await t.http.get(`${FHIR_BASE}/Patient?family=${family}`).expect(200);
    expect(patients.body.total).toBe(0);
  });

  test('a lab ServiceRequest Junction could not take is a 422 naming the element; other ServiceRequests are only stored', async () => {
    const noPhone = await patientId({ telecom: undefined });
    const refused = await t.http.post(`${FHIR_BASE}/ServiceRequest`).send(labServiceRequest(`Patient/${noPhone}`, 'pcos'));
    expect(refused.status).toBe(422);
    expect(refused.body.issue[0].expression).toEqual(['ServiceRequest.subject']);
    const plain = await t.http
      .post(`${FHIR_BASE}/ServiceRequest`)
      .send({ resourceType: 'ServiceRequest', status: 'active', intent: 'plan', subject: { reference: `Patient/${noPhone}` } });
    expect(plain.status).toBe(201);
    expect(await sandboxOrders(plain.body.id)).toHaveLength(0);
  });
});

describe('physicians', () => {
  test('registration with Junction down is a 502 and stores nothing', async () => {
    await faults(Array.from({ length: 3 }, () => ({ match: 'GET /v2/team/:teamId/physicians', fault: 'status', status: 503 })));
    const npi = randomNpi();
    const res = await t.http.post('/v1/physicians').send({ name: 'Dr Down', email: 'down@example.com', npi, license_state: 'CA', state_license: 'C1' });
    expect(res.status).toBe(502);
    expectDocumented(res, 'physicians');
    const found = await t.http.get(`${FHIR_BASE}/Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|${npi}`);
    expect(found.body.total).toBe(0);
  });
});
