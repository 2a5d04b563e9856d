import { randomUUID } from 'node:crypto';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';
import { expectDocumented } from '../helpers/schema-assert';
import { physicianBody as physician } from './physicians-fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function post(body: unknown, app: TestApp = t) {
  const res = await app.http.post('/v1/physicians').send(body as object);
  expectDocumented(res, 'physicians');
  return res;
}

async function get(id: string, app: TestApp = t) {
  const res = await app.http.get(`/v1/physicians/${id}`);
  expectDocumented(res, 'physicians');
  return res;
}

describe('POST /v1/physicians', () => {
  test('answers 201 with the documented shape; junction_physician_id is null until Junction registration lands', async () => {
    const body = physician();
    const res = await post(body);
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/v1/physicians/${res.body.id}`);
    expect(res.body).toEqual({
      id: expect.any(String),
      ...body,
      clep_permit_number: null,
      junction_physician_id: null,
      status: 'active',
      created_at: expect.any(String),
    });
  });

  test('every field, CLEP permit included, comes back unchanged from POST and from GET', async () => {
    const body = physician({ name: 'Dr. Ana de la Cruz-Ñúñez, MD', license_state: 'NY', state_license: '298765-b', clep_permit_number: 'CLEP-44120' });
    const created = await post(body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...body, status: 'active' });
    const read = await get(created.body.id);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  test('a NY physician without a CLEP permit is pending', async () => {
    const res = await post(physician({ license_state: 'NY' }));
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('pending');
    expect((await get(res.body.id)).body.status).toBe('pending');
  });

  test.each([
    ['npi', { npi: '1234567890' }, 'npi must be 10 digits with a valid check digit'],
    ['npi', { npi: '12345' }, 'npi must match pattern'],
    ['npi', { npi: 1234567893 }, 'npi must be string'],
    ['license_state', { license_state: 'ZZ' }, 'license_state must be the uppercase code of a US state'],
    ['license_state', { license_state: 'ny' }, 'license_state must be the uppercase code of a US state'],
    ['license_state', { license_state: 'NYC' }, 'license_state must NOT have more than 2 characters'],
    ['email', { email: 'sarah@' }, 'email must match format "email"'],
    ['state_license', { state_license: undefined }, 'state_license is required'],
    ['clep_permit_number', { clep_permit_number: '' }, 'clep_permit_number must NOT have fewer than 1 characters'],
    ['name', { name: '   ' }, 'name is not valid: '],
  ])('an invalid %s answers 400 naming it', async (_field, change, message) => {
    const res = await post(physician(change));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_error');
    expect(res.body.message).toContain(message);
  });

  test.each(['id', 'status', 'created_at', 'junction_physician_id', 'tenant_id'])(
    'a field the page does not accept (%s) answers 400 naming it',
    async (field) => {
      const res = await post(physician({ [field]: 'x' }));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'validation_error', message: `${field} is not a recognised field` });
    },
  );

  test('malformed JSON, a non-JSON type and an oversized body answer 400, 415 and 413', async () => {
    const malformed = await t.http.post('/v1/physicians').set('content-type', 'application/json').send('{"npi":');
    const text = await t.http.post('/v1/physicians').set('content-type', 'text/plain').send('npi=1');
    const huge = await t.http.post('/v1/physicians').send(physician({ name: 'x'.repeat(2 * 1024 * 1024) }));
    for (const res of [malformed, text, huge]) expectDocumented(res, 'physicians');
    expect([malformed.status, text.status, huge.status]).toEqual([400, 415, 413]);
    expect([malformed.body.error, text.body.error, huge.body.error]).toEqual(['invalid_json', 'unsupported_media_type', 'payload_too_large']);
  });
});

describe('duplicates', () => {
  test('the same NPI and license_state answers 409 duplicate_physician without the NPI', async () => {
    const first = physician();
    expect((await post(first)).status).toBe(201);
    const res = await post(physician({ npi: first.npi, license_state: first.license_state, email: 'other@example.com' }));
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: 'duplicate_physician', message: 'a physician with this NPI is already registered for this license_state' });
    expect(res.body.message).not.toContain(first.npi);
  });

  test('the same NPI in another state or another tenant is a new registration', async () => {
    const first = physician();
    expect((await post(first)).status).toBe(201);
    expect((await post({ ...first, license_state: 'TX' })).status).toBe(201);
    expect((await post(first, await t.otherTenant())).status).toBe(201);
  });

  test('eight identical POSTs at once: exactly one 201, seven 409', async () => {
    const body = physician();
    const responses = await Promise.all(Array.from({ length: 8 }, () => post(body)));
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    expect(new Set(responses.filter((r) => r.status === 409).map((r) => r.body.error))).toEqual(new Set(['duplicate_physician']));
  });
});

describe('GET /v1/physicians/{id}', () => {
  test.each([
    ['an unknown uuid', () => randomUUID()],
    ['a malformed id', () => 'abc'],
  ])('%s answers 404 not_found', async (_case, id) => {
    const res = await get(id());
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'not_found', message: 'No physician exists with this id' });
  });

  test('another tenant’s physician answers 404', async () => {
    const created = await post(physician());
    expect((await get(created.body.id, await t.otherTenant())).status).toBe(404);
  });

  test('a Practitioner that does not claim the v1-physician profile answers 404', async () => {
    const fhir = await t.http
      .post(`${FHIR_BASE}/Practitioner`)
      .set('content-type', 'application/fhir+json')
      .send({ resourceType: 'Practitioner', name: [{ text: 'Plain Practitioner' }] });
    expect(fhir.status).toBe(201);
    expect((await get(fhir.body.id)).status).toBe(404);
  });

  test('a /v1 patient id is not a physician id', async () => {
    const patient = await t.http.post('/v1/patients').send({ brand_id: 'b', first_name: 'P', last_name: 'Q' });
    expect(patient.status).toBe(201);
    expect((await get(patient.body.id)).status).toBe(404);
  });
});
