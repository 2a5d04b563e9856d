import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { indexStructureDefinitionBundle } from '@medplum/core';
import type { CodeSystem, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
import { isSearchParameterFile, loadCustomSearchParameters, loadPackageSearchParameters } from './custom-search-parameters';
import { baseStructureDefinition, isSupportedType, loadR4Definitions } from './definitions';
import { indexForValidation, validateBase } from './medplum-validation';
import { packageContent } from './package-content';
import { generateSnapshot } from './snapshot';
import { createTerminology, stripVersion, type Terminology } from './terminology';

type ConformanceResource = StructureDefinition | CodeSystem | ValueSet;

/** One entry per file in `fhir-profiles/`, for the CapabilityStatement. */
export interface ConformanceSummary {
  resourceType: ConformanceResource['resourceType'];
  url: string;
  name: string;
  version?: string;
  /** StructureDefinitions only: the type constrained (`Patient`, `Extension`...). */
  type?: string;
}

export interface ProfileRegistry extends Terminology {
  /** Our StructureDefinition (with its generated snapshot) by canonical URL, `|version` ignored. */
  structureDefinition(url: string): StructureDefinition | undefined;
  codeSystem(url: string): CodeSystem | undefined;
  valueSet(url: string): ValueSet | undefined;
  /** URLs of our resource profiles on a type, for CapabilityStatement.rest.resource.supportedProfile. */
  profilesFor(resourceType: string): string[];
  all(): ConformanceSummary[];
  /** `name#version` of the FHIR packages loaded. */
  packages: readonly string[];
}

/**
 * Reads every JSON file in `dir` (default `fhir-profiles/` at the project root) and what the
 * server can use of the FHIR packages in `packagesDir`, builds the snapshots of the
 * StructureDefinitions that lack one and indexes them into medplum. Throws on any file that is
 * not a valid R4 conformance resource, so a bad profile stops the server at start-up. Where a
 * package defines a URL again, the first definition (ours, then packages by name) is kept.
 */
export function loadProfiles(dir: string = defaultProfilesDir(), packagesDir?: string): ProfileRegistry {
  loadR4Definitions();
  loadCustomSearchParameters(dir);
  const own = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !isSearchParameterFile(f))
    .sort()
    .map((f) => readConformanceResource(join(dir, f)));
  const fromPackages = packagesDir ? packageContent(packagesDir) : undefined;
  if (fromPackages && packagesDir) loadPackageSearchParameters(fromPackages.searchParameters, packagesDir);
  const byUrl = new Map<string, ConformanceResource>();
  for (const r of own) {
    if (byUrl.has(r.url ?? '')) throw new Error(`${dir}: two files define ${r.url}`);
    byUrl.set(r.url ?? '', r);
  }
  for (const r of fromPackages?.definitions ?? []) if (!byUrl.has(r.url ?? '')) byUrl.set(r.url ?? '', r);
  const resources = [...byUrl.values()];
  const packageValueSets = new Set(fromPackages?.definitions.filter((r) => r.resourceType === 'ValueSet'));

  const snapshots = new Map<string, StructureDefinition>();
  const building = new Set<string>();
  const resolve = (url: string): StructureDefinition | undefined => {
    const ours = byUrl.get(url);
    if (ours?.resourceType !== 'StructureDefinition') return baseStructureDefinition(url);
    const done = snapshots.get(url);
    if (done) return done;
    if (building.has(url)) throw new Error(`${url}: its snapshot depends on itself`);
    building.add(url);
    // Package profiles are published with their snapshot.
    const sd = ours.snapshot?.element?.length ? ours : generateSnapshot(ours, resolve);
    snapshots.set(url, sd);
    return sd;
  };
  const sds = ofType<StructureDefinition>(resources, 'StructureDefinition').map((sd) => resolve(sd.url) ?? sd);
  indexStructureDefinitionBundle(sds);
  sds.forEach(indexForValidation);

  const valueSets = ofType<ValueSet>(resources, 'ValueSet');
  const terminology = createTerminology(
    ofType(resources, 'CodeSystem'),
    valueSets.filter((vs) => !packageValueSets.has(vs)),
    valueSets.filter((vs) => packageValueSets.has(vs)),
  );
  const find = <T extends ConformanceResource>(url: string, type: T['resourceType']): T | undefined => {
    const r = type === 'StructureDefinition' ? snapshots.get(stripVersion(url)) : byUrl.get(stripVersion(url));
    return r?.resourceType === type ? (r as T) : undefined;
  };
  return {
    structureDefinition: (url) => find<StructureDefinition>(url, 'StructureDefinition'),
    codeSystem: (url) => find<CodeSystem>(url, 'CodeSystem'),
    valueSet: (url) => find<ValueSet>(url, 'ValueSet'),
    contains: (valueSetUrl, system, code) => terminology.contains(valueSetUrl, system, code),
    packages: fromPackages?.packages ?? [],
    profilesFor: (resourceType) => sds.filter((sd) => sd.type === resourceType && sd.kind === 'resource').map((sd) => sd.url),
    all: () =>
      resources.map((r) => ({
        resourceType: r.resourceType,
        url: r.url ?? '',
        name: r.name ?? '',
        ...(r.version !== undefined && { version: r.version }),
        ...(r.resourceType === 'StructureDefinition' && { type: r.type }),
      })),
  };
}

function readConformanceResource(file: string): ConformanceResource {
  const r = JSON.parse(readFileSync(file, 'utf8')) as ConformanceResource;
  if (!['StructureDefinition', 'CodeSystem', 'ValueSet'].includes(r?.resourceType) || !r.url || !r.name) {
    throw new Error(`${file}: not a StructureDefinition, CodeSystem or ValueSet with a url and a name`);
  }
  if (r.resourceType === 'StructureDefinition' && r.kind === 'resource' && !isSupportedType(r.type)) {
    throw new Error(`${file}: profiles a type this server does not store (${r.type})`);
  }
  const errors = validateBase(r).filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new Error(`${file}: invalid R4 ${r.resourceType}: ${JSON.stringify(errors)}`);
  return r;
}

function ofType<T extends ConformanceResource>(resources: ConformanceResource[], type: T['resourceType']): T[] {
  return resources.filter((r): r is T => r.resourceType === type);
}

/** `fhir-profiles/` of the project root, found from here whether running from src/ or dist/src/. */
export function defaultProfilesDir(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'fhir-profiles');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`no fhir-profiles/ directory above ${__dirname}`);
  }
}
