import { readFileSync } from 'node:fs';
import type { Resource } from '@medplum/fhirtypes';
import { join } from 'node:path';
import fc from 'fast-check';
import { evalFhirPathTyped, getParsedExpressionForResourceType, getSearchParameters, toTypedValue, type TypedValue } from '@medplum/core';
import { loadProfiles } from '../../src/fhir/validation/profiles';
import { createValidator, type Validator } from '../../src/fhir/validation/validation';
import { followPlainPaths, plainPathsOf, walkPathsOf } from '../../src/fhir/indexing/plain-paths';
import { syntheaLikePatient } from '../../bench/fixtures';
import { anyResource, FHIR_TYPES } from '../fuzz/fhir-resources';
import { mutate, mutationArb } from '../fuzz/mutations';
import { tryParse } from '../fuzz/json-text';
import { RUNS, fuzzParams } from '../fuzz/settings';
import { r4Examples } from '../helpers/r4-examples';
import { SEARCH_PARAMETER } from '../helpers/fhir-package';
import { extractIndexRows } from '../../src/fhir/indexing/extract';
import { loadPackageSearchParameters } from '../../src/fhir/validation/custom-search-parameters';

/*
 * Search parameters that are plain paths (with `where` filters on a code) are followed over the
 * JSON (plain-paths.ts) instead of evaluated as FHIRPath: here both are asked for every parameter of every resource of a corpus,
 * and must give the same values, or the walk must step aside (undefined). Over HTTP the search
 * suites show the same rows being written.
 */

let validator: Validator;
beforeAll(() => {
  validator = createValidator(loadProfiles());
});

/** Index rows are extracted from resources the validator accepted only. */
function isAccepted(body: unknown): body is Record<string, unknown> {
  try {
    validator.validate(body as Resource);
    return true;
  } catch {
    return false;
  }
}

/** The values as a set: FHIRPath's union drops duplicates, and the index drops them from rows anyway. */
const asSet = (values: TypedValue[]): string[] => [...new Set(values.map((v) => JSON.stringify([v.type, v.value])))].sort();

/** For each walkable parameter of the resource's type: [code, walked, FHIRPath] where the walk answered. */
function compare(resource: Record<string, unknown>): { code: string; walked: string[]; fhirpath: string[] }[] {
  const type = String(resource.resourceType);
  const root = toTypedValue(resource);
  return Object.values(getSearchParameters(type) ?? {}).flatMap((param) => {
    const paths = param.expression ? walkPathsOf(param.expression, type) : undefined;
    if (!paths) return [];
    const walked = followPlainPaths(root, paths);
    if (walked === undefined) return [];
    const fhirpath = evalFhirPathTyped(getParsedExpressionForResourceType(type, param.expression!), [root]);
    return [{ code: param.code!, walked: asSet(walked), fhirpath: asSet(fhirpath) }];
  });
}

const expectSame = (resource: Record<string, unknown>): void => {
  for (const { code, walked, fhirpath } of compare(resource)) expect({ code, values: walked }).toEqual({ code, values: fhirpath });
};

const FIXTURES = join(__dirname, '../fixtures/synthea-10-patients');

test('most search parameters of the stored types are plain paths', () => {
  for (const type of FHIR_TYPES) {
    const params = Object.values(getSearchParameters(type) ?? {});
    const plain = params.filter((p) => p.expression && plainPathsOf(p.expression, type) !== undefined);
    expect(plain.length / params.length).toBeGreaterThan(0.6);
  }
  expect(plainPathsOf('Patient.name.family | Practitioner.name.family', 'Patient')).toEqual([['name', 'family']]);
  expect(plainPathsOf("Patient.telecom.where(system='email')", 'Patient')).toBeUndefined();
  expect(plainPathsOf('(Patient.deceased as dateTime)', 'Patient')).toBeUndefined();
});

test('filters on an element or a target type, casts and presence tests are walked; a branch on another type may be anything; other functions are not walked', () => {
  const email = { element: 'system', twin: '_system', equals: 'email' };
  expect(walkPathsOf("Patient.telecom.where(system='email') | Practitioner.telecom.where(system='email')", 'Patient')).toEqual([['telecom', email]]);
  expect(walkPathsOf("Practitioner.extension.where(url = 'https://example.org/x').value", 'Practitioner')).toEqual([
    ['extension', { element: 'url', twin: '_url', equals: 'https://example.org/x' }, 'value'],
  ]);
  expect(walkPathsOf('(DeviceRequest.code as CodeableConcept) | ServiceRequest.code', 'ServiceRequest')).toEqual([['code']]);
  expect(walkPathsOf('(Patient.deceased as dateTime)', 'Patient')).toEqual([['deceased', { ofType: 'dateTime' }]]);
  expect(walkPathsOf('Patient.deceased.exists() and Patient.deceased != false', 'Patient')).toEqual([['deceased', { presentNotFalse: true }]]);
  expect(walkPathsOf('Patient.deceased.exists() and Patient.active != false', 'Patient')).toBeUndefined();
  expect(walkPathsOf('ServiceRequest.subject.where(resolve() is Patient)', 'ServiceRequest')).toEqual([['subject', { resolvesTo: 'Patient' }]]);
  expect(walkPathsOf('Observation.value.where(resolve() is Quantity)', 'Observation')).toBeUndefined();
  expect(walkPathsOf('Patient.name.exists()', 'Patient')).toBeUndefined();
  expect(walkPathsOf("Patient.telecom.where(system='a\\'b')", 'Patient')).toBeUndefined();
  expect(walkPathsOf('Resource.meta.tag', 'Patient')).toBeUndefined();
});

test('filtered paths give what FHIRPath gives: contact points by system, extensions by url, or step aside', () => {
  const practitioner = {
    resourceType: 'Practitioner',
    extension: [
      { url: 'https://fhir-facade.dev/fhir/StructureDefinition/display-name', valueString: 'Dr. Ann Kuhn' },
      { url: 'https://fhir-facade.dev/fhir/StructureDefinition/bookable-online', valueBoolean: true },
      { url: 'https://example.org/other', valueString: 'other' },
    ],
    telecom: [
      { system: 'email', value: 'ann@example.org' },
      { system: 'phone', value: '555-0100' },
      { system: 'email', value: 'kuhn@example.org', use: 'work' },
      { value: 'no-system' },
    ],
  };
  const patient = { resourceType: 'Patient', telecom: [{ system: 'phone', value: '555-0101' }, { system: 'sms' }] };
  let compared = 0;
  for (const resource of [practitioner, patient]) {
    expectSame(resource);
    compared += compare(resource).filter(({ code }) => ['email', 'phone', 'display-name', 'bookable-online'].includes(code)).length;
  }
  expect(compared).toBe(6);
  const walked = (resource: Record<string, unknown>, code: string): TypedValue[] | undefined =>
    followPlainPaths(
      toTypedValue(resource),
      walkPathsOf(getSearchParameters(String(resource.resourceType))![code]!.expression!, String(resource.resourceType))!,
    );
  expect(walked(practitioner, 'email')?.map((v) => (v.value as { value: string }).value)).toEqual(['ann@example.org', 'kuhn@example.org']);
  expect(walked(practitioner, 'display-name')).toEqual([{ type: 'string', value: 'Dr. Ann Kuhn' }]);
  // A system with extensions of its own is FHIRPath's to judge.
  expect(walked({ resourceType: 'Patient', telecom: [{ system: 'email', _system: { id: 's' }, value: 'a@example.org' }] }, 'email')).toBeUndefined();
});

test('casts, presence tests and target-type filters give what FHIRPath gives, whatever the choice or the reference form', () => {
  const patients = [
    {},
    { deceasedBoolean: false },
    { deceasedBoolean: true },
    { deceasedDateTime: '2020-02-03' },
    { deceasedDateTime: '2020-02-03T10:00:00Z' },
  ].map((deceased) => ({ resourceType: 'Patient', ...deceased }));
  const subjects = [
    { reference: 'Patient/p1' },
    { reference: 'Group/g1' },
    { reference: 'https://other.example/fhir/Patient/p1' },
    { reference: 'Patient?identifier=http://hospital.example.org/mrn|M1' },
    { reference: 'urn:uuid:00000000-0000-4000-8000-000000000001' },
    { type: 'Patient', identifier: { system: 'http://hospital.example.org/mrn', value: 'M1' } },
    { type: 'http://hl7.org/fhir/StructureDefinition/Patient', identifier: { value: 'M1' } },
    { identifier: { value: 'M1' } },
    { display: 'no reference' },
  ];
  const orders = subjects.map((subject) => ({ resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject }));
  const walkedCodes = new Map<string, number>();
  for (const resource of [...patients, ...orders]) {
    expectSame(resource);
    for (const { code } of compare(resource)) walkedCodes.set(code, (walkedCodes.get(code) ?? 0) + 1);
  }
  expect([walkedCodes.get('deceased'), walkedCodes.get('death-date'), walkedCodes.get('patient')]).toEqual([5, 5, 9]);
  const patientRows = (subject: Record<string, unknown>) => {
    const order = { resourceType: 'ServiceRequest', subject };
    const paths = walkPathsOf(getSearchParameters('ServiceRequest')!.patient!.expression!, 'ServiceRequest')!;
    return followPlainPaths(toTypedValue(order), paths)?.length;
  };
  expect(subjects.map(patientRows)).toEqual([1, 0, 0, 1, 0, 1, 0, 0, 0]);
  // A reference holding a resource of its own is FHIRPath's to resolve.
  expect(patientRows({ reference: 'Patient/p1', resource: { resourceType: 'Patient' } })).toBeUndefined();
});

test('the official examples, the Synthea sample and the benchmark Patient give the same values both ways', () => {
  const synthea = ['Patient', 'Practitioner', 'PractitionerRole', 'Organization', 'Location'].flatMap((type) =>
    readFileSync(join(FIXTURES, `${type}.ndjson`), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  );
  const corpus = [...r4Examples().map((e) => e.resource as unknown as Record<string, unknown>), ...synthea, syntheaLikePatient('MRN-1', 1)];
  let compared = 0;
  for (const resource of corpus) {
    expectSame(resource);
    compared += compare(resource).length;
  }
  expect(compared).toBeGreaterThan(1000);
});

test('generated resources and the mutations of them the validator accepts give the same values both ways, or the walk steps aside', () => {
  let accepted = 0;
  fc.assert(
    fc.property(anyResource, mutationArb, ({ resource }, mutation) => {
      // As a request body arrives: parsed JSON (the generator's objects may have no prototype).
      expectSame(JSON.parse(JSON.stringify(resource)) as Record<string, unknown>);
      const body = tryParse(mutate(resource, mutation).text);
      if (!isAccepted(body)) return;
      accepted += 1;
      expectSame(body);
    }),
    { ...fuzzParams(), numRuns: Math.max(1000, RUNS) },
  );
  expect(accepted).toBeGreaterThan(100);
});

test('a primitive with extensions, a nested resource or an unknown element is left to FHIRPath', () => {
  const root = (value: Record<string, unknown>) => toTypedValue(value);
  expect(followPlainPaths(root({ resourceType: 'Patient', gender: 'male', _gender: { id: 'g' } }), [['gender']])).toBeUndefined();
  expect(followPlainPaths(root({ resourceType: 'Patient', name: [{ family: 'Kuhn', resourceType: 'Patient' }] }), [['name', 'family']])).toBeUndefined();
  expect(followPlainPaths(root({ resourceType: 'Patient' }), [['nickname']])).toBeUndefined();
  expect(followPlainPaths(root({ resourceType: 'Patient', deceasedBoolean: true }), [['deceased']])).toEqual([{ type: 'boolean', value: true }]);
});

test('a SearchParameter indexed after resources of its type were extracted writes rows for the next ones', () => {
  const patient = {
    resourceType: 'Patient',
    extension: [{ url: 'http://example.org/fhir/StructureDefinition/example-race', valueCoding: { system: 'http://example.org/race', code: 'r1' } }],
  } as Resource;
  const raceRows = () => extractIndexRows(patient).token.filter((row) => row.code === 'race');
  expect(raceRows()).toEqual([]);
  loadPackageSearchParameters([SEARCH_PARAMETER], 'a package loaded later');
  expect(raceRows()).toEqual([{ code: 'race', system: 'http://example.org/race', value: 'r1', text: null }]);
});
