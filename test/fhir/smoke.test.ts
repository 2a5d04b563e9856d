import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

test('create then read a Patient', async () => {
  const created = await t.http
    .post(`${FHIR_BASE}/Patient`)
    .set('content-type', 'application/fhir+json')
    .send({ resourceType: 'Patient', name: [{ family: 'Smoke' }] });
  expect(created.status).toBe(201);
  const read = await t.http.get(`${FHIR_BASE}/Patient/${created.body.id}`);
  expect(read.status).toBe(200);
  expect(read.body.name[0].family).toBe('Smoke');
});
