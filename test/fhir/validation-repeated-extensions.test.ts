import type { Extension } from '@medplum/fhirtypes';
import { EXT } from '../../mappings/fhir-urls';
import { FHIR_BASE, startTestApp, type TestApp } from '../helpers/test-app';

/*
 * Extensions seen valid are not validated again as base R4 (src/fhir/validation/known-extensions.ts):
 * whatever was seen before, every resource is still refused for what is wrong with it.
 */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const race: Extension = {
  url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race',
  extension: [
    { url: 'ombCategory', valueCoding: { system: 'urn:oid:2.16.840.1.113883.6.238', code: '2106-3', display: 'White' } },
    { url: 'text', valueString: 'White' },
  ],
};
const geolocation: Extension = {
  url: 'http://hl7.org/fhir/StructureDefinition/geolocation',
  extension: [
    { url: 'latitude', valueDecimal: 42.36 },
    { url: 'longitude', valueDecimal: -71.06 },
  ],
};

const create = (body: object) =>
  t.http
    .post(`${FHIR_BASE}/Patient`)
    .set('content-type', 'application/fhir+json')
    .send({ resourceType: 'Patient', ...body });
const expressions = (res: { body: { issue?: { expression?: string[] }[] } }) => res.body.issue?.flatMap((i) => i.expression ?? []);

test('an extension seen valid many times, then sent with a wrong value, is refused naming the value', async () => {
  for (let i = 0; i < 3; i++) expect((await create({ extension: [race] })).status).toBe(201);
  const wrong = { ...race, extension: [{ url: 'ombCategory', valueCoding: { system: 'not a uri', code: '2106-3' } }] };
  const res = await create({ extension: [race, wrong] });
  expect(res.status).toBe(422);
  expect(expressions(res)).toEqual(['Patient.extension[1].extension[0].value[x].system']);
});

test('an invalid extension is refused every time it is sent', async () => {
  const both: Extension = { url: 'http://example.org/both', valueString: 'x', extension: [{ url: 'y', valueString: 'z' }] };
  for (let i = 0; i < 2; i++) {
    const res = await create({ extension: [both] });
    expect(res.status).toBe(422);
    expect(expressions(res)).toEqual(['Patient.extension[0]']);
  }
});

test('known extensions beside an error elsewhere: the error is named, and the resource is taken once mended', async () => {
  expect((await create({ extension: [race] })).status).toBe(201);
  const refused = await create({ extension: [race], gender: 'sometimes' });
  expect(refused.status).toBe(422);
  expect(expressions(refused)).toEqual(['Patient.gender']);
  expect((await create({ extension: [race], gender: 'female' })).status).toBe(201);
});

test('extensions inside a data type: known ones are taken, a new invalid one is named at its place', async () => {
  const address = { city: 'Boston', extension: [geolocation] };
  for (let i = 0; i < 2; i++) expect((await create({ address: [address] })).status).toBe(201);
  const res = await create({ address: [address, { city: 'Lowell', extension: [{ url: 'http://example.org/x', valueFoo: 1 }] }] });
  expect(res.status).toBe(422);
  expect(expressions(res)).toContain('Patient.address[1].extension[0].valueFoo');
});

test('an extension known valid as base R4 is still held to our definition of where it may appear', async () => {
  const licenseState: Extension = { url: EXT.licenseState, valueCode: 'NY' };
  const practitioner = { resourceType: 'Practitioner', qualification: [{ code: { text: 'MD' }, extension: [licenseState] }] };
  for (let i = 0; i < 2; i++) expect((await t.http.post(`${FHIR_BASE}/Practitioner`).send(practitioner)).status).toBe(201);
  const res = await create({ extension: [licenseState] });
  expect(res.status).toBe(422);
  expect(expressions(res)).toEqual(['Patient.extension[0]']);
});
