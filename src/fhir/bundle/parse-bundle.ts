import { badRequest, fail, isOperationOutcomeError, outcome, type Outcome } from '../../problems/outcomes';
import { isObject } from '../validation/profile-rules';
import type { FhirRequest } from '../request';
import type { FhirRoute } from '../request';
import { parseEntry, type BundleRequestEntry } from './parse-entry';

/** Larger Bundles are refused with 413 (docs/bundles.md): one transaction holds its locks until the end. */
export const MAX_BUNDLE_ENTRIES = 20_000;

/** A batch entry that cannot be run (a type the server does not store, no request): its response is this failure. */
export interface UnparsableEntry {
  index: number;
  failure: Outcome;
}

export type BundleRequest = { type: 'transaction'; entries: BundleRequestEntry[] } | { type: 'batch'; entries: (BundleRequestEntry | UnparsableEntry)[] };

/**
 * The request body as a batch or transaction, every entry checked before any is run. An
 * entry that is wrong fails a whole transaction (naming the entry) but only itself in a batch.
 */
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
  if (type === 'transaction') {
    const entries = entry.map((raw, index) => parseEntry(raw, index, routes, req));
    assertUniqueFullUrls(entries);
    return { type, entries };
  }
  const entries = entry.map((raw, index) => parseOrFailure(() => parseEntry(raw, index, routes, req), index));
  assertUniqueFullUrls(entries.filter((e): e is BundleRequestEntry => !('failure' in e)));
  return { type, entries };
}

function parseOrFailure(parse: () => BundleRequestEntry, index: number): BundleRequestEntry | UnparsableEntry {
  try {
    return parse();
  } catch (err) {
    if (isOperationOutcomeError(err)) return { index, failure: err.outcome };
    throw err;
  }
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
