import { randomUUID } from 'node:crypto';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { Bundle, Organization, PractitionerRole } from '@medplum/fhirtypes';
import createdSchema from '../../mappings/schemas/practitioner-roles.201.json';
import errorSchema from '../../mappings/schemas/practitioner-roles.error.json';
import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';

const ROLES = '/v1/practitioner-roles';
const ajv = addFormats(new Ajv({ strict: false }));
const isCreated = ajv.compile(createdSchema);
const isError = ajv.compile(errorSchema);

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ rateLimit: { points: 10_000, windowSeconds: 3600 } });
});
afterAll(() => t.close());

async function newPractitioner(app: TestApp = t): Promise<string> {
  const res = await app.http
    .post(`${FHIR_BASE}/Practitioner`)
    .set('content-type', 'application/fhir+json')
    .send({ resourceType: 'Practitioner', name: [{ family: 'Role', given: ['Tess'] }] });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const unique = (label: string): string => `${label} ${randomUUID().slice(0, 8)}`;

function fullRequest(practitionerId: string) {
  return {
    practitionerId,
    role: 'doctor',
    organizationName: unique('Springfield Cardiology Group'),
    specialty: ['Cardiology', 'Interventional Cardiology'],
    locationName: unique('Main Campus'),
    email: 'sarah.johnson@springfield.example',
    availableDays: ['mon', 'tue', 'wed', 'thu', 'fri'],
    availableStartTime: '08:00',
    availableEndTime: '17:00',
  };
}

function expectErrorEnvelope(res: { status: number; body: unknown }, status: number): { code: string; message: string } {
  expect(res.status).toBe(status);
  expect(isError(res.body)).toBe(true);
  const body = res.body as { error: { code: string; message: string }; meta: { status: number; rateLimitTotal: number } };
  expect(body.meta.status).toBe(status);
  expect(body.meta.rateLimitTotal).toBe(10_000);
  return body.error;
}

describe('POST /v1/practitioner-roles', () => {
  test('creates a role and answers 201 in the data/meta envelope with every field', async () => {
    const request = fullRequest(await newPractitioner());
    const res = await t.http.post(ROLES).set('x-request-id', 'req_roles_1').send(request);
    expect(res.status).toBe(201);
    expect(isCreated(res.body)).toBe(true);
    expect(res.body.data).toEqual({ id: expect.any(String), ...request, phone: null, createdAt: expect.any(String) });
    expect(res.body.meta).toEqual({
      requestId: 'req_roles_1',
      timestamp: expect.any(String),
      status: 201,
      rateLimitTotal: 10_000,
      rateLimitRemaining: Number(res.get('ratelimit-remaining')),
      rateLimitReset: Number(res.get('ratelimit-reset')),
    });
    expect(res.get('location')).toBe(`${ROLES}/${res.body.data.id}`);
  });

  test('absent optional fields come back null (scalars) or empty (lists)', async () => {
    const practitionerId = await newPractitioner();
    const res = await t.http.post(ROLES).send({ practitionerId, role: 'consultant' });
    expect(res.status).toBe(201);
    expect(isCreated(res.body)).toBe(true);
    expect(res.body.data).toEqual({
      id: expect.any(String),
      practitionerId,
      role: 'consultant',
      organizationName: null,
      specialty: [],
      locationName: null,
      phone: null,
      email: null,
      availableDays: [],
      availableStartTime: null,
      availableEndTime: null,
      createdAt: expect.any(String),
    });
  });

  test('the role is a PractitionerRole pointing at the found-or-created Organization and Location', async () => {
    const request = { ...fullRequest(await newPractitioner()), role: 'admin', phone: '+1 555 0100' };
    const created = await t.http.post(ROLES).send(request);
    const role = (await t.http.get(`${FHIR_BASE}/PractitionerRole/${created.body.data.id}`)).body as PractitionerRole;
    expect(role.code?.[0]?.coding?.[0]).toEqual({ system: 'https://fhir-facade.dev/fhir/CodeSystem/practitioner-role', code: 'admin' });
    expect(role.practitioner?.reference).toBe(`Practitioner/${request.practitionerId}`);
    expect(role.availableTime).toEqual([{ daysOfWeek: request.availableDays, availableStartTime: '08:00:00', availableEndTime: '17:00:00' }]);
    const organization = await t.http.get(`${FHIR_BASE}/${role.organization?.reference}`);
    expect(organization.body).toMatchObject({ resourceType: 'Organization', name: request.organizationName });
    const location = await t.http.get(`${FHIR_BASE}/${role.location?.[0]?.reference}`);
    expect(location.body).toMatchObject({ resourceType: 'Location', name: request.locationName });
  });

  test('a name that already exists is reused, not created again', async () => {
    const first = await t.http.post(ROLES).send(fullRequest(await newPractitioner()));
    const second = await t.http
      .post(ROLES)
      .send({ ...fullRequest(await newPractitioner()), organizationName: first.body.data.organizationName, locationName: first.body.data.locationName });
    const [a, b] = await Promise.all(
      [first, second].map(async (r) => (await t.http.get(`${FHIR_BASE}/PractitionerRole/${r.body.data.id}`)).body as PractitionerRole),
    );
    expect(b?.organization?.reference).toBe(a?.organization?.reference);
    expect(b?.location?.[0]?.reference).toBe(a?.location?.[0]?.reference);
  });

  test('names with search-syntax characters (commas, pipes, dollars, backslashes) are matched literally', async () => {
    const name = unique('Smith, Jones | Partners $ \\ Co');
    const ids = [];
    for (let i = 0; i < 2; i++) {
      const res = await t.http.post(ROLES).send({ practitionerId: await newPractitioner(), role: 'nurse', organizationName: name });
      expect(res.status).toBe(201);
      expect(res.body.data.organizationName).toBe(name);
      ids.push(((await t.http.get(`${FHIR_BASE}/PractitionerRole/${res.body.data.id}`)).body as PractitionerRole).organization?.reference);
    }
    expect(ids[1]).toBe(ids[0]);
  });

  test('concurrent requests naming the same new organization create exactly one Organization', async () => {
    const practitionerId = await newPractitioner();
    const organizationName = unique('Concurrent Clinic');
    const locationName = unique('Concurrent Site');
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.http.post(ROLES).send({ practitionerId, role: 'nurse', organizationName, locationName })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    const search = await t.http.get(`${FHIR_BASE}/Organization`).query({ 'name:exact': organizationName });
    expect(search.status).toBe(200);
    const organizations = (search.body as Bundle<Organization>).entry ?? [];
    expect(organizations).toHaveLength(1);
    const locations = await t.http.get(`${FHIR_BASE}/Location`).query({ 'name:exact': locationName });
    expect((locations.body as Bundle).entry).toHaveLength(1);
    const references = await Promise.all(
      results.map(async (r) => ((await t.http.get(`${FHIR_BASE}/PractitionerRole/${r.body.data.id}`)).body as PractitionerRole).organization?.reference),
    );
    expect(new Set(references)).toEqual(new Set([`Organization/${organizations[0]?.resource?.id}`]));
  });

  test.each([
    ['practitionerId is missing', { practitionerId: undefined, role: 'doctor' }, 'practitionerId'],
    ['role is missing', { practitionerId: 'x' }, 'role'],
    ['role is not one of the five', { practitionerId: 'x', role: 'surgeon' }, 'role'],
    ['organizationName is over 200 characters', { role: 'doctor', organizationName: 'o'.repeat(201) }, 'organizationName'],
    ['locationName is over 200 characters', { role: 'doctor', locationName: 'l'.repeat(201) }, 'locationName'],
    ['organizationName is blank', { role: 'doctor', organizationName: '   ' }, 'organizationName'],
    ['a day is not a day code', { role: 'doctor', availableDays: ['mon', 'monday'] }, 'availableDays[1]'],
    ['a day repeats', { role: 'doctor', availableDays: ['mon', 'mon'] }, 'availableDays'],
    ['a time is not HH:mm', { role: 'doctor', availableStartTime: '8:00' }, 'availableStartTime'],
    ['a time is past 23:59', { role: 'doctor', availableEndTime: '24:00' }, 'availableEndTime'],
    ['the window ends before it starts', { role: 'doctor', availableStartTime: '17:00', availableEndTime: '08:00' }, 'availableEndTime'],
    ['the window is empty', { role: 'doctor', availableStartTime: '09:00', availableEndTime: '09:00' }, 'availableEndTime'],
    ['email is not an email', { role: 'doctor', email: 'not-an-email' }, 'email'],
    ['specialty is not a list', { role: 'doctor', specialty: 'Cardiology' }, 'specialty'],
    ['a field is unknown', { role: 'doctor', npi: '1234567893' }, 'npi'],
  ])('400 naming the field when %s', async (_case, body, field) => {
    const res = await t.http.post(ROLES).send({ practitionerId: randomUUID(), ...body });
    const error = expectErrorEnvelope(res, 400);
    expect(error.code).toBe('validation_error');
    expect(error.message).toContain(field);
  });

  test('400 when the body is not a JSON object', async () => {
    expectErrorEnvelope(await t.http.post(ROLES).send(['doctor']), 400);
    const malformed = await t.http.post(ROLES).set('content-type', 'application/json').send('{"role": ');
    expect(expectErrorEnvelope(malformed, 400).code).toBe('invalid_json');
  });

  test('415 for a body that is not JSON', async () => {
    const res = await t.http.post(ROLES).set('content-type', 'text/plain').send('role=doctor');
    expect(expectErrorEnvelope(res, 415).code).toBe('unsupported_media_type');
  });

  test('413 for a body over the limit', async () => {
    const res = await t.http
      .post(ROLES)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ role: 'doctor', specialty: ['x'.repeat(2_000_000)] }));
    expectErrorEnvelope(res, 413);
  });

  test('404 naming practitionerId when no such Practitioner exists', async () => {
    const res = await t.http.post(ROLES).send({ practitionerId: randomUUID(), role: 'doctor', organizationName: unique('Never Created') });
    const error = expectErrorEnvelope(res, 404);
    expect(error.message).toContain('practitionerId');
    const orgs = await t.http.get(`${FHIR_BASE}/Organization`).query({ name: 'Never Created' });
    expect((orgs.body as Bundle).entry ?? []).toHaveLength(0);
  });

  test("404 for another tenant's or a deleted Practitioner", async () => {
    const other = await t.otherTenant();
    const foreign = await newPractitioner(other);
    expectErrorEnvelope(await t.http.post(ROLES).send({ practitionerId: foreign, role: 'doctor' }), 404);
    const deleted = await newPractitioner();
    expect((await t.http.delete(`${FHIR_BASE}/Practitioner/${deleted}`)).status).toBeLessThan(300);
    expectErrorEnvelope(await t.http.post(ROLES).send({ practitionerId: deleted, role: 'doctor' }), 404);
  });
});

describe('GET /v1/practitioner-roles/{id}', () => {
  test("returns exactly the POST's data", async () => {
    const created = await t.http.post(ROLES).send({ ...fullRequest(await newPractitioner()), phone: '+44 20 7946 0000' });
    const read = await t.http.get(`${ROLES}/${created.body.data.id}`);
    expect(read.status).toBe(200);
    expect(isCreated(read.body)).toBe(true);
    expect(read.body.data).toEqual(created.body.data);
    expect(read.body.meta.status).toBe(200);
  });

  test('shows the current names of the Organization and Location the role points at', async () => {
    const created = await t.http.post(ROLES).send(fullRequest(await newPractitioner()));
    const role = (await t.http.get(`${FHIR_BASE}/PractitionerRole/${created.body.data.id}`)).body as PractitionerRole;
    const orgUrl = `${FHIR_BASE}/${role.organization?.reference}`;
    const org = (await t.http.get(orgUrl)).body as Organization;
    const renamed = await t.http
      .put(orgUrl)
      .set('content-type', 'application/fhir+json')
      .send({ ...org, name: 'Renamed Group' });
    expect(renamed.status).toBe(200);
    const read = await t.http.get(`${ROLES}/${created.body.data.id}`);
    expect(read.body.data.organizationName).toBe('Renamed Group');
    expect(read.body.data.locationName).toBe(created.body.data.locationName);
  });

  test("404 in the envelope for an unknown, malformed or other tenant's id", async () => {
    expect(expectErrorEnvelope(await t.http.get(`${ROLES}/${randomUUID()}`), 404).code).toBe('not_found');
    expectErrorEnvelope(await t.http.get(`${ROLES}/not%20an%20id`), 404);
    const other = await t.otherTenant();
    const foreign = await other.http.post(ROLES).send({ practitionerId: await newPractitioner(other), role: 'nurse' });
    expect(foreign.status).toBe(201);
    expectErrorEnvelope(await t.http.get(`${ROLES}/${foreign.body.data.id}`), 404);
  });

  test('a PractitionerRole written through FHIR is a /v1 role only when it claims the v1 profile', async () => {
    const practitionerId = await newPractitioner();
    const role = {
      resourceType: 'PractitionerRole',
      practitioner: { reference: `Practitioner/${practitionerId}` },
      code: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/practitioner-role', code: 'nurse' }] }],
    };
    const post = (body: object) => t.http.post(`${FHIR_BASE}/PractitionerRole`).set('content-type', 'application/fhir+json').send(body);
    const plain = await post(role);
    expectErrorEnvelope(await t.http.get(`${ROLES}/${plain.body.id}`), 404);
    const claimed = await post({ ...role, meta: { profile: ['https://fhir-facade.dev/fhir/StructureDefinition/v1-practitioner-role'] } });
    expect(claimed.status).toBe(201);
    const read = await t.http.get(`${ROLES}/${claimed.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.data).toMatchObject({ id: claimed.body.id, practitionerId, role: 'nurse', organizationName: null, availableDays: [] });
  });

  test('unknown routes and methods under the prefix answer 404 in the envelope', async () => {
    expectErrorEnvelope(await t.http.get(`${ROLES}/a/b`), 404);
    expectErrorEnvelope(await t.http.delete(`${ROLES}/${randomUUID()}`), 404);
    expectErrorEnvelope(await t.http.get(ROLES), 404);
  });
});

test('FHIR search finds the role by practitioner, with its availableTime', async () => {
  const request = fullRequest(await newPractitioner());
  const created = await t.http.post(ROLES).send(request);
  const res = await t.http.get(`${FHIR_BASE}/PractitionerRole`).query({ practitioner: `Practitioner/${request.practitionerId}` });
  expect(res.status).toBe(200);
  const roles = ((res.body as Bundle<PractitionerRole>).entry ?? []).map((e) => e.resource);
  expect(roles.map((r) => r?.id)).toEqual([created.body.data.id]);
  expect(roles[0]?.availableTime).toEqual([{ daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'], availableStartTime: '08:00:00', availableEndTime: '17:00:00' }]);
});
