import type { FhirResult } from '../request';
import type { FhirService } from '../service';
import { isConditionalReference, resolveConditionalReference } from './conditional-reference';
import type { BundleRequestEntry } from './parse-entry';
import { replaceReferences } from './references';

/** Placeholder fullUrls (`urn:uuid:…`) already given a server identity (`Patient/abc`). */
export type Identities = ReadonlyMap<string, string>;

/**
 * Runs one entry through the handler its url routes to, exactly as the single-resource
 * endpoint would (If-None-Exist included), once its references are resolved.
 */
export async function executeEntry(entry: BundleRequestEntry, service: FhirService, identities: Identities): Promise<FhirResult> {
  return entry.route.handler({ ...entry.request, body: await resolvedBody(entry, service, identities) }, service);
}

/** The entry's body with its placeholder and conditional references replaced by server identities. */
export function resolvedBody(entry: BundleRequestEntry, service: FhirService, identities: Identities): Promise<unknown> {
  return replaceReferences(entry.request.body, (reference) => resolveReference(reference, identities, service));
}

function resolveReference(reference: string, identities: Identities, service: FhirService): string | Promise<string> {
  const identity = identities.get(reference);
  if (identity !== undefined) return identity;
  return isConditionalReference(reference) ? resolveConditionalReference(service, reference) : reference;
}
