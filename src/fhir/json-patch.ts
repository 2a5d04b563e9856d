import { applyPatch, validate as validatePatch, type Operation } from 'fast-json-patch';
import type { Resource } from '@medplum/fhirtypes';
import { fail, unprocessable } from '../problems/outcomes';

/** https://hl7.org/fhir/R4/http.html#patch — 422 when the operations do not apply to the resource. */
export function applyJsonPatch(resource: Resource, operations: unknown[]): Resource {
  const ops = operations as Operation[];
  // Both calls throw (a TypeError) on a path through `__proto__` or `constructor/prototype`.
  const invalid = attempt(() => validatePatch(ops, resource));
  if (invalid) fail(unprocessable(`JSON Patch cannot be applied: ${firstLine(invalid)}`, invalid.operation?.path));
  return attempt(() => applyPatch(structuredClone(resource), ops, true, false).newDocument);
}

function attempt<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    return fail(unprocessable(`JSON Patch cannot be applied: ${firstLine(err as Error)}`));
  }
}

function firstLine(err: Error): string {
  return err.message.split('\n')[0] ?? '';
}
