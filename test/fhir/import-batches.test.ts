import type { Patient, Practitioner } from '@medplum/fhirtypes';
import { EXT, SYSTEM } from '../../mappings/fhir-urls';
import { importInto, ndjson } from '../helpers/import';
import { total } from '../helpers/synthea';
import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const brandPatient = (id: string, email: string): Patient => ({
  resourceType: 'Patient',
  id,
  extension: [{ url: EXT.brandId, valueString: 'brand-a' }],
  telecom: [{ system: 'email', value: email }],
});

const patients = (prefix: string, count: number): Patient[] =>
  Array.from({ length: count }, (_, i) => ({
    resourceType: 'Patient',
    id: `${prefix}-${i}`,
    identifier: [{ system: 'urn:test:mrn', value: `${prefix}-${i}` }],
    name: [{ family: `Family${i % 7}`, given: ['Ann'] }],
    birthDate: `19${String(50 + (i % 50)).padStart(2, '0')}-01-01`,
  }));

test('a batch larger than one write batch loads whole, and every resource is indexed', async () => {
  const app = await t.otherTenant();
  const report = await importInto(app, ndjson(patients('big', 1_234)));
  expect(report).toEqual({ created: 1_234, updated: 0, unchanged: 0, skipped: {}, rejected: [] });
  expect(await total(app, 'Patient')).toBe(1_234);
  expect(await total(app, 'Patient?family=Family3')).toBe(176);
  expect(await total(app, 'Patient?identifier=urn:test:mrn|big-1233')).toBe(1);
  expect(await total(app, 'Patient?birthdate=1999-01-01')).toBe(24);
});

test('a business key held by another resource rejects that resource alone; the rest of its batch loads', async () => {
  const app = await t.otherTenant();
  await importInto(app, ndjson([brandPatient('held', 'same@example.com')]));
  const report = await importInto(
    app,
    ndjson([brandPatient('first', 'first@example.com'), brandPatient('clash', 'SAME@example.com'), brandPatient('last', 'last@example.com')]),
  );
  expect(report.created).toBe(2);
  expect(report.rejected).toEqual([expect.objectContaining({ line: 2, code: 'duplicate' })]);
  expect((await app.http.get(`${FHIR_BASE}/Patient/clash`)).status).toBe(404);
  expect((await app.http.get(`${FHIR_BASE}/Patient/last`)).status).toBe(200);
});

test('two resources of one batch claiming the same key: the first loads, the second is rejected', async () => {
  const app = await t.otherTenant();
  const report = await importInto(app, ndjson([brandPatient('one', 'twin@example.com'), brandPatient('two', 'twin@example.com')]));
  expect(report.created).toBe(1);
  expect(report.rejected).toEqual([expect.objectContaining({ line: 2, code: 'duplicate' })]);
});

test('the same id twice in one request is written in order: the last content wins, as version 2', async () => {
  const app = await t.otherTenant();
  const report = await importInto(
    app,
    ndjson([
      { resourceType: 'Patient', id: 'twice', gender: 'female' },
      { resourceType: 'Patient', id: 'twice', gender: 'male' },
    ]),
  );
  expect(report).toMatchObject({ created: 1, updated: 1, rejected: [] });
  const stored = (await app.http.get(`${FHIR_BASE}/Patient/twice`)).body as Patient;
  expect(stored).toMatchObject({ gender: 'male', meta: { versionId: '2' } });
});

test('a conditional reference to a resource loaded in the same request names it literally', async () => {
  const app = await t.otherTenant();
  const practitioner: Practitioner = { resourceType: 'Practitioner', id: 'dr-same-batch', identifier: [{ system: SYSTEM.npi, value: '3333333333' }] };
  const patient: Patient = {
    resourceType: 'Patient',
    id: 'cared-for',
    generalPractitioner: [{ reference: `Practitioner?identifier=${SYSTEM.npi}|3333333333` }],
  };
  const report = await importInto(app, ndjson([patient, practitioner]));
  expect(report).toMatchObject({ created: 2, rejected: [] });
  const stored = (await app.http.get(`${FHIR_BASE}/Patient/cared-for`)).body as Patient;
  expect(stored.generalPractitioner).toEqual([{ reference: 'Practitioner/dr-same-batch' }]);
  expect(await total(app, 'Patient?general-practitioner=Practitioner/dr-same-batch')).toBe(1);
});

test('the same file loaded three times at once stores each resource once, at version 1', async () => {
  const app = await t.otherTenant();
  const body = ndjson(patients('parallel', 600));
  const reports = await Promise.all([importInto(app, body), importInto(app, body), importInto(app, body)]);
  expect(reports.reduce((sum, r) => sum + (r.created ?? 0), 0)).toBe(600);
  expect(reports.reduce((sum, r) => sum + (r.created ?? 0) + (r.unchanged ?? 0), 0)).toBe(1_800);
  for (const report of reports) expect(report).toMatchObject({ updated: 0, rejected: [] });
  expect(await total(app, 'Patient')).toBe(600);
  expect(await total(app, 'Patient?identifier=urn:test:mrn|parallel-599')).toBe(1);
  const history = (await app.http.get(`${FHIR_BASE}/Patient/parallel-0/_history`)).body as { total: number };
  expect(history.total).toBe(1);
});
