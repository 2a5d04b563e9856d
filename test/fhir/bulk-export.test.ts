import type { Resource, ServiceRequest } from '@medplum/fhirtypes';
import { SUPPORTED_TYPES } from '../../src/fhir/validation/definitions';
import { synthea } from '../helpers/synthea';
import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';
import {
  download,
  downloadAll,
  exportAll,
  exportGate,
  idsOf,
  importSynthea,
  issueOf,
  kickOff,
  pollUntilDone,
  RESPOND_ASYNC,
  type Manifest,
} from '../helpers/bulk-export';

const gate = exportGate();
let t: TestApp;
/** Patients the tenant still has, and one it deleted. */
let livePatients: string[];
let deletedPatient: string;
/** ServiceRequests by whom they are about. */
const requests: Record<'first' | 'second' | 'ofDeleted' | 'ofLocation', string> = { first: '', second: '', ofDeleted: '', ofLocation: '' };

const serviceRequest = (subject: string): ServiceRequest => ({
  resourceType: 'ServiceRequest',
  status: 'active',
  intent: 'order',
  subject: { reference: subject },
});
const create = async (resource: Resource): Promise<string> => {
  const res = await t.http.post(`${FHIR_BASE}/${resource.resourceType}`).send(resource);
  expect(res.status).toBe(201);
  return res.body.id as string;
};

beforeAll(async () => {
  // Pages of 7: every file spans several stored chunks.
  t = await startTestApp({ hooks: [gate.hook], env: { BULK_EXPORT_PAGE_SIZE: '7' } });
  await importSynthea(t);
  const patients = idsOf(synthea('Patient'));
  deletedPatient = patients[0] as string;
  livePatients = patients.slice(1);
  const location = synthea('Location')[0]?.id as string;
  requests.first = await create(serviceRequest(`Patient/${livePatients[0]}`));
  requests.second = await create(serviceRequest(`Patient/${livePatients[1]}`));
  requests.ofDeleted = await create(serviceRequest(`Patient/${deletedPatient}`));
  requests.ofLocation = await create(serviceRequest(`Location/${location}`));
  expect((await t.http.delete(`${FHIR_BASE}/Patient/${deletedPatient}`)).status).toBe(200);
});
afterAll(async () => {
  gate.release();
  await t.close();
});

describe('system level $export', () => {
  let manifest: Manifest;
  let files: Record<string, Resource[]>;
  beforeAll(async () => {
    manifest = await exportAll(t, '/$export');
    files = await downloadAll(t, manifest);
  });

  test('the manifest names the request, its time and one file per exported type', () => {
    expect(manifest.request).toMatch(/\/fhir\/R4\/\$export$/);
    expect(Date.parse(manifest.transactionTime)).toBeLessThanOrEqual(Date.now());
    expect(manifest.requiresAccessToken).toBe(true);
    expect(manifest.error).toEqual([]);
    expect(manifest.output.map((o) => o.type).sort()).toEqual([...SUPPORTED_TYPES].sort());
    for (const { url, type } of manifest.output) expect(url).toMatch(new RegExp(`/fhir/R4/bulk-export/[0-9a-f-]{36}/${type}\\.ndjson$`));
  });

  test('every current resource is exported once, and every line equals the stored resource', async () => {
    for (const type of ['Organization', 'Location', 'Practitioner', 'PractitionerRole'] as const) expect(idsOf(files[type])).toEqual(idsOf(synthea(type)));
    expect(idsOf(files.Patient)).toEqual(livePatients);
    expect(idsOf(files.ServiceRequest)).toEqual(Object.values(requests).sort());
    for (const resource of Object.values(files).flat()) {
      const stored = await t.http.get(`${FHIR_BASE}/${resource.resourceType}/${resource.id}`);
      expect(resource).toEqual(stored.body);
    }
  });

  test('_type limits the export to the types named', async () => {
    const only = await exportAll(t, '/$export?_type=Practitioner,Patient&_outputFormat=application%2Ffhir%2Bndjson');
    expect(only.output.map((o) => o.type)).toEqual(['Practitioner', 'Patient']);
    expect(only.output.map((o) => o.count)).toEqual([synthea('Practitioner').length, livePatients.length]);
  });

  test('_since exports only what changed after it', async () => {
    const since = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const patient = (await t.http.get(`${FHIR_BASE}/Patient/${livePatients[2]}`)).body as Resource;
    expect((await t.http.put(`${FHIR_BASE}/Patient/${patient.id}`).send({ ...patient, active: false })).status).toBe(200);
    const practitioner = await create({ resourceType: 'Practitioner', name: [{ family: 'Since' }] });
    // Changed in the reverse of id order, more than a page of them: pages follow (last_updated, id).
    const touched = idsOf(synthea('Practitioner')).slice(0, 9).reverse();
    for (const id of touched) {
      const stored = (await t.http.get(`${FHIR_BASE}/Practitioner/${id}`)).body as Resource;
      expect((await t.http.put(`${FHIR_BASE}/Practitioner/${id}`).send({ ...stored, active: false })).status).toBe(200);
    }
    const changed = await downloadAll(t, await exportAll(t, `/$export?_since=${encodeURIComponent(since)}`));
    expect(Object.keys(changed).sort()).toEqual(['Patient', 'Practitioner']);
    expect(idsOf(changed.Patient)).toEqual([patient.id]);
    expect(changed.Patient?.[0]).toMatchObject({ active: false, meta: { versionId: '2' } });
    expect(changed.Practitioner?.map((p) => p.id)).toEqual([practitioner, ...touched]);
  });

  test('a POST kick-off takes its parameters from a Parameters body', async () => {
    const res = await t.http
      .post(`${FHIR_BASE}/$export`)
      .set(RESPOND_ASYNC)
      .send({
        resourceType: 'Parameters',
        parameter: [
          { name: '_type', valueString: 'Organization' },
          { name: '_outputFormat', valueString: 'ndjson' },
        ],
      });
    expect(res.status).toBe(202);
    const done = await pollUntilDone(t, new URL(res.headers['content-location'] as string).pathname);
    expect((done.body as Manifest).output).toEqual([expect.objectContaining({ type: 'Organization', count: synthea('Organization').length })]);
  });
});

describe('Patient level $export', () => {
  test('exports the patients and the ServiceRequests in their compartments, nothing else', async () => {
    const files = await downloadAll(t, await exportAll(t, '/Patient/$export'));
    expect(Object.keys(files).sort()).toEqual(['Patient', 'ServiceRequest']);
    expect(idsOf(files.Patient)).toEqual(livePatients);
    // Not the request about a deleted patient, nor the one about a Location.
    expect(idsOf(files.ServiceRequest)).toEqual([requests.first, requests.second].sort());
  });

  test('a type outside the Patient compartment is a 400 naming _type', async () => {
    const res = await t.http.get(`${FHIR_BASE}/Patient/$export?_type=Practitioner`).set(RESPOND_ASYNC);
    expect(res.status).toBe(400);
    expect(issueOf(res.body)).toEqual({ expression: ['_type'], text: expect.stringContaining('Practitioner is not in the Patient compartment') });
  });

  test('Group export is a 404 saying it is not supported', async () => {
    const res = await t.http.get(`${FHIR_BASE}/Group/abc/$export`).set(RESPOND_ASYNC);
    expect(res.status).toBe(404);
    expect(issueOf(res.body).text).toMatch(/Group export is not supported/);
  });
});

describe('kick-off parameters', () => {
  test.each([
    ['/$export?_type=Observation', '_type', /Observation is not a resource type this server stores/],
    ['/$export?_type=Patient,', '_type', /none of them empty/],
    ['/$export?_since=yesterday', '_since', /not a FHIR instant/],
    ['/$export?_since=2024-02-30T00:00:00Z', '_since', /not a FHIR instant/],
    ['/$export?_since=2024-01-01', '_since', /not a FHIR instant/],
    ['/$export?_since=2024-01-01T00:00:00Z&_since=2024-01-02T00:00:00Z', '_since', /once/],
    ['/$export?_outputFormat=text%2Fcsv', '_outputFormat', /not supported/],
    ['/$export?patient=Patient%2F1', 'patient', /not a \$export parameter this server supports/],
    ['/$export?_typeFilter=Patient%3Factive%3Dtrue', '_typeFilter', /handling=lenient/],
  ])('%s is a 400 naming %s', async (path, expression, text) => {
    const res = await t.http.get(`${FHIR_BASE}${path}`).set(RESPOND_ASYNC);
    expect(res.status).toBe(400);
    expect(issueOf(res.body)).toEqual({ expression: [expression], text: expect.stringMatching(text) });
  });

  test('without Prefer: respond-async the kick-off is a 400 naming Prefer', async () => {
    const res = await t.http.get(`${FHIR_BASE}/$export`);
    expect(res.status).toBe(400);
    expect(issueOf(res.body)).toEqual({ expression: ['Prefer'], text: expect.stringContaining('Prefer: respond-async') });
  });

  test('Prefer: handling=lenient ignores the parameters this server does not serve', async () => {
    const res = await t.http.get(`${FHIR_BASE}/$export?_type=Location&_typeFilter=x&_elements=id`).set('prefer', 'respond-async, handling=lenient');
    expect(res.status).toBe(202);
    const done = await pollUntilDone(t, new URL(res.headers['content-location'] as string).pathname);
    expect((done.body as Manifest).output.map((o) => o.type)).toEqual(['Location']);
  });

  test('a POST body that is not a Parameters resource is a 400 naming resourceType', async () => {
    const res = await t.http.post(`${FHIR_BASE}/$export`).set(RESPOND_ASYNC).send({ resourceType: 'Patient' });
    expect(res.status).toBe(400);
    expect(issueOf(res.body).expression).toEqual(['resourceType']);
  });
});

describe('status, cancellation and files', () => {
  test('a running export answers 202 with X-Progress and Retry-After; DELETE cancels it and later polls are 404', async () => {
    gate.hold(2); // the kick-off's check of Patient, then one page
    let status = '';
    try {
      status = await kickOff(t, '/$export?_type=Patient');
      await gate.reached;
      const running = await t.http.get(status);
      expect(running.status).toBe(202);
      expect(running.headers['x-progress']).toBe('7 resources exported; now Patient (type 1 of 1)');
      expect(running.headers['retry-after']).toBe('2');
      expect((await t.http.delete(status)).status).toBe(202);
    } finally {
      gate.release();
    }
    expect((await t.http.get(status)).status).toBe(404);
    expect((await t.http.delete(status)).status).toBe(404);
    // The cancelled run stops at its next write and leaves nothing behind.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await t.http.get(`${status}/Patient.ndjson`)).status).toBe(404);
  });

  test('deleting a finished export deletes its files', async () => {
    const status = await kickOff(t, '/$export?_type=Organization');
    const manifest = (await pollUntilDone(t, status)).body as Manifest;
    const url = new URL(manifest.output[0]?.url as string).pathname;
    expect((await t.http.get(url)).status).toBe(200);
    expect((await t.http.delete(status)).status).toBe(202);
    expect((await t.http.get(status)).status).toBe(404);
    expect((await t.http.get(url)).status).toBe(404);
  });

  test('unknown status and file URLs are 404s', async () => {
    for (const path of [
      '/bulk-export/not-a-uuid',
      '/bulk-export/00000000-0000-4000-8000-000000000000',
      '/bulk-export/00000000-0000-4000-8000-000000000000/Patient.ndjson',
    ]) {
      const res = await t.http.get(`${FHIR_BASE}${path}`);
      expect(res.status).toBe(404);
      expect(res.body.resourceType).toBe('OperationOutcome');
    }
    const manifest = await exportAll(t, '/$export?_type=Location');
    const url = new URL(manifest.output[0]?.url as string).pathname;
    expect((await t.http.get(url.replace('Location.ndjson', 'Patient.ndjson'))).status).toBe(404);
    expect((await t.http.get(url.replace('Location.ndjson', 'Location.json'))).status).toBe(404);
  });
});

describe('tenancy and scopes', () => {
  test("another tenant cannot see, download or cancel an export, and exports none of this tenant's data", async () => {
    const status = await kickOff(t, '/$export?_type=Patient');
    const manifest = (await pollUntilDone(t, status)).body as Manifest;
    const other = await t.otherTenant();
    const file = new URL(manifest.output[0]?.url as string).pathname;
    expect((await other.http.get(status)).status).toBe(404);
    expect((await other.http.get(file)).status).toBe(404);
    expect((await other.http.delete(status)).status).toBe(404);
    expect((await t.http.get(file)).status).toBe(200);
    expect((await exportAll(other, '/$export')).output).toEqual([]);
  });

  test('without _type, only the types the scopes let the caller read are exported', async () => {
    const key = await t.keyWith(['system/Patient.rs', 'system/Practitioner.c']);
    const manifest = await exportAll(t, '/$export', key);
    expect(manifest.output.map((o) => o.type)).toEqual(['Patient']);
    expect(idsOf(await download(t, manifest.output[0]?.url as string, key))).toEqual(livePatients);
  });

  test('a _type the scopes do not allow to read is a 403 naming the type', async () => {
    const key = await t.keyWith(['system/Patient.rs']);
    const res = await t.http.get(`${FHIR_BASE}/$export?_type=Patient,Practitioner`).set(RESPOND_ASYNC).set('authorization', `Bearer ${key}`);
    expect(res.status).toBe(403);
    expect(issueOf(res.body).text).toMatch(/Practitioner/);
  });

  test('credentials that read none of the types are a 403', async () => {
    const key = await t.keyWith(['system/Patient.c']);
    expect((await t.http.get(`${FHIR_BASE}/$export`).set(RESPOND_ASYNC).set('authorization', `Bearer ${key}`)).status).toBe(403);
  });

  test("a file of a type the caller's scopes do not allow is a 403", async () => {
    const manifest = await exportAll(t, '/$export?_type=Patient');
    const key = await t.keyWith(['system/Practitioner.rs']);
    const res = await t.http.get(new URL(manifest.output[0]?.url as string).pathname).set('authorization', `Bearer ${key}`);
    expect(res.status).toBe(403);
  });
});

describe('durability', () => {
  test('another server instance on the same database answers the manifest and the files', async () => {
    const manifest = await exportAll(t, '/$export?_type=Patient,ServiceRequest');
    const files = await downloadAll(t, manifest);
    const second = await t.sameTenantInstance();
    try {
      const status = new URL(manifest.output[0]?.url as string).pathname.replace(/\/Patient\.ndjson$/, '');
      const again = await second.http.get(status);
      expect(again.status).toBe(200);
      // supertest serves each request on a port of its own: the URLs differ by host only.
      const paths = (m: Manifest) => ({ ...m, output: m.output.map((o) => ({ ...o, url: new URL(o.url).pathname })) });
      expect(paths(again.body as Manifest)).toEqual(paths(manifest));
      expect(await downloadAll(second, again.body as Manifest)).toEqual(files);
    } finally {
      await second.close();
    }
  });
});

describe('the CapabilityStatement', () => {
  test('advertises $export at system and Patient level and instantiates the Bulk Data IG', async () => {
    const statement = (await t.http.get(`${FHIR_BASE}/metadata`)).body;
    expect(statement.instantiates).toEqual(['http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data']);
    expect(statement.rest[0].operation).toEqual([{ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export' }]);
    const patient = statement.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    expect(patient.operation).toContainEqual({ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export' });
  });
});
