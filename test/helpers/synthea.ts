import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { FHIR_BASE, type TestApp } from './test-app';

/** The Synthea sample (test/fixtures/synthea-10-patients, see its README), unmodified: one NDJSON file per type. */
export const SYNTHEA_DIR = path.resolve(__dirname, '../fixtures/synthea-10-patients');

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

/** A stored resource without what the server adds. */
export function asSent(resource: Resource): Resource {
  const { meta, ...rest } = resource;
  const { versionId: _v, lastUpdated: _l, ...kept } = meta ?? {};
  return Object.keys(kept).length > 0 ? ({ ...rest, meta: kept } as Resource) : (rest as Resource);
}

/** The number of matches of a search (`Type?query`). */
export async function total(app: TestApp, query: string): Promise<number> {
  const res = await app.http.get(`${FHIR_BASE}/${query}${query.includes('?') ? '&' : '?'}_summary=count`);
  if (res.status !== 200) throw new Error(`${query}: ${res.status} ${res.text}`);
  return res.body.total as number;
}
