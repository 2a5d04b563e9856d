import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Bundle, OperationOutcome, Patient, Resource, ServiceRequest } from '@medplum/fhirtypes';
import type { Client as FhirKitClient } from 'fhir-kit-client' with { 'resolution-mode': 'import' };
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

// fhir-kit-client 2.x is ESM-only: a dynamic import, kept as-is by the SWC transform
// (ignoreDynamic) and loaded natively under `node --experimental-vm-modules`.
let client: FhirKitClient;
let httpFor: typeof FhirKitClient.httpFor;
let t: TestApp;
let server: Server;

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { Client } = await import('fhir-kit-client');
  client = new Client({
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}${FHIR_BASE}`,
    customHeaders: { authorization: `Bearer ${t.apiKey}` },
  });
  httpFor = Client.httpFor;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

/** The HTTP status and OperationOutcome of a request the client rejected. */
async function failure(request: Promise<unknown>): Promise<{ status: number; outcome: OperationOutcome }> {
  const err = (await request.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (e: unknown) => e,
  )) as { response?: { status: number; data: OperationOutcome } };
  if (!err.response) throw err;
  return { status: err.response.status, outcome: err.response.data };
}

const newPatient = (family = `Kit-${randomUUID()}`): Patient => ({ resourceType: 'Patient', name: [{ family, given: ['Ada'] }], gender: 'female' });
const createPatient = async (family?: string) =>
  (await client.create({ resourceType: 'Patient', body: newPatient(family) as never })) as unknown as Patient & { id: string };

test('capabilityStatement() reads the CapabilityStatement', async () => {
  const statement = await client.capabilityStatement();
  expect(statement).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });
});

test('create answers the stored resource with a server id, version 1 and a Location', async () => {
  const patient = await createPatient();
  expect(patient.id).toMatch(/^[0-9a-f-]{36}$/);
  expect(patient.meta?.versionId).toBe('1');
  expect(httpFor(patient as never).response?.status).toBe(201);
  expect(httpFor(patient as never).response?.headers.get('location')).toContain(`/Patient/${patient.id}/_history/1`);
});

test('read and vread return the stored versions', async () => {
  const patient = await createPatient();
  const read = await client.read({ resourceType: 'Patient', id: patient.id });
  expect(read).toEqual(patient);
  expect(httpFor(read).response?.headers.get('etag')).toBe('W/"1"');
  await client.update({ resourceType: 'Patient', id: patient.id, body: { ...patient, gender: 'other' } as never });
  expect(await client.vread({ resourceType: 'Patient', id: patient.id, version: '1' })).toEqual(patient);
  expect(await client.vread({ resourceType: 'Patient', id: patient.id, version: '2' })).toMatchObject({ gender: 'other', meta: { versionId: '2' } });
});

test('update replaces the resource and bumps the version', async () => {
  const patient = await createPatient();
  const updated = await client.update({ resourceType: 'Patient', id: patient.id, body: { ...patient, birthDate: '1815-12-10' } as never });
  expect(updated).toMatchObject({ id: patient.id, birthDate: '1815-12-10', meta: { versionId: '2' } });
});

test('update with a stale If-Match is surfaced as a 412', async () => {
  const patient = await createPatient();
  await client.update({ resourceType: 'Patient', id: patient.id, body: patient as never });
  const stale = client.update({ resourceType: 'Patient', id: patient.id, body: patient as never, options: { headers: { 'if-match': 'W/"1"' } } });
  expect((await failure(stale)).status).toBe(412);
});

test('patch applies a JSON Patch', async () => {
  const patient = await createPatient();
  const patched = await client.patch({
    resourceType: 'Patient',
    id: patient.id,
    jsonPatch: [
      { op: 'replace', path: '/gender', value: 'male' },
      { op: 'add', path: '/active', value: true },
    ],
  });
  expect(patched).toMatchObject({ gender: 'male', active: true, meta: { versionId: '2' } });
  expect(await client.read({ resourceType: 'Patient', id: patient.id })).toMatchObject({ gender: 'male', active: true });
});

test('a patch that makes the resource invalid is surfaced as a 422 naming the element', async () => {
  const patient = await createPatient();
  const { status, outcome } = await failure(
    client.patch({ resourceType: 'Patient', id: patient.id, jsonPatch: [{ op: 'add', path: '/birthDate', value: '1990-02-30T' }] }),
  );
  expect(status).toBe(422);
  expect(outcome.issue?.flatMap((i) => i.expression ?? [])).toContain('Patient.birthDate');
});

test('delete, then read is surfaced by the client as a 410', async () => {
  const patient = await createPatient();
  await client.delete({ resourceType: 'Patient', id: patient.id });
  const { status, outcome } = await failure(client.read({ resourceType: 'Patient', id: patient.id }));
  expect(status).toBe(410);
  expect(outcome).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'deleted' }] });
});

test('read of an unknown id is surfaced as a 404', async () => {
  expect((await failure(client.read({ resourceType: 'Patient', id: randomUUID() }))).status).toBe(404);
});

test('history lists every version, newest first, the deletion included', async () => {
  const patient = await createPatient();
  await client.update({ resourceType: 'Patient', id: patient.id, body: { ...patient, active: false } as never });
  await client.delete({ resourceType: 'Patient', id: patient.id });
  const history = (await client.history({ resourceType: 'Patient', id: patient.id })) as unknown as Bundle;
  expect(history).toMatchObject({ resourceType: 'Bundle', type: 'history', total: 3 });
  expect(history.entry?.map((e) => [e.request?.method, e.response?.etag])).toEqual([
    ['DELETE', 'W/"3"'],
    ['PUT', 'W/"2"'],
    ['POST', 'W/"1"'],
  ]);
});

test('search pages with nextPage until the last page', async () => {
  const family = `Paged-${randomUUID()}`;
  const created = await Promise.all([1, 2, 3, 4, 5].map(() => createPatient(family)));
  const ids: string[] = [];
  let page = (await client.search({ resourceType: 'Patient', searchParams: { family, _count: 2 } })) as unknown as Bundle | undefined;
  let pages = 0;
  while (page) {
    pages++;
    expect(page.type).toBe('searchset');
    ids.push(...(page.entry ?? []).map((e) => e.resource?.id ?? ''));
    page = (await client.nextPage({ bundle: page as never })) as unknown as Bundle | undefined;
  }
  expect(pages).toBe(3);
  expect(ids.sort()).toEqual(created.map((p) => p.id).sort());
});

test('search by POST _search finds the same resources', async () => {
  const family = `Posted-${randomUUID()}`;
  const patient = await createPatient(family);
  const bundle = (await client.search({ resourceType: 'Patient', searchParams: { family }, options: { postSearch: true } })) as unknown as Bundle;
  expect(bundle.entry?.map((e) => e.resource?.id)).toEqual([patient.id]);
});

test('a transaction creates resources that reference each other by urn:uuid', async () => {
  const patientUrn = `urn:uuid:${randomUUID()}`;
  const order: ServiceRequest = {
    resourceType: 'ServiceRequest',
    status: 'active',
    intent: 'order',
    code: { text: 'TSH' },
    subject: { reference: patientUrn },
  };
  const body: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: patientUrn, resource: newPatient(), request: { method: 'POST', url: 'Patient' } },
      { resource: order, request: { method: 'POST', url: 'ServiceRequest' } },
    ],
  };
  const response = (await client.transaction({ body: body as never })) as unknown as Bundle;
  expect(response.type).toBe('transaction-response');
  expect(response.entry?.map((e) => e.response?.status.slice(0, 3))).toEqual(['201', '201']);
  const [patientId, orderId] = (response.entry ?? []).map((e) => /^(?:.*\/)?(?:Patient|ServiceRequest)\/([^/]+)/.exec(e.response?.location ?? '')?.[1]);
  const stored = (await client.read({ resourceType: 'ServiceRequest', id: orderId ?? '' })) as unknown as Resource & ServiceRequest;
  expect(stored.subject?.reference).toBe(`Patient/${patientId}`);
});

test('a transaction with an invalid entry is refused whole: nothing of it is stored', async () => {
  const family = `Atomic-${randomUUID()}`;
  const body: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { resource: newPatient(family), request: { method: 'POST', url: 'Patient' } },
      { resource: { ...newPatient(family), birthDate: 'not a date' }, request: { method: 'POST', url: 'Patient' } },
    ],
  };
  const { status, outcome } = await failure(client.transaction({ body: body as never }));
  expect(status).toBe(422);
  expect(outcome.resourceType).toBe('OperationOutcome');
  const found = (await client.search({ resourceType: 'Patient', searchParams: { family } })) as unknown as Bundle;
  expect(found.entry ?? []).toEqual([]);
});

test('a batch answers each entry on its own', async () => {
  const body: Bundle = {
    resourceType: 'Bundle',
    type: 'batch',
    entry: [{ resource: newPatient(), request: { method: 'POST', url: 'Patient' } }, { request: { method: 'GET', url: `Patient/${randomUUID()}` } }],
  };
  const response = (await client.batch({ body: body as never })) as unknown as Bundle;
  expect(response.type).toBe('batch-response');
  expect(response.entry?.map((e) => e.response?.status.slice(0, 3))).toEqual(['201', '404']);
});
