import type { Bundle, Practitioner } from '@medplum/fhirtypes';
import { EXT, PROFILE, SYSTEM } from '../../mappings/fhir-urls';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';
import { expectDocumented } from '../helpers/schema-assert';
import { physicianBody } from './physicians-fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function register(overrides: Record<string, unknown> = {}) {
  const body = physicianBody({ license_state: 'NY', state_license: '298765', clep_permit_number: 'CLEP-1', ...overrides });
  const res = await t.http.post('/v1/physicians').send(body);
  expectDocumented(res, 'physicians');
  expect(res.status).toBe(201);
  return { body, id: res.body.id as string };
}

async function getV1(id: string) {
  const res = await t.http.get(`/v1/physicians/${id}`);
  expectDocumented(res, 'physicians');
  expect(res.status).toBe(200);
  return res.body;
}

test('a /v1 physician is the FHIR Practitioner: NPI identifier, licence and CLEP qualifications, email', async () => {
  const { body, id } = await register();
  const res = await t.http.get(`${FHIR_BASE}/Practitioner/${id}`);
  expect(res.status).toBe(200);
  const practitioner = res.body as Practitioner;
  expect(practitioner.meta?.profile).toEqual([PROFILE.v1Physician]);
  expect(practitioner.identifier).toEqual([{ system: SYSTEM.npi, value: body.npi }]);
  expect(practitioner.telecom).toEqual([{ system: 'email', value: body.email }]);
  expect(practitioner.name?.[0]).toMatchObject({ text: 'Dr Sarah Johnson', prefix: ['Dr'], given: ['Sarah'], family: 'Johnson' });
  const [license, clep] = practitioner.qualification ?? [];
  expect(license?.extension).toEqual([{ url: EXT.licenseState, valueCode: 'NY' }]);
  expect(license?.identifier).toEqual([{ system: SYSTEM.stateLicense, value: body.state_license }]);
  expect(clep?.identifier).toEqual([{ system: SYSTEM.clepPermit, value: 'CLEP-1' }]);
});

test('FHIR search by NPI identifier finds the /v1 physician', async () => {
  const { body, id } = await register();
  await register();
  const res = await t.http.get(`${FHIR_BASE}/Practitioner`).query({ identifier: `${SYSTEM.npi}|${body.npi}` });
  expect(res.status).toBe(200);
  const bundle = res.body as Bundle<Practitioner>;
  expect(bundle.entry?.map((e) => e.resource?.id)).toEqual([id]);
});

test('Practitioner.active=false set through FHIR PATCH reads as status inactive', async () => {
  const { id } = await register();
  expect((await getV1(id)).status).toBe('active');
  const patch = await t.http
    .patch(`${FHIR_BASE}/Practitioner/${id}`)
    .set('content-type', 'application/json-patch+json')
    .send(JSON.stringify([{ op: 'replace', path: '/active', value: false }]));
  expect(patch.status).toBe(200);
  expect((await getV1(id)).status).toBe('inactive');
});

test('a NY physician becomes active once a FHIR PUT adds the CLEP permit', async () => {
  const { id } = await register({ clep_permit_number: undefined });
  const before = await getV1(id);
  expect(before.status).toBe('pending');
  const practitioner = (await t.http.get(`${FHIR_BASE}/Practitioner/${id}`)).body as Practitioner;
  const clep = { identifier: [{ system: SYSTEM.clepPermit, value: 'CLEP-77' }], code: { coding: [{ system: SYSTEM.qualificationType, code: 'clep-permit' }] } };
  const put = await t.http
    .put(`${FHIR_BASE}/Practitioner/${id}`)
    .set('content-type', 'application/fhir+json')
    .send({ ...practitioner, qualification: [...(practitioner.qualification ?? []), clep] });
  expect(put.status).toBe(200);
  expect(await getV1(id)).toEqual({ ...before, clep_permit_number: 'CLEP-77', status: 'active' });
});

test('the physician duplicate rule holds for FHIR writes: 409 for a Practitioner with a taken NPI and state', async () => {
  const { id } = await register();
  const practitioner = (await t.http.get(`${FHIR_BASE}/Practitioner/${id}`)).body as Practitioner;
  const { id: _id, meta: _meta, ...copy } = practitioner;
  const res = await t.http.post(`${FHIR_BASE}/Practitioner`).set('content-type', 'application/fhir+json').send(copy);
  expect(res.status).toBe(409);
});
