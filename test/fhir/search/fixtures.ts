import { randomUUID } from 'node:crypto';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { FHIR_BASE, type TestApp } from '../../helpers/test-app';

/** A value no other test (or run) uses: searches on it see only this test's data. */
export const unique = (prefix = 'u'): string => `${prefix}${randomUUID().replace(/-/g, '').slice(0, 12)}`;

/** Creates a resource through the API and answers it as stored. */
export async function create<T extends Resource>(t: TestApp, resource: T): Promise<T & { id: string; meta: { versionId: string; lastUpdated: string } }> {
  const res = await t.http.post(`${FHIR_BASE}/${resource.resourceType}`).set('content-type', 'application/fhir+json').send(resource);
  if (res.status !== 201) throw new Error(`create ${resource.resourceType} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** GET search `Type?query` (query already encoded where it matters); asserts nothing. */
export function get(t: TestApp, path: string) {
  return t.http.get(`${FHIR_BASE}/${path}`);
}

/** GET search that must answer 200; the Bundle. */
export async function search(t: TestApp, path: string): Promise<Bundle> {
  const res = await get(t, path);
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as Bundle;
}

/** Ids of the entries with search.mode `match` (sorted unless `ordered`). */
export function matchIds(bundle: Bundle, ordered = false): string[] {
  const ids = (bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource?.id as string);
  return ordered ? ids : ids.sort();
}

/** `Type/id` of the entries with search.mode `include`, sorted. */
export function includedRefs(bundle: Bundle): string[] {
  return (bundle.entry ?? [])
    .filter((e) => e.search?.mode === 'include')
    .map((e) => `${e.resource?.resourceType}/${e.resource?.id}`)
    .sort();
}

export const sorted = (ids: string[]): string[] => [...ids].sort();
