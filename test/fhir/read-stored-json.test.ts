import type { Bundle, Resource } from '@medplum/fhirtypes';
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

/** A version's text as stored: the current version in `resources`, the ones before it in `resource_versions`. */
const storedText = async (id: string, versionId: number): Promise<string> => {
  const of = (table: string) => t.knex(table).select(t.knex.raw('content::text AS content')).where({ tenant_id: t.tenantId, id, version_id: versionId });
  const rows = (await of('resources').unionAll(of('resource_versions'), true)) as { content: string }[];
  expect(rows).toHaveLength(1);
  return rows[0]!.content;
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
  expect(read.text).toBe(await storedText(patient.id, 1));
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
    expect(vread.text).toBe(await storedText(patient.id, versionId));
    expect(vread.headers.etag).toBe(`W/"${versionId}"`);
  }
});

test('a read whose If-None-Match names the current version answers 304 without a body', async () => {
  const patient = await createPatient('Unchanged');
  const res = await t.http.get(`${FHIR_BASE}/Patient/${patient.id}`).set('if-none-match', 'W/"1"');
  expect(res.status).toBe(304);
  expect(res.text).toBe('');
});

test('If-Modified-Since answers 304 while the resource is unchanged, and the new version once it changed', async () => {
  const patient = await createPatient('Dated');
  const since = new Date(patient.meta!.lastUpdated!).toUTCString();
  const unchanged = await t.http.get(`${FHIR_BASE}/Patient/${patient.id}`).set('if-modified-since', since);
  expect(unchanged.status).toBe(304);
  expect(unchanged.headers['content-type']).toBeUndefined();
  await new Promise((resolve) => setTimeout(resolve, 1100)); // HTTP dates count whole seconds
  await t.http
    .put(`${FHIR_BASE}/Patient/${patient.id}`)
    .send({ resourceType: 'Patient', id: patient.id, name: [{ family: 'Dated-2' }] })
    .expect(200);
  const changed = await t.http.get(`${FHIR_BASE}/Patient/${patient.id}`).set('if-modified-since', since).expect(200);
  expect(changed.body.name[0].family).toBe('Dated-2');
  const stale = await t.http.get(`${FHIR_BASE}/Patient/${patient.id}`).set('if-none-match', 'W/"1"').expect(200);
  expect(stale.headers.etag).toBe('W/"2"');
});

test('a HEAD read answers the GET headers without a body; Content-Length counts bytes, not characters', async () => {
  const patient = await createPatient('Ångström-Øster');
  const get = await t.http.get(`${FHIR_BASE}/Patient/${patient.id}`).expect(200);
  expect(Number(get.headers['content-length'])).toBe(Buffer.byteLength(get.text));
  expect(Buffer.byteLength(get.text)).toBeGreaterThan(get.text.length);
  const head = await t.http.head(`${FHIR_BASE}/Patient/${patient.id}`).expect(200);
  expect(head.text).toBeUndefined();
  expect(head.headers['content-length']).toBe(get.headers['content-length']);
  expect(head.headers.etag).toBe('W/"1"');
  expect(head.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
});

test('a search or history answer carries no ETag: ETags name versions', async () => {
  const patient = await createPatient('Untagged');
  const search = await t.http.get(`${FHIR_BASE}/Patient?_id=${patient.id}`).expect(200);
  expect(search.body.total).toBe(1);
  expect(search.headers.etag).toBeUndefined();
  const history = await t.http.get(`${FHIR_BASE}/Patient/${patient.id}/_history`).expect(200);
  expect(history.body.total).toBe(1);
  expect(history.headers.etag).toBeUndefined();
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
  expect(storedJsonOf(version)).toBe(await storedText(patient.id, 1));
  expect(version.resource).toEqual(patient);
  expect(storedJsonOf(version)).toBeUndefined();
  expect({ ...version }.resource).toEqual(patient);
});

test('a search answers its matches and included resources as the database stores them', async () => {
  const patient = await createPatient('Searchedtext');
  const order = (
    await t.http
      .post(`${FHIR_BASE}/ServiceRequest`)
      .send({ resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: `Patient/${patient.id}` } })
      .expect(201)
  ).body as Resource & { id: string };
  const res = await t.http.get(`${FHIR_BASE}/ServiceRequest?_id=${order.id}&_include=ServiceRequest:subject&_total=accurate`).expect(200);
  expect(res.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
  expect(res.text).toContain(`"resource":${await storedText(order.id, 1)},"search":{"mode":"match"}`);
  expect(res.text).toContain(`"resource":${await storedText(patient.id, 1)},"search":{"mode":"include"}`);
  expect(res.body).toEqual({
    resourceType: 'Bundle',
    type: 'searchset',
    total: 1,
    link: [expect.objectContaining({ relation: 'self' }), expect.objectContaining({ relation: 'first' })],
    entry: [
      { fullUrl: `${res.request.url.split('/fhir/R4/')[0]}/fhir/R4/ServiceRequest/${order.id}`, resource: order, search: { mode: 'match' } },
      { fullUrl: `${res.request.url.split('/fhir/R4/')[0]}/fhir/R4/Patient/${patient.id}`, resource: patient, search: { mode: 'include' } },
    ],
  });
});

test('hooks that look at searched versions see their resources, and the answer is the same', async () => {
  const patients = [await createPatient('Hookedsearch'), await createPatient('Hookedsearch')];
  const search = () => t.http.get(`${FHIR_BASE}/Patient?family:exact=Hookedsearch&_sort=_id`).expect(200);
  const untouched = await search();
  watching = true;
  const watched = await search();
  watching = false;
  const sorted = [...patients].sort((a, b) => (a.id < b.id ? -1 : 1));
  expect(seen.slice(-2)).toEqual(sorted);
  const resources = (res: { body: Bundle }) => res.body.entry?.map((e) => e.resource);
  expect(resources(watched)).toEqual(sorted);
  expect(resources(untouched)).toEqual(sorted);
  expect(watched.body.total).toBe(2);
});

test('a search with _elements answers the subset, not the stored text', async () => {
  const patient = await createPatient('Elementstext');
  const res = await t.http.get(`${FHIR_BASE}/Patient?_id=${patient.id}&_elements=birthDate`).expect(200);
  expect(res.text).not.toContain(await storedText(patient.id, 1));
  expect(res.body.entry[0].resource).toEqual({
    resourceType: 'Patient',
    id: patient.id,
    meta: { ...patient.meta, tag: [expect.objectContaining({ code: 'SUBSETTED' })] },
  });
});

test('a history answers each version as stored, a deletion without a resource, and no empty entry list', async () => {
  const patient = await createPatient('Historytext');
  const updated = (
    await t.http
      .put(`${FHIR_BASE}/Patient/${patient.id}`)
      .send({ resourceType: 'Patient', id: patient.id, name: [{ family: 'Historytext-2' }] })
      .expect(200)
  ).body as Resource;
  await t.http.delete(`${FHIR_BASE}/Patient/${patient.id}`).expect(200);
  const res = await t.http.get(`${FHIR_BASE}/Patient/${patient.id}/_history`).expect(200);
  for (const versionId of [1, 2]) expect(res.text).toContain(`"resource":${await storedText(patient.id, versionId)},"request":`);
  const entries = (res.body as Bundle).entry ?? [];
  expect(entries.map((e) => [e.request?.method, e.response?.status, e.response?.etag])).toEqual([
    ['DELETE', '204', 'W/"3"'],
    ['PUT', '200', 'W/"2"'],
    ['POST', '201', 'W/"1"'],
  ]);
  expect(entries.map((e) => e.resource)).toEqual([undefined, updated, patient]);
  watching = true;
  const watched = await t.http.get(`${FHIR_BASE}/Patient/${patient.id}/_history`).expect(200);
  watching = false;
  expect((watched.body as Bundle).entry?.map((e) => e.resource)).toEqual([undefined, updated, patient]);
  const none = await t.http.get(`${FHIR_BASE}/Patient/${patient.id}/_history?_since=2999-01-01T00:00:00Z`).expect(200);
  expect(none.body).toMatchObject({ type: 'history', total: 0 });
  expect(none.body).not.toHaveProperty('entry');
  // A page past the last version still counts them all.
  const past = await t.http.get(`${FHIR_BASE}/Patient/${patient.id}/_history?_count=2&_offset=4`).expect(200);
  expect(past.body).toMatchObject({ type: 'history', total: 3 });
  expect(past.body).not.toHaveProperty('entry');
  const second = await t.http.get(`${FHIR_BASE}/Patient/${patient.id}/_history?_count=2&_offset=2`).expect(200);
  expect(second.body).toMatchObject({ total: 3, entry: [{ request: { method: 'POST' }, resource: patient }] });
});
