import { randomUUID } from 'node:crypto';
import type { Extension, Patient } from '@medplum/fhirtypes';
import { EXT, PROFILE, SYSTEM } from '../../mappings/fhir-urls';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';
import { expectDocumented } from '../helpers/schema-assert';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const FHIR_JSON = 'application/fhir+json';

async function createV1(overrides: Record<string, unknown> = {}) {
  const body = {
    brand_id: `brand_${randomUUID()}`,
    first_name: 'Ada',
    last_name: 'Lovelace',
    email: `ada.${randomUUID()}@example.com`,
    phone: '+1-555-0100',
    external_ids: { shopify: `cus_${randomUUID()}` },
    ...overrides,
  };
  const res = await t.http.post('/v1/patients').send(body);
  expectDocumented(res, 'patients');
  expect(res.status).toBe(201);
  return { body, created: res.body as { id: string; created_at: string; updated_at: string } };
}

async function getV1(id: string) {
  const res = await t.http.get(`/v1/patients/${id}`);
  expectDocumented(res, 'patients');
  expect(res.status).toBe(200);
  return res.body;
}

async function putFhir(patient: Patient) {
  return t.http.put(`${FHIR_BASE}/Patient/${patient.id}`).set('content-type', FHIR_JSON).send(patient);
}

test('a /v1 patient is the FHIR Patient: brand extension, external_ids identifiers, telecom, profile', async () => {
  const { body, created } = await createV1();
  const res = await t.http.get(`${FHIR_BASE}/Patient/${created.id}`);
  expect(res.status).toBe(200);
  const patient = res.body as Patient;
  expect(patient.meta?.profile).toEqual([PROFILE.v1Patient]);
  expect(patient.extension).toContainEqual({ url: EXT.brandId, valueString: body.brand_id });
  expect(patient.identifier).toEqual([{ system: `${SYSTEM.externalIdPrefix}shopify`, value: body.external_ids.shopify }]);
  expect(patient.telecom).toEqual([
    { system: 'email', value: body.email },
    { system: 'phone', value: body.phone },
  ]);
  expect(patient.name?.[0]).toMatchObject({ family: 'Lovelace', given: ['Ada'] });
});

test('the patient-graph fields are null on create and set through a FHIR PUT of their extensions', async () => {
  const { created } = await createV1();
  const fhir = (await t.http.get(`${FHIR_BASE}/Patient/${created.id}`)).body as Patient;
  const graph: Extension[] = [
    { url: EXT.ageVerifiedAt, valueDateTime: '2025-03-01T10:15:00Z' },
    { url: EXT.ruoPathwayAcknowledgedAt, valueDateTime: '2025-03-02T11:00:00.000Z' },
    { url: EXT.researcherAcknowledgementId, valueString: 'ra_123' },
    { url: EXT.prescriptionStatus, valueString: 'approved' },
    { url: EXT.prescriptionConsultCompletedAt, valueDateTime: '2025-03-03T09:30:00+02:00' },
  ];
  const put = await putFhir({ ...fhir, extension: [...(fhir.extension ?? []), ...graph] });
  expect(put.status).toBe(200);

  const v1 = await getV1(created.id);
  expect(v1).toMatchObject({
    age_verified_at: '2025-03-01T10:15:00Z',
    ruo_pathway_acknowledged_at: '2025-03-02T11:00:00.000Z',
    researcher_acknowledgement_id: 'ra_123',
    prescription_status: 'approved',
    prescription_consult_completed_at: '2025-03-03T09:30:00+02:00',
    created_at: created.created_at,
  });
  expect(v1.updated_at).toBe(put.body.meta.lastUpdated);
  expect(v1.updated_at > created.updated_at).toBe(true);
});

test('a FHIR PUT that breaks the v1 profile (no brand) is rejected and the /v1 patient is unchanged', async () => {
  const { created } = await createV1();
  const before = await getV1(created.id);
  const fhir = (await t.http.get(`${FHIR_BASE}/Patient/${created.id}`)).body as Patient;
  const put = await putFhir({ ...fhir, extension: fhir.extension?.filter((e) => e.url !== EXT.brandId) });
  expect(put.status).toBe(422);
  expect(await getV1(created.id)).toEqual(before);
});

test('Patient.active=false reads as status inactive', async () => {
  const { created } = await createV1();
  const patch = await t.http
    .patch(`${FHIR_BASE}/Patient/${created.id}`)
    .set('content-type', 'application/json-patch+json')
    .send(JSON.stringify([{ op: 'replace', path: '/active', value: false }]));
  expect(patch.status).toBe(200);
  expect((await getV1(created.id)).status).toBe('inactive');
});

test('a FHIR client can create a /v1 patient by claiming the profile', async () => {
  const brand = `brand_${randomUUID()}`;
  const res = await t.http
    .post(`${FHIR_BASE}/Patient`)
    .set('content-type', FHIR_JSON)
    .send({
      resourceType: 'Patient',
      meta: { profile: [PROFILE.v1Patient] },
      extension: [{ url: EXT.brandId, valueString: brand }],
      name: [{ family: 'Hopper', given: ['Grace'] }],
    });
  expect(res.status).toBe(201);
  expect(await getV1(res.body.id)).toMatchObject({ id: res.body.id, brand_id: brand, first_name: 'Grace', last_name: 'Hopper', status: 'active' });
});

test('the /v1 duplicate rule holds for FHIR writes too: 409 on a Patient reusing a brand email', async () => {
  const { body } = await createV1();
  const res = await t.http
    .post(`${FHIR_BASE}/Patient`)
    .set('content-type', FHIR_JSON)
    .send({ resourceType: 'Patient', extension: [{ url: EXT.brandId, valueString: body.brand_id }], telecom: [{ system: 'email', value: body.email }] });
  expect(res.status).toBe(409);
});
