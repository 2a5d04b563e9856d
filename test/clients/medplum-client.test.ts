import { randomUUID } from 'node:crypto';
import { MedplumClient, OperationOutcomeError, normalizeErrorString } from '@medplum/core';
import type { Bundle, BundleEntry, Patient, Practitioner } from '@medplum/fhirtypes';
import { startTestApp, type TestApp } from '../helpers/test-app';

// MedplumClient as an integrator uses it: its default FHIR path style, an API key as its
// access token, Node's own fetch, over a real socket.
let t: TestApp;
let medplum: MedplumClient;
/** The status of each response the client received: MedplumClient itself keeps only the outcome. */
const statuses: number[] = [];
const lastStatus = (): number | undefined => statuses.at(-1);
const recordingFetch = async (url: string, init?: RequestInit): Promise<Response> => {
  const response = await globalThis.fetch(url, init);
  statuses.push(response.status);
  return response;
};
const clientFor = (baseUrl: string): MedplumClient => new MedplumClient({ baseUrl, fhirUrlPath: 'fhir/R4', fetch: recordingFetch, cacheTime: 0 });

beforeAll(async () => {
  t = await startTestApp();
  const baseUrl = await t.listen();
  medplum = clientFor(`${baseUrl}/`);
  medplum.setAccessToken(t.apiKey);
});
afterAll(() => t.close());

const newPatient = (family = `Medplum-${randomUUID()}`): Patient => ({ resourceType: 'Patient', name: [{ family, given: ['Ada'] }], gender: 'female' });

/** The error a failed call rejects with, so its status and outcome can be checked. */
async function failure(call: Promise<unknown>): Promise<OperationOutcomeError> {
  const err = await call.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  if (!(err instanceof OperationOutcomeError)) throw err;
  return err;
}

test('createResource stores the resource and answers it with a server id and version 1', async () => {
  const patient = await medplum.createResource(newPatient());
  expect(lastStatus()).toBe(201);
  expect(patient.id).toMatch(/^[0-9a-f-]{36}$/);
  expect(patient.meta?.versionId).toBe('1');
  expect(patient.name?.[0]?.given).toEqual(['Ada']);
});

test('readResource and readVersion return what was stored', async () => {
  const patient = await medplum.createResource(newPatient());
  expect(await medplum.readResource('Patient', patient.id)).toEqual(patient);
  await medplum.updateResource({ ...patient, gender: 'other' });
  expect(await medplum.readVersion('Patient', patient.id, '1')).toEqual(patient);
  expect(await medplum.readVersion('Patient', patient.id, '2')).toMatchObject({ gender: 'other', meta: { versionId: '2' } });
});

test('updateResource replaces the resource and bumps the version', async () => {
  const patient = await medplum.createResource(newPatient());
  const updated = await medplum.updateResource({ ...patient, birthDate: '1815-12-10' });
  expect(updated).toMatchObject({ id: patient.id, birthDate: '1815-12-10', meta: { versionId: '2' } });
  expect(await medplum.readResource('Patient', patient.id)).toEqual(updated);
});

test('updateResource with a stale If-Match is rejected as a 412 outcome', async () => {
  const patient = await medplum.createResource(newPatient());
  await medplum.updateResource({ ...patient, gender: 'male' });
  const err = await failure(medplum.updateResource({ ...patient, gender: 'other' }, { headers: { 'if-match': 'W/"1"' } }));
  expect(lastStatus()).toBe(412);
  expect(err.outcome.issue?.[0]?.severity).toBe('error');
  expect((await medplum.readResource('Patient', patient.id)).gender).toBe('male');
});

test('patchResource applies a JSON Patch', async () => {
  const patient = await medplum.createResource(newPatient());
  const patched = await medplum.patchResource('Patient', patient.id, [
    { op: 'test', path: '/gender', value: 'female' },
    { op: 'replace', path: '/gender', value: 'unknown' },
    { op: 'add', path: '/birthDate', value: '1990-01-02' },
  ]);
  expect(patched).toMatchObject({ id: patient.id, gender: 'unknown', birthDate: '1990-01-02', meta: { versionId: '2' } });
});

test('a JSON Patch whose test fails changes nothing and is rejected', async () => {
  const patient = await medplum.createResource(newPatient());
  const err = await failure(medplum.patchResource('Patient', patient.id, [{ op: 'test', path: '/gender', value: 'male' }]));
  expect(lastStatus()).toBe(422);
  expect(normalizeErrorString(err)).not.toBe('');
  expect(await medplum.readResource('Patient', patient.id)).toEqual(patient);
});

test('deleteResource removes it: a read then fails as gone', async () => {
  const patient = await medplum.createResource(newPatient());
  await medplum.deleteResource('Patient', patient.id);
  const err = await failure(medplum.readResource('Patient', patient.id));
  expect(lastStatus()).toBe(410);
  expect(err.outcome.issue?.[0]?.severity).toBe('error');
});

test('searchResources finds by name; searchOne returns the single match', async () => {
  const family = `Search-${randomUUID()}`;
  const created = await medplum.createResource(newPatient(family));
  const found = await medplum.searchResources('Patient', { family });
  expect(found.map((p) => p.id)).toEqual([created.id]);
  expect(found.bundle.type).toBe('searchset');
  expect((await medplum.searchOne('Patient', `family=${family}`))?.id).toBe(created.id);
});

test('searchResourcePages follows the next links through every page', async () => {
  const family = `Paged-${randomUUID()}`;
  const ids: string[] = [];
  for (let i = 0; i < 7; i += 1) ids.push((await medplum.createResource(newPatient(family))).id);
  const pages: string[][] = [];
  for await (const page of medplum.searchResourcePages('Patient', { family, _count: '3', _sort: '_lastUpdated' })) pages.push(page.map((p) => p.id));
  expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
  expect(pages.flat()).toEqual(ids);
});

test('search with _total=accurate counts every match', async () => {
  const family = `Counted-${randomUUID()}`;
  for (let i = 0; i < 4; i += 1) await medplum.createResource(newPatient(family));
  const bundle = await medplum.search('Patient', { family, _count: '2', _total: 'accurate' });
  expect(bundle.total).toBe(4);
  expect(bundle.entry).toHaveLength(2);
  expect(bundle.link?.some((l) => l.relation === 'next')).toBe(true);
});

test('readHistory lists every version, newest first', async () => {
  const patient = await medplum.createResource(newPatient());
  await medplum.updateResource({ ...patient, gender: 'male' });
  await medplum.updateResource({ ...patient, gender: 'other' });
  const history = await medplum.readHistory('Patient', patient.id);
  expect(history.type).toBe('history');
  expect(history.entry?.map((e) => e.resource?.meta?.versionId)).toEqual(['3', '2', '1']);
});

test('executeBatch runs a transaction whose entries reference each other by urn:uuid', async () => {
  const patientUrn = `urn:uuid:${randomUUID()}`;
  const family = `Tx-${randomUUID()}`;
  const transaction: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: patientUrn, resource: newPatient(family), request: { method: 'POST', url: 'Patient' } },
      {
        resource: {
          resourceType: 'ServiceRequest',
          status: 'draft',
          intent: 'plan',
          subject: { reference: patientUrn },
          code: { text: 'a note for the chart' },
        },
        request: { method: 'POST', url: 'ServiceRequest' },
      },
    ],
  };
  const response = await medplum.executeBatch(transaction);
  expect(response.type).toBe('transaction-response');
  expect(response.entry?.map((e: BundleEntry) => e.response?.status.slice(0, 3))).toEqual(['201', '201']);
  const patient = await medplum.searchOne('Patient', { family });
  const request = await medplum.searchOne('ServiceRequest', { subject: `Patient/${patient?.id}` });
  expect(request?.subject?.reference).toBe(`Patient/${patient?.id}`);
});

test('a transaction with one bad entry stores none of them', async () => {
  const family = `TxFail-${randomUUID()}`;
  const err = await failure(
    medplum.executeBatch({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: newPatient(family), request: { method: 'POST', url: 'Patient' } },
        { resource: { ...newPatient(family), gender: 'not-a-gender' as Patient['gender'] }, request: { method: 'POST', url: 'Patient' } },
      ],
    }),
  );
  expect(lastStatus()).toBe(422);
  expect(err.outcome.issue?.length).toBeGreaterThan(0);
  expect(await medplum.searchResources('Patient', { family })).toHaveLength(0);
});

test('createResourceIfNoneExist creates once, then answers the existing resource', async () => {
  const npi = String(1_000_000_000 + Math.floor(Math.random() * 899_999_999));
  const practitioner: Practitioner = {
    resourceType: 'Practitioner',
    identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: npi }],
    name: [{ family: 'Conditional' }],
  };
  const query = `identifier=http://hl7.org/fhir/sid/us-npi|${npi}`;
  const first = await medplum.createResourceIfNoneExist(practitioner, query);
  expect(lastStatus()).toBe(201);
  const second = await medplum.createResourceIfNoneExist({ ...practitioner, name: [{ family: 'Ignored' }] }, query);
  expect(lastStatus()).toBe(200);
  expect(second.id).toBe(first.id);
  expect(second.name?.[0]?.family).toBe('Conditional');
  expect(await medplum.searchResources('Practitioner', query)).toHaveLength(1);
});

test('validateResource answers all OK for a valid resource and stores nothing', async () => {
  const family = `Validated-${randomUUID()}`;
  const outcome = await medplum.validateResource(newPatient(family));
  expect(outcome.resourceType).toBe('OperationOutcome');
  expect(outcome.issue?.every((i) => i.severity === 'information' || i.severity === 'warning')).toBe(true);
  expect(await medplum.searchResources('Patient', { family })).toHaveLength(0);
});

test('validateResource rejects an invalid resource with issues naming the element', async () => {
  const err = await failure(medplum.validateResource({ ...newPatient(), birthDate: 'not-a-date' }));
  expect(lastStatus()).toBe(422);
  expect(err.outcome.issue?.some((i) => i.severity === 'error' && JSON.stringify(i.expression ?? []).includes('birthDate'))).toBe(true);
});

test('without the API key every call is refused', async () => {
  const err = await failure(clientFor(medplum.getBaseUrl()).search('Patient'));
  expect(lastStatus()).toBe(401);
  expect(err.outcome.issue?.[0]?.severity).toBe('error');
});
