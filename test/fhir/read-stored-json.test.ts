import type { Resource } from '@medplum/fhirtypes';
import type { StoredVersion } from '../../src/store/rows';
import { storedJsonOf } from '../../src/store/stored-json';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

/** What a hook on every access saw of the versions it was handed, while `watching`. */
const seen: Resource[] = [];
let watching = false;
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ hooks: [{ afterCommit: (_access, versions) => watching && versions.forEach((v) => seen.push(v.resource)) }] });
});
afterAll(() => t.close());

const storedText = async (table: 'resources' | 'resource_versions', id: string, versionId: number): Promise<string> => {
  const row = await t.knex(table).select(t.knex.raw('content::text AS content')).where({ tenant_id: t.tenantId, id, version_id: versionId }).first();
  return (row as { content: string }).content;
};

const createPatient = async (family: string): Promise<Resource & { id: string }> =>
  (
    await t.http
      .post(`${FHIR_BASE}/Patient`)
      .send({ resourceType: 'Patient', name: [{ family }] })
      .expect(201)
  ).body;

test('a read answers the resource as the database stores it, with the ETag and Last-Modified of its version', async () => {
  const patient = await createPatient('Storedtext');
  const read = await t.http.get(`${FHIR_BASE}/Patient/${patient.id}`).expect(200);
  expect(read.text).toBe(await storedText('resources', patient.id, 1));
  expect(read.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
  expect(read.headers.etag).toBe('W/"1"');
  expect(read.headers['last-modified']).toBe(new Date(patient.meta!.lastUpdated!).toUTCString());
  expect(read.body).toEqual(patient);
});

test('a vread answers each version as stored', async () => {
  const patient = await createPatient('Versioned');
  await t.http
    .put(`${FHIR_BASE}/Patient/${patient.id}`)
    .send({ resourceType: 'Patient', id: patient.id, name: [{ family: 'Versioned-2' }] })
    .expect(200);
  for (const versionId of [1, 2]) {
    const vread = await t.http.get(`${FHIR_BASE}/Patient/${patient.id}/_history/${versionId}`).expect(200);
    expect(vread.text).toBe(await storedText('resource_versions', patient.id, versionId));
    expect(vread.headers.etag).toBe(`W/"${versionId}"`);
  }
});

test('a read whose If-None-Match names the current version answers 304 without a body', async () => {
  const patient = await createPatient('Unchanged');
  const res = await t.http.get(`${FHIR_BASE}/Patient/${patient.id}`).set('if-none-match', 'W/"1"');
  expect(res.status).toBe(304);
  expect(res.text).toBe('');
});

test('hooks that look at a read version see its resource, and the answer is the same', async () => {
  const patient = await createPatient('Hooked');
  watching = true;
  const read = await t.http.get(`${FHIR_BASE}/Patient/${patient.id}`).expect(200);
  watching = false;
  expect(seen).toEqual([patient]);
  expect(read.body).toEqual(patient);
});

test('the stored text stands for a version only until its resource is handed out', async () => {
  const patient = await createPatient('Handedout');
  const version: StoredVersion = await t.service().read('Patient', patient.id);
  expect(storedJsonOf(version)).toBe(await storedText('resources', patient.id, 1));
  expect(version.resource).toEqual(patient);
  expect(storedJsonOf(version)).toBeUndefined();
  expect({ ...version }.resource).toEqual(patient);
});
