import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Resource } from '@medplum/fhirtypes';

/** The shared Synthea sample (../shared/data/synthea-10-patients), unmodified: one NDJSON file per type. */
export const SYNTHEA_DIR = path.resolve(__dirname, '../../../shared/data/synthea-10-patients');

/** In load order: what PractitionerRoles and Locations reference comes first. */
export const SYNTHEA_TYPES = ['Organization', 'Location', 'Practitioner', 'PractitionerRole', 'Patient'] as const;

const cache = new Map<string, Resource[]>();

/** The sample's resources of one type, or of every type in load order; fresh copies each call. */
export function synthea(type?: (typeof SYNTHEA_TYPES)[number]): Resource[] {
  if (!type) return SYNTHEA_TYPES.flatMap((t) => synthea(t));
  if (!cache.has(type)) {
    const lines = readFileSync(path.join(SYNTHEA_DIR, `${type}.ndjson`), 'utf8')
      .split('\n')
      .filter(Boolean);
    cache.set(
      type,
      lines.map((line) => JSON.parse(line) as Resource),
    );
  }
  return structuredClone(cache.get(type) ?? []);
}
