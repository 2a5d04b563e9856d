import type { Binary } from '@medplum/fhirtypes';
import { badRequest, fail } from '../../problems/outcomes';

/**
 * The JSON Patch of a PATCH entry. A Bundle cannot carry a bare JSON array as a resource, so
 * the patch travels as a Binary of `application/json-patch+json` with base64 `data`.
 * https://hl7.org/fhir/R4/http.html#patch
 */
export function patchOperations(resource: unknown, at: string): unknown[] {
  const binary = resource as Partial<Binary> | undefined;
  if (binary?.resourceType !== 'Binary' || !/json-patch\+json/.test(binary.contentType ?? '') || typeof binary.data !== 'string') {
    fail(badRequest('A PATCH entry carries its JSON Patch as a Binary with contentType application/json-patch+json and base64 data', at));
  }
  let operations: unknown;
  try {
    operations = JSON.parse(Buffer.from(binary.data, 'base64').toString('utf8'));
  } catch {
    return fail(badRequest('The Binary data of a PATCH entry is not base64-encoded JSON', `${at}.data`));
  }
  if (!Array.isArray(operations)) fail(badRequest('A JSON Patch is an array of operations', `${at}.data`));
  return operations;
}
