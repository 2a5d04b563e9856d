import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CodeSystem, SearchParameter, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
import { list } from 'tar';
import { byCodeUnits } from '../../code-unit-order';

export type ConformanceResource = StructureDefinition | CodeSystem | ValueSet | SearchParameter;

export interface LoadedPackage {
  name: string;
  version: string;
  /** The package folder or `.tgz` file in the packages directory. */
  source: string;
  resources: ConformanceResource[];
}

const RESOURCE_TYPES: ReadonlySet<unknown> = new Set<ConformanceResource['resourceType']>(['StructureDefinition', 'CodeSystem', 'ValueSet', 'SearchParameter']);

/** A JSON file directly in `package/` of a tarball: subfolders (example/, other/, openapi/...) are not conformance content. */
const TGZ_ENTRY = /^package\/[^/]+\.json$/;

/**
 * Reads every FHIR NPM package (https://hl7.org/fhir/packages.html) in `dir`: package folders
 * (`<folder>/package/package.json` or `<folder>/package.json`) and `.tgz` files. Keeps only the
 * StructureDefinitions, CodeSystems, ValueSets and SearchParameters directly in the package
 * folder. Throws on a package without package.json or with a file that is not valid JSON, so a
 * bad package stops the server at start-up.
 */
export function readFhirPackages(dir: string): LoadedPackage[] {
  if (!existsSync(dir)) throw new Error(`FHIR_PACKAGES_DIR ${dir} does not exist`);
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const source = join(dir, entry.name);
      if (entry.isDirectory()) return [toPackage(source, readFolder(source))];
      if (entry.isFile() && entry.name.endsWith('.tgz')) return [toPackage(source, readTgz(source))];
      return [];
    })
    .sort((a, b) => byCodeUnits(a.name, b.name) || byCodeUnits(a.version, b.version));
}

/** File name → text of the JSON files directly in the package folder. */
type PackageFiles = Map<string, string>;

function readFolder(source: string): PackageFiles {
  const inner = join(source, 'package');
  const folder = existsSync(join(inner, 'package.json')) ? inner : source;
  const files = readdirSync(folder, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.json'));
  return new Map(files.map((e) => [e.name, readFileSync(join(folder, e.name), 'utf8')]));
}

function readTgz(source: string): PackageFiles {
  const files: PackageFiles = new Map();
  try {
    // With `sync: true` every entry's data and end events fire before list() returns.
    list({
      file: source,
      sync: true,
      strict: true,
      filter: (path) => TGZ_ENTRY.test(path),
      onReadEntry: (entry) => {
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => files.set(basename(entry.path), Buffer.concat(chunks).toString('utf8')));
      },
    });
  } catch (err) {
    throw new Error(`${source}: not a readable .tgz package (${(err as Error).message})`);
  }
  return files;
}

function toPackage(source: string, files: PackageFiles): LoadedPackage {
  const manifest = files.get('package.json');
  if (manifest === undefined) throw new Error(`${source}: no package.json (nor package/package.json)`);
  const { name, version } = parseJson(manifest, `${source}: package.json`) as { name?: unknown; version?: unknown };
  if (typeof name !== 'string' || typeof version !== 'string') throw new Error(`${source}: package.json has no name and version`);
  const resources = [...files]
    .sort(([a], [b]) => byCodeUnits(a, b))
    .map(([file, text]) => parseJson(text, `FHIR package ${name}#${version} (${source}): ${file}`))
    .filter((json): json is ConformanceResource => RESOURCE_TYPES.has((json as { resourceType?: unknown } | null)?.resourceType));
  return { name, version, source, resources };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} is not valid JSON (${(err as Error).message})`);
  }
}
