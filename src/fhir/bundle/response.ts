import { STATUS_CODES } from 'node:http';
import type { Bundle, BundleEntry, BundleEntryResponse } from '@medplum/fhirtypes';
import { statusOf, type Outcome } from '../../problems/outcomes';
import type { FhirResult } from '../request';
import type { BundleRequestEntry } from './parse-entry';

export function responseBundle(type: 'batch-response' | 'transaction-response', entry: BundleEntry[]): Bundle {
  return { resourceType: 'Bundle', type, entry };
}

/**
 * What the single-resource endpoint would have answered, as a response entry: its status,
 * and the ETag / Last-Modified / Location headers as `etag`, `lastModified`, `location`.
 * https://hl7.org/fhir/R4/bundle-definitions.html#Bundle.entry.response
 */
export function responseEntry(entry: BundleRequestEntry, result: FhirResult): BundleEntry {
  const response: BundleEntryResponse = { status: statusLine(result.outcome) };
  const { version, resource } = result;
  if (version) {
    const { resourceType, id } = version.resource;
    response.etag = `W/"${version.versionId}"`;
    response.lastModified = version.lastUpdated;
    if (entry.method !== 'GET') response.location = `${resourceType}/${id}/_history/${version.versionId}`;
  }
  if (!resource) return { response: { ...response, outcome: result.outcome.resource } };
  const fullUrl = version ? `${entry.request.baseUrl}/${version.resource.resourceType}/${version.resource.id}` : undefined;
  return { ...(fullUrl ? { fullUrl } : {}), resource, response };
}

/** A failed batch entry: its status, and the OperationOutcome in `response.outcome`. */
export function errorEntry(failure: Outcome): BundleEntry {
  return { response: { status: statusLine(failure), outcome: failure.resource } };
}

/** "201 Created", as in the spec's transaction-response examples. */
function statusLine(o: Outcome): string {
  const status = statusOf(o);
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim();
}
