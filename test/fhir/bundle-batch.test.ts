import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const batch = (entry: BundleEntry[]): Bundle => ({ resourceType: 'Bundle', type: 'batch', entry });
const post = (body: Bundle) => t.http.post(FHIR_BASE).set('content-type', 'application/fhir+json').send(body);

test('a batch answers each entry on its own: one failure leaves the others committed', async () => {
  const existing = await t.http.post(`${FHIR_BASE}/Patient`).set('content-type', 'application/fhir+json').send({ resourceType: 'Patient' });
  const res = await post(
    batch([
      { resource: { resourceType: 'Patient', name: [{ family: 'First' }] }, request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'Patient', birthDate: 'not-a-date' }, request: { method: 'POST', url: 'Patient' } },
      { request: { method: 'GET', url: `Patient/${randomUUID()}` } },
      {
        resource: { resourceType: 'Patient', id: existing.body.id, active: true },
        request: { method: 'PUT', url: `Patient/${existing.body.id}`, ifMatch: 'W/"1"' },
      },
      { request: { method: 'GET', url: `Patient/${existing.body.id}` } },
    ]),
  );

  expect(res.status).toBe(200);
  expect(res.body.type).toBe('batch-response');
  const entries = res.body.entry as BundleEntry[];
  expect(entries.map((e) => e.response?.status)).toEqual(['201 Created', '422 Unprocessable Entity', '404 Not Found', '200 OK', '200 OK']);
  expect(entries[1]?.response?.outcome).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error' }] });
  expect(entries[1]?.resource).toBeUndefined();
  expect(entries[2]?.response?.outcome?.issue?.[0]?.code).toBe('not-found');
  // Batch entries run in Bundle order: the GET sees the PUT before it.
  expect(entries[4]?.resource).toMatchObject({ active: true, meta: { versionId: '2' } });

  const first = await t.http.get(`${FHIR_BASE}/Patient/${entries[0]?.resource?.id}`);
  expect(first.body.name[0].family).toBe('First');
});

test('a batch does not resolve urn:uuid references between its entries', async () => {
  const urn = `urn:uuid:${randomUUID()}`;
  const res = await post(
    batch([
      { fullUrl: urn, resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
      {
        resource: { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: urn } },
        request: { method: 'POST', url: 'ServiceRequest' },
      },
    ]),
  );
  expect(res.status).toBe(200);
  const [, request] = res.body.entry as BundleEntry[];
  const subject = (request?.resource as { subject?: { reference?: string } } | undefined)?.subject?.reference;
  expect(subject).not.toMatch(/^Patient\//);
});

test('a batch entry with a stale ifMatch fails alone with 412', async () => {
  const created = await t.http.post(`${FHIR_BASE}/Patient`).set('content-type', 'application/fhir+json').send({ resourceType: 'Patient' });
  const res = await post(
    batch([
      { request: { method: 'DELETE', url: `Patient/${created.body.id}`, ifMatch: 'W/"7"' } },
      { resource: { resourceType: 'Practitioner' }, request: { method: 'POST', url: 'Practitioner' } },
    ]),
  );
  expect(res.body.entry.map((e: BundleEntry) => e.response?.status)).toEqual(['412 Precondition Failed', '201 Created']);
  expect((await t.http.get(`${FHIR_BASE}/Patient/${created.body.id}`)).status).toBe(200);
});

test('an empty batch answers an empty batch-response', async () => {
  const res = await post({ resourceType: 'Bundle', type: 'batch' });
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ resourceType: 'Bundle', type: 'batch-response', entry: [] });
});
