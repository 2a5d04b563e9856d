import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { loadR4Definitions } from '../../src/fhir/validation/definitions';
import { isProvenValidBase } from '../../src/fhir/validation/proven-valid';
import { checkInheritedNames } from '../../src/fhir/validation/inherited-names';
import { checkElementShapes } from '../../src/fhir/validation/element-shapes';
import { syntheaLikePatient } from '../../bench/fixtures';
import { anyResource } from '../fuzz/fhir-resources';
import { mutate, mutationArb } from '../fuzz/mutations';
import { tryParse } from '../fuzz/json-text';
import { r4Examples } from '../helpers/r4-examples';
import { RUNS, fuzzParams } from '../fuzz/settings';

/*
 * The walk of present members (proven-valid.ts) may only ever say "valid" where medplum's
 * validator finds no error: checked here against medplum itself, on the official examples, the
 * Synthea sample, generated resources and thousands of mutations of them. Over HTTP the same
 * guarantee shows as the validation suites passing unchanged (an invalid resource is still
 * described by medplum's issues).
 */

beforeAll(() => loadR4Definitions());

/**
 * What the validator checks before medplum and skips for a proven resource: names inherited from
 * Object.prototype and the JSON shapes medplum lets through.
 */
function checkedBeforeMedplum(resource: Record<string, unknown>): string[] {
  const issues = [...checkInheritedNames(resource, String(resource.resourceType)), ...checkElementShapes(resource as unknown as Resource)];
  return errorsOf(issues);
}

/** medplum's verdict: the error issues it reports (thrown or returned). */
function medplumErrors(resource: unknown): string[] {
  try {
    return errorsOf(validateResource(resource as Resource));
  } catch (err) {
    if (err instanceof OperationOutcomeError) return errorsOf(err.outcome.issue ?? []);
    return [`threw ${String(err)}`];
  }
}

const errorsOf = (issues: { severity?: string; expression?: string[]; details?: { text?: string } }[]): string[] =>
  issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').map((i) => `${i.expression?.join(',')}: ${i.details?.text}`);

const FIXTURES = join(__dirname, '../fixtures/synthea-10-patients');
const syntheaResources = ['Patient', 'Practitioner', 'PractitionerRole', 'Organization', 'Location'].flatMap((type) =>
  readFileSync(join(FIXTURES, `${type}.ndjson`), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>),
);

const corpus: [string, Record<string, unknown>][] = [
  ...r4Examples().map((e) => [e.file, e.resource as unknown as Record<string, unknown>] as [string, Record<string, unknown>]),
  ...syntheaResources.map((r) => [`synthea ${String(r.resourceType)}/${String(r.id)}`, r] as [string, Record<string, unknown>]),
  ['benchmark Patient', syntheaLikePatient('MRN-1', 1)],
];

test('on the examples, the Synthea sample and the benchmark Patient: proven valid only where medplum finds no error, and most valid ones are proven', () => {
  let valid = 0;
  let proven = 0;
  for (const [name, resource] of corpus) {
    const errors = medplumErrors(resource);
    if (errors.length === 0) valid += 1;
    if (!isProvenValidBase(resource)) continue;
    proven += 1;
    expect({ name, errors: [...errors, ...checkedBeforeMedplum(resource)] }).toEqual({ name, errors: [] });
  }
  // The walk is worth having only if the resources a server sees are proven without medplum.
  expect(valid).toBeGreaterThan(80);
  expect(proven / valid).toBeGreaterThan(0.8);
  expect(isProvenValidBase(syntheaLikePatient('MRN-2', 2))).toBe(true);
  for (const r of syntheaResources) expect(isProvenValidBase(r)).toBe(true);
});

test('never proves a mutated resource that medplum refuses', () => {
  let refused = 0;
  let proven = 0;
  fc.assert(
    fc.property(anyResource, mutationArb, ({ resource }, mutation) => {
      const body = tryParse(mutate(resource, mutation).text);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
      const errors = medplumErrors(body);
      if (errors.length > 0) refused += 1;
      if (!isProvenValidBase(body as Record<string, unknown>)) return;
      proven += 1;
      expect([...errors, ...checkedBeforeMedplum(body as Record<string, unknown>)]).toEqual([]);
    }),
    { ...fuzzParams(), numRuns: Math.max(3000, RUNS) },
  );
  // Both sides of the property were exercised: mutations medplum refuses, and mutations still valid.
  expect(refused).toBeGreaterThan(1000);
  expect(proven).toBeGreaterThan(100);
});

test('never proves a generated resource that medplum refuses, and proves the generated ones medplum accepts', () => {
  let accepted = 0;
  let proven = 0;
  fc.assert(
    fc.property(anyResource, ({ resource: generated }) => {
      // As a request body arrives: parsed JSON (the generator's objects may have no prototype).
      const resource = JSON.parse(JSON.stringify(generated)) as Record<string, unknown>;
      const errors = medplumErrors(resource);
      const isProven = isProvenValidBase(resource);
      if (errors.length === 0) accepted += 1;
      if (isProven) proven += 1;
      if (isProven) expect([...errors, ...checkedBeforeMedplum(resource)]).toEqual([]);
    }),
    { ...fuzzParams(), numRuns: Math.max(1000, RUNS) },
  );
  expect(proven / accepted).toBeGreaterThan(0.8);
});

test.each([
  ['an unknown element', { resourceType: 'Patient', nickname: 'Al' }],
  ['a single value where the element repeats', { resourceType: 'Patient', name: { family: 'Kuhn' } }],
  ['an array where the element does not repeat', { resourceType: 'Patient', gender: ['male'] }],
  ['a number for a code', { resourceType: 'Patient', gender: 1 }],
  ['a malformed date', { resourceType: 'Patient', birthDate: '1990-13-01' }],
  ['a blank string', { resourceType: 'Patient', name: [{ family: '   ' }] }],
  ['an empty object', { resourceType: 'Patient', maritalStatus: {} }],
  ['a null', { resourceType: 'Patient', gender: null }],
  ['a missing required element', { resourceType: 'ServiceRequest', status: 'active', intent: 'order' }],
  ['two types of one choice', { resourceType: 'Patient', deceasedBoolean: true, deceasedDateTime: '2020-01-01' }],
  [
    'an extension with a value and extensions (ext-1)',
    { resourceType: 'Patient', extension: [{ url: 'http://x.org/e', valueString: 'a', extension: [{ url: 'b', valueString: 'c' }] }] },
  ],
  ['an extension with neither (ext-1)', { resourceType: 'Patient', extension: [{ url: 'http://x.org/e' }] }],
  ['a contact with nothing to reach (pat-1)', { resourceType: 'Patient', contact: [{ gender: 'male' }] }],
  ['a fraction for an integer', { resourceType: 'Patient', multipleBirthInteger: 1.5 }],
  ['a primitive extension twin', { resourceType: 'Patient', _gender: { extension: [{ url: 'http://x.org/e', valueString: 'a' }] }, gender: 'male' }],
  ['a contained resource', { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'o', name: 'Org' }] }],
  ['an element named like a JavaScript object member', JSON.parse('{"resourceType": "Patient", "__proto__": {"gender": "male"}}') as Record<string, unknown>],
  ['a nested member named like a JavaScript object member', { resourceType: 'Patient', name: [{ family: 'Kuhn', constructor: 'x' }] }],
  ['a primitive written as an object', { resourceType: 'Patient', birthDate: {} }],
  ['an empty array', { resourceType: 'Patient', name: [] }],
])('%s is left to medplum', (_what, resource) => {
  expect(isProvenValidBase(resource)).toBe(false);
});
