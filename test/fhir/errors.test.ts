import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

function expectOutcome(res: { status: number; body: { resourceType?: string; issue?: unknown[] }; text: string }, status: number): void {
  expect(res.status).toBe(status);
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(res.body.issue?.length).toBeGreaterThan(0);
  expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
}

describe('every failure under /fhir is an OperationOutcome with a 4xx', () => {
  test('an XML body answers 415 saying XML is not supported', async () => {
    const res = await t.http.post(`${FHIR_BASE}/Patient`).set('content-type', 'application/fhir+xml').send('<Patient xmlns="http://hl7.org/fhir"/>');
    expectOutcome(res, 415);
    expect(res.body.issue[0].details.text).toMatch(/XML is not supported/);
  });

  test('asking only for XML answers 406, by Accept or by _format', async () => {
    expectOutcome(await t.http.get(`${FHIR_BASE}/metadata`).set('accept', 'application/fhir+xml'), 406);
    expectOutcome(await t.http.get(`${FHIR_BASE}/Patient/x?_format=xml`), 406);
  });

  test('a body over the limit answers 413', async () => {
    const huge = JSON.stringify({ resourceType: 'Patient', text: { status: 'generated', div: 'x'.repeat(1_200_000) } });
    expectOutcome(await t.http.post(`${FHIR_BASE}/Patient`).set('content-type', 'application/fhir+json').send(huge), 413);
  });

  test('an unknown resource type answers 404 naming the type', async () => {
    const res = await t.http.get(`${FHIR_BASE}/Observation/1`);
    expectOutcome(res, 404);
    expect(res.body.issue[0].details.text).toMatch(/Observation/);
  });

  test('an unknown path under the FHIR base answers 404', async () => {
    expectOutcome(await t.http.get(`${FHIR_BASE}/Patient/1/_history/1/extra`), 404);
  });

  test('bodies that are not a resource object answer 400', async () => {
    for (const body of ['[]', '"text"', '42', 'null']) {
      const res = await t.http.post(`${FHIR_BASE}/Patient`).set('content-type', 'application/fhir+json').send(body);
      expectOutcome(res, 400);
    }
  });

  test('an invalid id in the URL answers 400 on update', async () => {
    const res = await t.http
      .put(`${FHIR_BASE}/Patient/${'x'.repeat(65)}`)
      .set('content-type', 'application/fhir+json')
      .send({ resourceType: 'Patient', id: 'x'.repeat(65) });
    expectOutcome(res, 400);
  });

  test('a malformed If-Match answers 400', async () => {
    const res = await t.http
      .put(`${FHIR_BASE}/Patient/abc`)
      .set('content-type', 'application/fhir+json')
      .set('if-match', 'W/""')
      .send({ resourceType: 'Patient', id: 'abc' });
    expectOutcome(res, 400);
  });

  test('a JSON Patch body that is not an array answers 400', async () => {
    const created = await t.http.post(`${FHIR_BASE}/Patient`).set('content-type', 'application/fhir+json').send({ resourceType: 'Patient' });
    const res = await t.http.patch(`${FHIR_BASE}/Patient/${created.body.id}`).set('content-type', 'application/json-patch+json').send({ op: 'replace' });
    expectOutcome(res, 400);
  });
});

describe('health', () => {
  test('/healthz answers while the process runs; /readyz once migrations are applied', async () => {
    expect((await t.http.get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await t.http.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
  });
});
