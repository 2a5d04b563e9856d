import { join } from 'node:path';
import type { CapabilityStatement } from '@medplum/fhirtypes';
import { DIRECT_EXTENSION, PROFILE, US_CORE_LIKE, writeTgz } from '../helpers/fhir-package';
import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';
import { tempDir } from '../helpers/temp-dirs';

/* A deployment that loads a US-Core-like package from FHIR_PACKAGES_DIR, as a .tgz. */

let t: TestApp;
beforeAll(async () => {
  const dir = tempDir('fhir-packages-');
  writeTgz(join(dir, 'example.us.core-1.0.0.tgz'), { ...US_CORE_LIKE, 'package/StructureDefinition-example-direct.json': DIRECT_EXTENSION });
  t = await startTestApp({ env: { FHIR_PACKAGES_DIR: dir } });
});
afterAll(() => t.close());

const claiming = (fields: object) => ({ resourceType: 'Patient', meta: { profile: [PROFILE.url] }, ...fields });
const post = (body: object) => t.http.post(`${FHIR_BASE}/Patient`).set('content-type', 'application/fhir+json').send(body);

test('/metadata advertises the package profile for its type', async () => {
  const statement = (await t.anonymous.get(`${FHIR_BASE}/metadata`)).body as CapabilityStatement;
  const patient = statement.rest?.[0]?.resource?.find((r) => r.type === 'Patient');
  expect(patient?.supportedProfile).toContain(PROFILE.url);
  expect(patient?.searchParam?.map((p) => p.name)).toContain('race');
});

test('a Patient claiming the profile is held to it: the must-support identifier and the required binding', async () => {
  const withoutIdentifier = await post(claiming({ gender: 'female' }));
  expect(withoutIdentifier.status).toBe(422);
  expect(withoutIdentifier.body.issue.map((i: { expression?: string[] }) => i.expression?.[0])).toContain('Patient.identifier');

  const outsideValueSet = await post(claiming({ identifier: [{ value: 'p-1' }], gender: 'other' }));
  expect(outsideValueSet.status).toBe(422);
  expect(outsideValueSet.body.issue.map((i: { expression?: string[] }) => i.expression?.[0])).toContain('Patient.gender');

  const valid = await post(claiming({ identifier: [{ value: 'p-1' }], gender: 'female' }));
  expect(valid.status).toBe(201);
  expect(valid.body.meta.profile).toEqual([PROFILE.url]);
});

test('without the claim the same resource is held to base R4 only', async () => {
  expect((await post({ resourceType: 'Patient', gender: 'other' })).status).toBe(201);
});

test('an extension whose context is a data type is allowed wherever that type is used, and checked there', async () => {
  const direct = (value: unknown) => ({ url: DIRECT_EXTENSION.url, ...(value as object) });
  const practitioner = (extension: unknown[]) => ({ resourceType: 'Practitioner', telecom: [{ system: 'email', value: 'a@example.org', extension }] });
  const onTelecom = await t.http.post(`${FHIR_BASE}/Practitioner`).send(practitioner([direct({ valueBoolean: true })]));
  expect(onTelecom.status).toBe(201);
  const wrongType = await t.http.post(`${FHIR_BASE}/Practitioner`).send(practitioner([direct({ valueString: 'yes' })]));
  expect(wrongType.status).toBe(422);
  const elsewhere = await t.http.post(`${FHIR_BASE}/Practitioner`).send({ resourceType: 'Practitioner', extension: [direct({ valueBoolean: true })] });
  expect(elsewhere.status).toBe(422);
  expect(elsewhere.body.issue[0].details.text).toContain('only on ContactPoint');
});
