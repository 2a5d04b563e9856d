import { badRequest, fail, outcome } from '../../problems/outcomes';
import { isObject } from '../validation/profile-rules';
import type { FhirRequest } from '../request';
import type { FhirRoute } from '../request';
import { parseEntry, type BundleRequestEntry } from './parse-entry';

/** Larger Bundles are refused with 413 (docs/bundles.md): one transaction holds its locks until the end. */
export const MAX_BUNDLE_ENTRIES = 1000;

export interface BundleRequest {
  type: 'batch' | 'transaction';
  entries: BundleRequestEntry[];
}

/** The request body as a batch or transaction, every entry checked before any is run. */
export function parseBundle(req: FhirRequest, routes: readonly FhirRoute[]): BundleRequest {
  const bundle = req.body;
  if (!isObject(bundle) || bundle.resourceType !== 'Bundle') {
    fail(badRequest('POST to the FHIR base takes a Bundle of type batch or transaction', 'Bundle'));
  }
  const { type, entry = [] } = bundle;
  if (type !== 'batch' && type !== 'transaction') {
    fail(badRequest(`Bundle.type must be batch or transaction, not ${JSON.stringify(type) ?? 'absent'}`, 'Bundle.type'));
  }
  if (!Array.isArray(entry)) fail(badRequest('Bundle.entry must be an array', 'Bundle.entry'));
  if (entry.length > MAX_BUNDLE_ENTRIES) {
    fail(outcome('payloadTooLarge', `A Bundle may hold at most ${MAX_BUNDLE_ENTRIES} entries; this one has ${entry.length}`, 'Bundle.entry'));
  }
  const entries = entry.map((raw, index) => parseEntry(raw, index, routes, req));
  assertUniqueFullUrls(entries);
  return { type, entries };
}

/** https://hl7.org/fhir/R4/bundle.html#bundle-unique — fullUrl identifies one entry. */
function assertUniqueFullUrls(entries: readonly BundleRequestEntry[]): void {
  const seen = new Set<string>();
  for (const { fullUrl, index } of entries) {
    if (fullUrl === undefined) continue;
    if (seen.has(fullUrl)) fail(badRequest(`Bundle.entry[${index}].fullUrl repeats the fullUrl of an earlier entry`, `Bundle.entry[${index}].fullUrl`));
    seen.add(fullUrl);
  }
}
