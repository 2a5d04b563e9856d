import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CodeSystem, SearchParameter, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
import { create } from 'tar';
import { tempDir } from './temp-dirs';

/*
 * A small US-Core-like FHIR package: a Patient profile with a must-support identifier (min 1)
 * and a required binding on gender, its value set, a code system and a search parameter,
 * beside files a loader must ignore.
 */

export const PROFILE: StructureDefinition = {
  resourceType: 'StructureDefinition',
  id: 'example-patient',
  url: 'http://example.org/fhir/StructureDefinition/example-patient',
  version: '1.0.0',
  name: 'ExamplePatient',
  status: 'active',
  kind: 'resource',
  abstract: false,
  type: 'Patient',
  baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Patient',
  derivation: 'constraint',
  differential: {
    element: [
      { id: 'Patient', path: 'Patient' },
      { id: 'Patient.identifier', path: 'Patient.identifier', min: 1, mustSupport: true },
      {
        id: 'Patient.gender',
        path: 'Patient.gender',
        mustSupport: true,
        binding: { strength: 'required', valueSet: 'http://example.org/fhir/ValueSet/example-gender' },
      },
    ],
  },
};

export const VALUE_SET: ValueSet = {
  resourceType: 'ValueSet',
  id: 'example-gender',
  url: 'http://example.org/fhir/ValueSet/example-gender',
  version: '1.0.0',
  name: 'ExampleGender',
  status: 'active',
  compose: { include: [{ system: 'http://hl7.org/fhir/administrative-gender', concept: [{ code: 'female' }, { code: 'male' }] }] },
};

export const CODE_SYSTEM: CodeSystem = {
  resourceType: 'CodeSystem',
  id: 'example-race',
  url: 'http://example.org/fhir/CodeSystem/example-race',
  version: '1.0.0',
  name: 'ExampleRace',
  status: 'active',
  content: 'complete',
  concept: [{ code: 'a', display: 'A' }],
};

export const SEARCH_PARAMETER: SearchParameter = {
  resourceType: 'SearchParameter',
  id: 'example-patient-race',
  url: 'http://example.org/fhir/SearchParameter/example-patient-race',
  version: '1.0.0',
  name: 'ExamplePatientRace',
  status: 'active',
  description: 'Race of the patient',
  code: 'race',
  base: ['Patient'],
  type: 'token',
  expression: "Patient.extension.where(url = 'http://example.org/fhir/StructureDefinition/example-race').value",
};

/** An extension allowed on a data type (ContactPoint), wherever that type is used — as US Core's us-core-direct is. */
export const DIRECT_EXTENSION: StructureDefinition = {
  resourceType: 'StructureDefinition',
  id: 'example-direct',
  url: 'http://example.org/fhir/StructureDefinition/example-direct',
  version: '1.0.0',
  name: 'ExampleDirect',
  status: 'active',
  kind: 'complex-type',
  abstract: false,
  context: [{ type: 'element', expression: 'ContactPoint' }],
  type: 'Extension',
  baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Extension',
  derivation: 'constraint',
  differential: {
    element: [
      { id: 'Extension', path: 'Extension' },
      { id: 'Extension.extension', path: 'Extension.extension', max: '0' },
      { id: 'Extension.url', path: 'Extension.url', fixedUri: 'http://example.org/fhir/StructureDefinition/example-direct' },
      { id: 'Extension.value[x]', path: 'Extension.value[x]', min: 1, type: [{ code: 'boolean' }] },
    ],
  },
};

/** Paths relative to the package root, not in file name order (the order the loader must return). */
export const US_CORE_LIKE: Record<string, unknown> = {
  'package/package.json': { name: 'example.us.core', version: '1.0.0', fhirVersions: ['4.0.1'], dependencies: { 'hl7.fhir.r4.core': '4.0.1' } },
  'package/.index.json': { 'index-version': 1, files: [{ filename: 'ValueSet-example-gender.json', resourceType: 'ValueSet', id: 'example-gender' }] },
  'package/ValueSet-example-gender.json': VALUE_SET,
  'package/StructureDefinition-example-patient.json': PROFILE,
  'package/SearchParameter-example-patient-race.json': SEARCH_PARAMETER,
  'package/CodeSystem-example-race.json': CODE_SYSTEM,
  'package/ImplementationGuide-example.us.core.json': { resourceType: 'ImplementationGuide', id: 'example.us.core', status: 'active' },
  'package/example/Patient-example.json': { resourceType: 'Patient', id: 'example' },
  // Conformance resources in a subfolder are not part of the package's definitions.
  'package/other/ValueSet-not-loaded.json': { ...VALUE_SET, id: 'not-loaded', url: 'http://example.org/fhir/ValueSet/not-loaded' },
  'package/README.md': '# not JSON',
};
/** Writes `files` (objects as JSON, strings as they are) under `root`. */
export function writeTree(root: string, files: Record<string, unknown>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
}

/** Packs `files` (paths under `package/`) into `file` as an NPM package tarball, its entries in the order of `files`. */
export function writeTgz(file: string, files: Record<string, unknown>): void {
  const root = tempDir('fhir-package-src-');
  writeTree(root, files);
  create({ gzip: true, file, cwd: root, sync: true }, Object.keys(files));
}
