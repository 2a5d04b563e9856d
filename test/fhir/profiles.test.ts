import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StructureDefinition } from '@medplum/fhirtypes';
import { EXT, PROFILE, SYSTEM, VALUE_SET } from '../../mappings/fhir-urls';
import { defaultProfilesDir, loadProfiles, type ProfileRegistry } from '../../src/fhir/validation/profiles';
import { tempDir } from '../helpers/temp-dirs';

let registry: ProfileRegistry;
beforeAll(() => {
  registry = loadProfiles();
});

const PROFILES_DIR = defaultProfilesDir();
const readProfileFile = (name: string): StructureDefinition => JSON.parse(readFileSync(join(PROFILES_DIR, name), 'utf8'));

function dirWith(files: Record<string, unknown>): string {
  const dir = tempDir('fhir-profiles-');
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(content));
  return dir;
}

test('the default directory is fhir-profiles/ at the project root', () => {
  expect(PROFILES_DIR).toBe(join(__dirname, '..', '..', 'fhir-profiles'));
});

test('every StructureDefinition, CodeSystem and ValueSet file in fhir-profiles/ loads as one conformance resource', () => {
  // SearchParameter files are indexed for search (custom-search-parameters.ts), not listed here.
  const files = readdirSync(PROFILES_DIR).filter((f) => f.endsWith('.json') && !f.startsWith('SearchParameter-'));
  expect(registry.all()).toHaveLength(files.length);
  for (const file of files) {
    const { resourceType, url } = JSON.parse(readFileSync(join(PROFILES_DIR, file), 'utf8'));
    expect(file).toMatch(new RegExp(`^${resourceType}-`));
    expect(registry.all()).toContainEqual(expect.objectContaining({ resourceType, url, version: '1.0.0' }));
  }
});

test('every extension and profile URL in mappings/fhir-urls.ts has a StructureDefinition with a snapshot', () => {
  for (const url of Object.values(EXT)) expect(registry.structureDefinition(url)?.type).toBe('Extension');
  for (const url of Object.values(PROFILE)) expect(registry.structureDefinition(url)?.snapshot?.element.length).toBeGreaterThan(10);
});

test('our code systems and value sets are loaded under the URLs of mappings/fhir-urls.ts', () => {
  for (const url of [SYSTEM.facadePractitionerRole, SYSTEM.qualificationType, SYSTEM.labPanel]) {
    expect(registry.codeSystem(url)?.url).toBe(url);
  }
  for (const url of Object.values(VALUE_SET)) expect(registry.valueSet(url)?.url).toBe(url);
});

test('profilesFor lists the resource profiles of a type, not the extensions', () => {
  expect(registry.profilesFor('Patient')).toEqual([PROFILE.v1Patient]);
  expect(registry.profilesFor('Practitioner')).toEqual([PROFILE.v1Physician]);
  expect(registry.profilesFor('PractitionerRole')).toEqual([PROFILE.v1PractitionerRole]);
  expect(registry.profilesFor('ServiceRequest')).toEqual([PROFILE.labOrder]);
  expect(registry.profilesFor('Organization')).toEqual([]);
  expect(registry.profilesFor('Extension')).toEqual([]);
});

test('a canonical with a |version suffix finds the same definition', () => {
  expect(registry.structureDefinition(`${PROFILE.v1Patient}|1.0.0`)?.url).toBe(PROFILE.v1Patient);
});

test('the files hold differentials only; the snapshot is built at load from the base resource', () => {
  expect(readProfileFile('StructureDefinition-v1-patient.json').snapshot).toBeUndefined();
  const elements = registry.structureDefinition(PROFILE.v1Patient)?.snapshot?.element ?? [];
  const byId = (id: string) => elements.find((e) => e.id === id);
  expect(byId('Patient.birthDate')).toMatchObject({ min: 0, max: '1' });
  expect(byId('Patient.name')).toMatchObject({ min: 1, max: '*' });
  expect(byId('Patient.extension')).toMatchObject({ min: 1, slicing: { discriminator: [{ type: 'value', path: 'url' }] } });
  expect(byId('Patient.extension:brandId')).toMatchObject({ sliceName: 'brandId', min: 1, max: '1' });
  expect(byId('Patient.extension:brandId.url')).toMatchObject({ path: 'Patient.extension.url', fixedUri: EXT.brandId });
  expect(byId('Patient.extension:brandId.value[x]')?.type).toEqual([{ code: 'string' }]);
});

test('the practitioner-role value set holds the three HL7 roles and ours', () => {
  const contains = (system: string, code: string) => registry.contains(VALUE_SET.practitionerRole, system, code);
  for (const code of ['doctor', 'nurse', 'pharmacist']) expect(contains(SYSTEM.hl7PractitionerRole, code)).toBe(true);
  for (const code of ['admin', 'consultant']) expect(contains(SYSTEM.facadePractitionerRole, code)).toBe(true);
  expect(contains(SYSTEM.hl7PractitionerRole, 'admin')).toBe(false);
  expect(contains(SYSTEM.hl7PractitionerRole, 'researcher')).toBe(false);
});

test('the lab-panel value set holds exactly the three panels', () => {
  const panels = registry.codeSystem(SYSTEM.labPanel)?.concept?.map((c) => c.code);
  expect(panels).toEqual(['hashimotos', 'pcos', 'fertility']);
  for (const code of panels ?? []) expect(registry.contains(VALUE_SET.labPanel, SYSTEM.labPanel, code)).toBe(true);
  expect(registry.contains(VALUE_SET.labPanel, SYSTEM.labPanel, 'thyroid')).toBe(false);
  expect(registry.contains('http://hl7.org/fhir/ValueSet/not-ours', SYSTEM.labPanel, 'pcos')).toBeUndefined();
});

test('a differential element that is not in the base is refused at load', () => {
  const sd = readProfileFile('StructureDefinition-v1-practitioner-role.json');
  const broken = { ...sd, differential: { element: [{ id: 'PractitionerRole.nickname', path: 'PractitionerRole.nickname', min: 1 }] } };
  expect(() => loadProfiles(dirWith({ 'StructureDefinition-broken.json': broken }))).toThrow(/PractitionerRole.nickname is not in the base/);
});

test('a differential that widens the base cardinality is refused at load', () => {
  const sd = readProfileFile('StructureDefinition-v1-practitioner-role.json');
  const wider = { ...sd, differential: { element: [{ id: 'PractitionerRole.practitioner', path: 'PractitionerRole.practitioner', max: '*' }] } };
  expect(() => loadProfiles(dirWith({ 'StructureDefinition-wider.json': wider }))).toThrow(/raises max/);
});

test('two files defining the same URL are refused at load', () => {
  const sd = readProfileFile('StructureDefinition-v1-practitioner-role.json');
  expect(() => loadProfiles(dirWith({ 'a.json': sd, 'b.json': { ...sd, id: 'copy' } }))).toThrow(/two files define/);
});

test('a file that is not valid R4 is refused at load, naming the file', () => {
  const cs = { resourceType: 'CodeSystem', url: 'https://example.org/cs', name: 'Broken', status: 'active', content: 'complete', count: -1 };
  expect(() => loadProfiles(dirWith({ 'CodeSystem-broken.json': cs }))).toThrow(/CodeSystem-broken.json: invalid R4 CodeSystem/);
});

test('a value set including a whole code system that is not ours is refused at load', () => {
  const vs = {
    resourceType: 'ValueSet',
    url: 'https://example.org/vs',
    name: 'Loinc',
    status: 'active',
    compose: { include: [{ system: 'http://loinc.org' }] },
  };
  expect(() => loadProfiles(dirWith({ 'ValueSet-loinc.json': vs }))).toThrow(/http:\/\/loinc.org/);
});
