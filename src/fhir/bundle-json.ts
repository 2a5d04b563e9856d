import type { Bundle } from '@medplum/fhirtypes';
import { allOk } from '../problems/outcomes';
import { LazyResult } from './lazy-result';
import type { FhirResult } from './request';

/**
 * A Bundle answer written around the stored JSON text of its resources, when every entry has
 * its text (`entryJson`): parsing each resource only to serialise it again was most of what an
 * entry cost the server. `skeleton` is the Bundle without `entry`; `build` makes the Bundle
 * itself, only for whoever asks for it (a batch entry) or when some entry has no text.
 */
export function bundleResult(skeleton: Bundle, entries: readonly (string | undefined)[], build: () => Bundle): FhirResult {
  if (!entries.every((entry) => entry !== undefined)) return { outcome: allOk(), resource: build() };
  const head = JSON.stringify(skeleton);
  return new LazyResult(entries.length === 0 ? head : `${head.slice(0, -1)},"entry":[${entries.join(',')}]}`, build);
}

/** `{...before, resource, ...after}` as JSON text, the resource being its stored text as is. */
export function entryJson(before: Record<string, unknown>, resource: string, after: Record<string, unknown>): string {
  return `${JSON.stringify(before).slice(0, -1)},"resource":${resource},${JSON.stringify(after).slice(1)}`;
}
