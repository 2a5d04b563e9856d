import { applyPatch, validate as validatePatch, type Operation } from 'fast-json-patch';
import type { Resource } from '@medplum/fhirtypes';
import { fail, unprocessable } from '../problems/outcomes';

/** https://hl7.org/fhir/R4/http.html#patch — 422 when the operations do not apply to the resource. */
export function applyJsonPatch(resource: Resource, operations: unknown[]): Resource {
  const ops = operations as Operation[];
  const invalid = validatePatch(ops, resource);
  if (invalid) fail(unprocessable(`JSON Patch cannot be applied: ${invalid.message.split('\n')[0]}`, invalid.operation?.path));
  try {
    return applyPatch(structuredClone(resource), ops, true, false).newDocument;
  } catch (err) {
    return fail(unprocessable(`JSON Patch cannot be applied: ${(err as Error).message.split('\n')[0]}`));
  }
}
