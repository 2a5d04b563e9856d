import { readFileSync } from 'node:fs';
import type { Resource } from '@medplum/fhirtypes';
import { join } from 'node:path';
import fc from 'fast-check';
import { evalFhirPathTyped, getParsedExpressionForResourceType, getSearchParameters, toTypedValue, type TypedValue } from '@medplum/core';
import { loadProfiles } from '../../src/fhir/validation/profiles';
import { createValidator, type Validator } from '../../src/fhir/validation/validation';
import { followPlainPaths, plainPathsOf } from '../../src/fhir/indexing/plain-paths';
import { syntheaLikePatient } from '../../bench/fixtures';
import { anyResource, FHIR_TYPES } from '../fuzz/fhir-resources';
import { mutate, mutationArb } from '../fuzz/mutations';
import { tryParse } from '../fuzz/json-text';
import { RUNS, fuzzParams } from '../fuzz/settings';
import { r4Examples } from '../helpers/r4-examples';

/*
 * Search parameters that are plain paths are followed over the JSON (plain-paths.ts) instead of
 * evaluated as FHIRPath: here both are asked for every parameter of every resource of a corpus,
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

/** For each plain-path parameter of the resource's type: [code, walked, FHIRPath] where the walk answered. */
function compare(resource: Record<string, unknown>): { code: string; walked: string[]; fhirpath: string[] }[] {
  const type = String(resource.resourceType);
  const root = toTypedValue(resource);
  return Object.values(getSearchParameters(type) ?? {}).flatMap((param) => {
    const paths = param.expression ? plainPathsOf(param.expression, type) : undefined;
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
