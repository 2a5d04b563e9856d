import fc from 'fast-check';
import type { Resource, StructureDefinition } from '@medplum/fhirtypes';
import { EXT, PROFILE, SYSTEM } from '../../mappings/fhir-urls';
import { loadR4Definitions } from '../../src/fhir/validation/definitions';
import { medplumBaseIssues, validateAgainst } from '../../src/fhir/validation/medplum-validation';
import { loadProfiles } from '../../src/fhir/validation/profiles';
import { provenConformant } from '../../src/fhir/validation/proven-conformant';
import { checkElementShapes } from '../../src/fhir/validation/element-shapes';
import { checkInheritedNames } from '../../src/fhir/validation/inherited-names';
import { mutate, mutationArb } from '../fuzz/mutations';
import { tryParse } from '../fuzz/json-text';
import { RUNS, fuzzParams } from '../fuzz/settings';

/*
 * The reading of our profiles' differentials (proven-conformant.ts) may only say "conforms" where
 * medplum, validating against the whole snapshot, finds no error: checked here against medplum
 * itself, on a conforming resource of each profile, on the ways each rule can be broken, and on
 * thousands of mutations. Over HTTP the same guarantee shows as the /v1 and profile suites passing
 * unchanged (a resource not proven is still described by medplum's issues).
 */

const registry = loadProfiles();
beforeAll(() => loadR4Definitions());

const profile = (url: string): StructureDefinition => {
  const sd = registry.structureDefinition(url);
  if (!sd) throw new Error(`no profile ${url}`);
  return sd;
};

const errorsOf = (issues: { severity?: string; expression?: string[]; details?: { text?: string } }[]): string[] =>
  issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').map((i) => `${i.expression?.join(',')}: ${i.details?.text}`);

/** What the validator requires before it reads a profile: a valid base resource. */
function baseValid(resource: Record<string, unknown>): boolean {
  const type = String(resource.resourceType);
  if (errorsOf([...checkInheritedNames(resource as unknown as Resource, type), ...checkElementShapes(resource as unknown as Resource)]).length > 0) return false;
  return errorsOf(medplumBaseIssues(resource as unknown as Resource)).length === 0;
}

const brand = (value = 'acme') => ({ url: EXT.brandId, valueString: value });
const other = { url: 'http://example.org/fhir/StructureDefinition/other', valueString: 'x' };

const conforming: Record<string, Record<string, unknown>> = {
  [PROFILE.v1Patient]: {
    resourceType: 'Patient',
    meta: { profile: [PROFILE.v1Patient] },
    extension: [brand()],
    name: [{ family: 'Kuhn', given: ['Ava'] }],
    gender: 'female',
    birthDate: '1980-04-02',
  },
  [PROFILE.labOrder]: {
    resourceType: 'ServiceRequest',
    meta: { profile: [PROFILE.labOrder] },
    extension: [brand()],
    status: 'active',
    intent: 'order',
    category: [{ coding: [{ system: 'http://snomed.info/sct', code: '108252007' }] }],
    code: { coding: [{ system: SYSTEM.labPanel, code: 'pcos' }] },
    subject: { reference: 'Patient/p1' },
  },
  [PROFILE.v1PractitionerRole]: {
    resourceType: 'PractitionerRole',
    meta: { profile: [PROFILE.v1PractitionerRole] },
    practitioner: { reference: 'Practitioner/d1' },
    code: [{ coding: [{ system: SYSTEM.facadePractitionerRole, code: 'consultant' }] }],
  },
};

/** Each rule of each profile broken, kept, or left to medplum. */
const variants: [string, string, (r: Record<string, unknown>) => Record<string, unknown>][] = [
  [PROFILE.v1Patient, 'no brand', ({ extension: _, ...r }) => r],
  [PROFILE.v1Patient, 'two brands', (r) => ({ ...r, extension: [brand('a'), brand('b')] })],
  [PROFILE.v1Patient, 'an extension of another definition beside the brand', (r) => ({ ...r, extension: [brand(), other] })],
  [PROFILE.v1Patient, 'only an extension of another definition', (r) => ({ ...r, extension: [other] })],
  [PROFILE.v1Patient, 'no name', ({ name: _, ...r }) => r],
  [PROFILE.v1Patient, 'two names', (r) => ({ ...r, name: [{ family: 'Kuhn' }, { family: 'Ortiz' }] })],
  [PROFILE.v1Patient, 'two metadata extensions', (r) => ({ ...r, extension: [brand(), { url: EXT.metadata, valueString: '{}' }, { url: EXT.metadata, valueString: '{}' }] })],
  [PROFILE.labOrder, 'no category', ({ category: _, ...r }) => r],
  [PROFILE.labOrder, 'no code', ({ code: _, ...r }) => r],
  [PROFILE.labOrder, 'a Group as subject', (r) => ({ ...r, subject: { reference: 'Group/g1' } })],
  [PROFILE.labOrder, 'no brand', ({ extension: _, ...r }) => r],
  [PROFILE.v1PractitionerRole, 'no practitioner', ({ practitioner: _, ...r }) => r],
  [PROFILE.v1PractitionerRole, 'no code', ({ code: _, ...r }) => r],
  [PROFILE.v1PractitionerRole, 'two codes', (r) => ({ ...r, code: [...(r.code as unknown[]), { text: 'Other' }] })],
];

/** The property: proven means medplum, against the whole profile, reports no error. */
function checkAgainstMedplum(url: string, resource: Record<string, unknown>): boolean {
  const proven = provenConformant(profile(url), resource);
  if (proven) expect({ url, resource, errors: errorsOf(validateAgainst(profile(url), resource)) }).toEqual({ url, resource, errors: [] });
  return proven;
}

test('proves each conforming resource, and never one medplum refuses', () => {
  for (const [url, resource] of Object.entries(conforming)) {
    expect(baseValid(resource)).toBe(true);
    expect(checkAgainstMedplum(url, resource)).toBe(true);
  }
  for (const [url, name, change] of variants) {
    const resource = change(conforming[url]!);
    if (!baseValid(resource)) continue;
    const refused = errorsOf(validateAgainst(profile(url), resource)).length > 0;
    const proven = checkAgainstMedplum(url, resource);
    // A rule broken is never proven; one kept is proven unless a rule medplum reads apart (a target type) decides.
    if (refused) expect({ name, proven }).toEqual({ name, proven: false });
  }
  expect(provenConformant(profile(PROFILE.v1Patient), { ...conforming[PROFILE.v1Patient]!, extension: [brand(), other] })).toBe(true);
});

test('leaves to medplum a profile whose rules it does not read', () => {
  const physician = profile(PROFILE.v1Physician);
  expect(provenConformant(physician, { resourceType: 'Practitioner', meta: { profile: [PROFILE.v1Physician] }, name: [{ family: 'Kuhn' }] })).toBe(false);
  const withInvariant: StructureDefinition = {
    ...profile(PROFILE.v1Patient),
    differential: { element: [{ id: 'Patient', path: 'Patient', constraint: [{ key: 'x-1', severity: 'error', human: 'x', expression: 'name.exists()' }] }] },
  };
  expect(provenConformant(withInvariant, conforming[PROFILE.v1Patient]!)).toBe(false);
  // A primitive's extension twin is not counted here: medplum decides.
  expect(provenConformant(profile(PROFILE.v1Patient), { ...conforming[PROFILE.v1Patient]!, _name: [{ extension: [other] }] })).toBe(false);
});

test('never proves a mutated resource that medplum refuses', () => {
  let refused = 0;
  let proven = 0;
  const urls = Object.keys(conforming);
  fc.assert(
    fc.property(fc.constantFrom(...urls), mutationArb, (url, mutation) => {
      const body = tryParse(mutate(conforming[url], mutation).text);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
      const resource = body as Record<string, unknown>;
      if (resource.resourceType !== conforming[url]!.resourceType || !baseValid(resource)) return;
      if (errorsOf(validateAgainst(profile(url), resource)).length > 0) refused += 1;
      if (checkAgainstMedplum(url, resource)) proven += 1;
    }),
    { ...fuzzParams(), numRuns: Math.max(1500, RUNS) },
  );
  // Both sides of the property were exercised: mutations medplum refuses, and mutations still conforming.
  expect(refused).toBeGreaterThan(15);
  expect(proven).toBeGreaterThan(150);
});
