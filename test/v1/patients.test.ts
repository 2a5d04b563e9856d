import { randomUUID } from 'node:crypto';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';
import { expectDocumented } from '../helpers/schema-assert';
import { physicianBody } from './physicians-fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const minimal = () => ({ brand_id: `brand_${randomUUID()}`, first_name: 'Maria', last_name: 'Gonzalez' });

const full = () => ({
  brand_id: `brand_${randomUUID()}`,
  first_name: 'José María',
  last_name: 'de la Peña-Ó Briain',
  date_of_birth: '2000-02-29',
  gender: 'Non-binary',
  email: `maria.${randomUUID()}@example.com`,
  phone: '+1 (555) 014-2000 ext. 7',
  external_ids: { shopify: `cus_${randomUUID()}`, 'crm id/α%': 'A/17 b', empty_looking: '0' },
  metadata: { source: 'intake-form', tags: ['thyroid', 1, null, true], nested: { deep: { x: 1.5 } }, none: null },
});

async function post(body: unknown) {
  const res = await t.http.post('/v1/patients').send(body as object);
  expectDocumented(res, 'patients');
  return res;
}

async function get(id: string, app: TestApp = t) {
  const res = await app.http.get(`/v1/patients/${id}`);
  expectDocumented(res, 'patients');
  return res;
}

describe('POST /v1/patients', () => {
  test('a minimal body answers 201 with every documented field, absent ones null or empty', async () => {
    const body = minimal();
    const res = await post(body);
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.location).toBe(`/v1/patients/${res.body.id}`);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ...body,
      date_of_birth: null,
      gender: null,
      email: null,
      phone: null,
      external_ids: {},
      status: 'active',
      metadata: {},
      age_verified_at: null,
      ruo_pathway_acknowledged_at: null,
      researcher_acknowledgement_id: null,
      prescription_status: null,
      prescription_consult_completed_at: null,
      created_at: expect.any(String),
      updated_at: res.body.created_at,
    });
    expect(new Date(res.body.created_at).toISOString()).toBe(res.body.created_at);
  });

  test('every field set comes back unchanged from POST and from GET', async () => {
    const body = full();
    const created = await post(body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject(body);
    const read = await get(created.body.id);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  test('keys such as __proto__ round-trip as plain data and pollute nothing', async () => {
    const raw =
      '{"brand_id":"b","first_name":"A","last_name":"B","external_ids":{"__proto__":"x","constructor":"y"},"metadata":{"__proto__":{"polluted":true}}}';
    const created = await t.http.post('/v1/patients').set('content-type', 'application/json').send(raw);
    expectDocumented(created, 'patients');
    expect(created.status).toBe(201);
    const read = await get(created.body.id);
    for (const text of [created.text, read.text]) {
      expect(text).toContain('"external_ids":{"__proto__":"x","constructor":"y"}');
      expect(text).toContain('"metadata":{"__proto__":{"polluted":true}}');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test.each(['female', 'MALE', 'other', 'unknown', 'prefers not to say'])('gender %p round-trips as sent', async (gender) => {
    const created = await post({ ...minimal(), gender });
    expect(created.status).toBe(201);
    expect((await get(created.body.id)).body.gender).toBe(gender);
  });

  test.each([
    ['brand_id', { brand_id: undefined }, 'brand_id is required'],
    ['first_name', { first_name: '' }, 'first_name'],
    ['last_name', { last_name: 42 }, 'last_name must be string'],
    ['email', { email: 'not-an-email' }, 'email must match format "email"'],
    ['date_of_birth', { date_of_birth: '2001-02-29' }, 'date_of_birth must match format "date"'],
    ['external_ids', { external_ids: { crm: 7 } }, 'external_ids.crm must be string'],
    ['metadata', { metadata: [] }, 'metadata must be object'],
  ])('an invalid %s answers 400 naming it', async (_field, change, message) => {
    const res = await post({ ...minimal(), ...change });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_error');
    expect(res.body.message).toContain(message);
  });

  test.each([
    ['first_name', { first_name: '   ' }],
    ['brand_id', { brand_id: ' ' }],
    ['date_of_birth', { date_of_birth: '0000-01-01' }],
    ['phone', { phone: 'tab\u0000null' }],
    ['gender', { gender: ' ' }],
    ['external_ids.crm', { external_ids: { crm: '\t' } }],
  ])('a value FHIR rejects (%s) answers 400 naming the /v1 field', async (field, change) => {
    const res = await post({ ...minimal(), ...change });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'validation_error', message: expect.stringMatching(new RegExp(`^${field} is not valid: `)) });
  });

  test.each(['id', 'status', 'created_at', 'tenant_id', 'age_verified_at'])('a field the page does not accept (%s) answers 400 naming it', async (field) => {
    const res = await post({ ...minimal(), [field]: 'x' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'validation_error', message: `${field} is not a recognised field` });
  });

  test('a body that is not an object answers 400', async () => {
    const res = await post([minimal()]);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('The request body must be object');
  });

  test('malformed JSON answers 400 invalid_json', async () => {
    const res = await t.http.post('/v1/patients').set('content-type', 'application/json').send('{"brand_id": ');
    expectDocumented(res, 'patients');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_json');
  });

  test.each(['text/plain', 'application/x-www-form-urlencoded'])('content type %s answers 415', async (type) => {
    const res = await t.http.post('/v1/patients').set('content-type', type).send('brand_id=b');
    expectDocumented(res, 'patients');
    expect(res.status).toBe(415);
    expect(res.body.error).toBe('unsupported_media_type');
  });

  test('a body over the limit answers 413', async () => {
    const res = await post({ ...minimal(), metadata: { blob: 'x'.repeat(2 * 1024 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('payload_too_large');
  });
});

describe('GET /v1/patients/{id}', () => {
  test.each([
    ['an unknown uuid', () => randomUUID()],
    ['a malformed id', () => 'not-a-uuid'],
    ['an injection string', () => encodeURIComponent("1' OR '1'='1")],
  ])('%s answers 404 not_found', async (_case, id) => {
    const res = await get(id());
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'not_found', message: 'No patient exists with this id' });
  });

  test('another tenant’s patient answers 404', async () => {
    const created = await post(minimal());
    const other = await t.otherTenant();
    const res = await get(created.body.id, other);
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_found');
  });

  test('a FHIR Patient that does not claim the v1-patient profile answers 404', async () => {
    const fhir = await t.http
      .post(`${FHIR_BASE}/Patient`)
      .set('content-type', 'application/fhir+json')
      .send({ resourceType: 'Patient', name: [{ family: 'Plain', given: ['Fhir'] }] });
    expect(fhir.status).toBe(201);
    const res = await get(fhir.body.id);
    expect(res.status).toBe(404);
  });

  test('a deleted patient answers 404', async () => {
    const created = await post(minimal());
    expect((await t.http.delete(`${FHIR_BASE}/Patient/${created.body.id}`)).status).toBeLessThan(300);
    expect((await get(created.body.id)).status).toBe(404);
  });

  test('a method the family does not serve answers 404 in the {error, message} shape', async () => {
    const res = await t.http.delete(`/v1/patients/${randomUUID()}`);
    expectDocumented(res, 'patients');
    expect(res.status).toBe(404);
  });
});

test.each([
  ['patients', minimal()],
  ['physicians', physicianBody()],
])('an unexpected failure in /v1/%s answers 500 in the {error, message} shape without internals', async (family, body) => {
  const failing = {
    before: () => {
      throw new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2');
    },
  };
  const broken = await startTestApp({ hooks: [failing] });
  const res = await broken.http.post(`/v1/${family}`).send(body);
  await broken.close();
  expectDocumented(res, family);
  expect(res.status).toBe(500);
  expect(res.body).toEqual({ error: 'internal_error', message: 'An unexpected error occurred' });
});
