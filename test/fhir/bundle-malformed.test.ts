import type { BundleEntry } from '@medplum/fhirtypes';
import { MAX_BUNDLE_ENTRIES } from '../../src/fhir/bundle/parse-bundle';
import { startTestApp, FHIR_BASE, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const post = (body: unknown) =>
  t.http
    .post(FHIR_BASE)
    .set('content-type', 'application/fhir+json')
    .send(body as object);
const transaction = (entry: unknown[]) => ({ resourceType: 'Bundle', type: 'transaction', entry });
const newPatient: BundleEntry = { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } };

test.each([
  ['not a Bundle', { resourceType: 'Patient' }, 'Bundle'],
  ['a collection Bundle', { resourceType: 'Bundle', type: 'collection', entry: [] }, 'Bundle.type'],
  ['a Bundle without a type', { resourceType: 'Bundle' }, 'Bundle.type'],
  ['entry that is not an array', { resourceType: 'Bundle', type: 'batch', entry: {} }, 'Bundle.entry'],
  ['an entry without request', transaction([newPatient, { resource: { resourceType: 'Patient' } }]), 'Bundle.entry[1].request'],
  ['an unknown method', transaction([{ request: { method: 'HEAD', url: 'Patient/1' } }]), 'Bundle.entry[0].request.method'],
  ['a missing url', transaction([{ request: { method: 'GET' } }]), 'Bundle.entry[0].request.url'],
  [
    'an absolute url of another server',
    transaction([{ request: { method: 'GET', url: 'https://elsewhere.example/fhir/Patient/1' } }]),
    'Bundle.entry[0].request.url',
  ],
  [
    'an unsupported type',
    transaction([newPatient, newPatient, newPatient, { request: { method: 'GET', url: 'Observation/1' } }]),
    'Bundle.entry[3].request.url',
  ],
  ['a url no interaction serves', transaction([{ request: { method: 'DELETE', url: 'Patient' } }]), 'Bundle.entry[0].request.url'],
  ['a POST without a resource', transaction([{ request: { method: 'POST', url: 'Patient' } }]), 'Bundle.entry[0].resource'],
  [
    'a PATCH that is not a Binary',
    transaction([{ resource: { resourceType: 'Patient' }, request: { method: 'PATCH', url: 'Patient/1' } }]),
    'Bundle.entry[0].resource',
  ],
  ['a malformed ifMatch', transaction([{ request: { method: 'DELETE', url: 'Patient/1', ifMatch: 'W/"1" W/"2"' } }]), 'Bundle.entry[0].request.ifMatch'],
  [
    'a repeated fullUrl',
    transaction([
      { ...newPatient, fullUrl: 'urn:uuid:1' },
      { ...newPatient, fullUrl: 'urn:uuid:1' },
    ]),
    'Bundle.entry[1].fullUrl',
  ],
])('%s is a 400 naming the element', async (_name, body, expression) => {
  const res = await post(body);
  expect(res.status).toBe(400);
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(res.body.issue[0].expression).toEqual([expression]);
});

test(`more than ${MAX_BUNDLE_ENTRIES} entries is a 413 and nothing is written`, async () => {
  const app = await t.otherTenant();
  const res = await app.http
    .post(FHIR_BASE)
    .set('content-type', 'application/fhir+json')
    .send(transaction(Array.from({ length: MAX_BUNDLE_ENTRIES + 1 }, () => newPatient)));
  expect(res.status).toBe(413);
  expect(res.body.issue[0].expression).toEqual(['Bundle.entry']);
  const [row] = await app.knex('resources').where({ tenant_id: app.tenantId }).count({ n: '*' });
  expect(Number(row?.n)).toBe(0);
});

test('an entry url may be absolute when it points at this server', async () => {
  const base = `http://fhir.example${FHIR_BASE}`;
  const res = await t.http
    .post(FHIR_BASE)
    .set('host', 'fhir.example')
    .set('content-type', 'application/fhir+json')
    .send(transaction([{ ...newPatient, request: { method: 'POST', url: `${base}/Patient` } }]));
  expect(res.status).toBe(200);
  expect(res.body.entry[0].response.status).toBe('201 Created');
});

test('the CapabilityStatement lists batch and transaction', async () => {
  const res = await t.http.get(`${FHIR_BASE}/metadata`);
  const codes = res.body.rest[0].interaction.map((i: { code: string }) => i.code);
  expect(codes).toEqual(expect.arrayContaining(['batch', 'transaction']));
});
