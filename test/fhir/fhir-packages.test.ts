import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFhirPackages } from '../../src/fhir/validation/fhir-packages';
import { CODE_SYSTEM, PROFILE, SEARCH_PARAMETER, US_CORE_LIKE, VALUE_SET, writeTgz, writeTree } from '../helpers/fhir-package';
import { tempDir } from '../helpers/temp-dirs';

const EXPECTED_RESOURCES = [CODE_SYSTEM, SEARCH_PARAMETER, PROFILE, VALUE_SET];

test('a package folder in the FHIR cache layout (<folder>/package/package.json) gives its conformance resources only, by file name', () => {
  const dir = tempDir('fhir-packages-');
  writeTree(join(dir, 'example.us.core#1.0.0'), US_CORE_LIKE);
  expect(readFhirPackages(dir)).toEqual([
    { name: 'example.us.core', version: '1.0.0', source: join(dir, 'example.us.core#1.0.0'), resources: EXPECTED_RESOURCES },
  ]);
});

test('a .tgz package gives the same resources as the same package as a folder', () => {
  const dir = tempDir('fhir-packages-');
  writeTgz(join(dir, 'example.us.core-1.0.0.tgz'), US_CORE_LIKE);
  expect(readFhirPackages(dir)).toEqual([
    { name: 'example.us.core', version: '1.0.0', source: join(dir, 'example.us.core-1.0.0.tgz'), resources: EXPECTED_RESOURCES },
  ]);
});

test('a folder that itself holds package.json is a package', () => {
  const dir = tempDir('fhir-packages-');
  writeTree(join(dir, 'node_modules_style'), {
    'package.json': { name: 'example.flat', version: '2.0.0' },
    'ValueSet-example-gender.json': VALUE_SET,
    'ImplementationGuide-example.flat.json': { resourceType: 'ImplementationGuide', id: 'example.flat', status: 'active' },
  });
  expect(readFhirPackages(dir)).toEqual([{ name: 'example.flat', version: '2.0.0', source: join(dir, 'node_modules_style'), resources: [VALUE_SET] }]);
});

test('packages come sorted by name whatever their form and file name, and other files in the directory are ignored', () => {
  const dir = tempDir('fhir-packages-');
  writeTree(join(dir, 'a-folder'), { 'package/package.json': { name: 'z.last', version: '1.0.0' }, 'package/CodeSystem-example-race.json': CODE_SYSTEM });
  writeTgz(join(dir, 'b.tgz'), { 'package/package.json': { name: 'm.middle', version: '1.0.0' }, 'package/ValueSet-example-gender.json': VALUE_SET });
  writeTree(join(dir, 'c-folder'), { 'package/package.json': { name: 'a.first', version: '1.0.0' } });
  writeTree(dir, { 'README.txt': 'not a package', 'notes.json': { name: 'not.a.package' } });
  const packages = readFhirPackages(dir);
  expect(packages.map((p) => [p.name, p.resources.map((r) => r.resourceType)])).toEqual([
    ['a.first', []],
    ['m.middle', ['ValueSet']],
    ['z.last', ['CodeSystem']],
  ]);
});

test('a file that is not valid JSON stops loading with an error naming the package and the file, in a folder or a .tgz', () => {
  const broken = { ...US_CORE_LIKE, 'package/ValueSet-broken.json': '{ "resourceType": "ValueSet", ' };
  const folderDir = tempDir('fhir-packages-');
  writeTree(join(folderDir, 'pkg'), broken);
  expect(() => readFhirPackages(folderDir)).toThrow(/example\.us\.core#1\.0\.0 .*\/pkg\): ValueSet-broken\.json is not valid JSON/);

  const tgzDir = tempDir('fhir-packages-');
  writeTgz(join(tgzDir, 'pkg.tgz'), broken);
  expect(() => readFhirPackages(tgzDir)).toThrow(/example\.us\.core#1\.0\.0 .*\/pkg\.tgz\): ValueSet-broken\.json is not valid JSON/);
});

test('a package without package.json, or with one that lacks name and version, is an error naming it', () => {
  const noManifest = tempDir('fhir-packages-');
  writeTree(join(noManifest, 'orphan'), { 'package/ValueSet-example-gender.json': VALUE_SET });
  expect(() => readFhirPackages(noManifest)).toThrow(`${join(noManifest, 'orphan')}: no package.json`);

  const noVersion = tempDir('fhir-packages-');
  writeTgz(join(noVersion, 'nameless.tgz'), { 'package/package.json': { name: 'example.no.version' } });
  expect(() => readFhirPackages(noVersion)).toThrow(`${join(noVersion, 'nameless.tgz')}: package.json has no name and version`);
});

test('a .tgz that is not a gzip tarball is an error naming it', () => {
  const dir = tempDir('fhir-packages-');
  writeFileSync(join(dir, 'junk.tgz'), 'not a tarball');
  expect(() => readFhirPackages(dir)).toThrow(`${join(dir, 'junk.tgz')}: not a readable .tgz package`);
});

test('a directory that does not exist is an error; an empty one has no packages', () => {
  const missing = join(tempDir('fhir-packages-'), 'missing');
  expect(() => readFhirPackages(missing)).toThrow(`FHIR_PACKAGES_DIR ${missing} does not exist`);
  expect(readFhirPackages(tempDir('fhir-packages-'))).toEqual([]);
});
