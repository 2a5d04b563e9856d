import { randomUUID } from 'node:crypto';
import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const post = (resource: Resource) => t.http.post(`${FHIR_BASE}/${resource.resourceType}`).set('content-type', 'application/fhir+json').send(resource);

function expressions(body: OperationOutcome): string[] {
  return body.issue?.flatMap((i) => i.expression ?? []) ?? [];
}

async function expectRejected(resource: Resource, ...expected: string[]): Promise<OperationOutcome> {
  const res = await post(resource);
  expect(res.status).toBe(422);
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(expressions(res.body)).toEqual(expect.arrayContaining(expected));
  return res.body as OperationOutcome;
}

const family = () => `Binding-${randomUUID()}`;

test('POST a Patient with gender "x" answers 422 naming Patient.gender and the value set', async () => {
  const outcome = await expectRejected({ resourceType: 'Patient', name: [{ family: family() }], gender: 'x' } as unknown as Resource, 'Patient.gender');
  expect(outcome.issue?.[0]?.details?.text).toContain('administrative-gender');
});

test('POST a ServiceRequest with an unknown status and intent answers 422 naming each', async () => {
  const order = { resourceType: 'ServiceRequest', status: 'pending', intent: 'orders', subject: { reference: 'Patient/1' } } as unknown as Resource;
  await expectRejected(order, 'ServiceRequest.status', 'ServiceRequest.intent');
});

test('a bad telecom system answers 422 with the index of the contact point', async () => {
  const telecom = [
    { system: 'phone', value: '555-0100' },
    { system: 'pager2', value: '555-0101' },
  ];
  await expectRejected({ resourceType: 'Practitioner', telecom } as unknown as Resource, 'Practitioner.telecom[1].system');
});

test('a bad name use on update answers 422 and stores nothing', async () => {
  const id = randomUUID();
  const res = await t.http
    .put(`${FHIR_BASE}/Patient/${id}`)
    .set('content-type', 'application/fhir+json')
    .send({ resourceType: 'Patient', id, name: [{ use: 'nick', family: family() }] });
  expect(res.status).toBe(422);
  expect(expressions(res.body)).toEqual(['Patient.name[0].use']);
  expect((await t.http.get(`${FHIR_BASE}/Patient/${id}`)).status).toBe(404);
});

test('$validate reports the same binding failure', async () => {
  const res = await t.http.post(`${FHIR_BASE}/Patient/$validate`).set('content-type', 'application/fhir+json').send({ resourceType: 'Patient', gender: 'x' });
  expect(res.status).toBe(422);
  expect(expressions(res.body)).toEqual(['Patient.gender']);
});

test('valid codes are accepted', async () => {
  const patient: Resource = {
    resourceType: 'Patient',
    gender: 'other',
    name: [{ use: 'nickname', family: family() }],
    telecom: [{ system: 'pager', value: '555-0102', use: 'work' }],
  };
  const created = await post(patient);
  expect(created.status).toBe(201);
  const order: Resource = { resourceType: 'ServiceRequest', status: 'active', intent: 'original-order', subject: { reference: `Patient/${created.body.id}` } };
  expect((await post(order)).status).toBe(201);
});
