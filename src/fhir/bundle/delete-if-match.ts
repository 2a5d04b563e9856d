import { fail, preconditionFailed } from '../outcomes';
import type { FhirHandler, FhirRequest, FhirResult } from '../request';
import type { FhirService } from '../service';

/**
 * DELETE with `ifMatch` (https://hl7.org/fhir/R4/http.html#concurrency), for a delete handler
 * that takes no version. Must run inside a database transaction: the version is checked before
 * the delete, and the deletion must then be exactly the next version — a write that slipped in
 * between shows up as a gap, fails 412 and rolls the deletion back.
 */
export async function deleteIfMatch(handler: FhirHandler, req: FhirRequest & { ifMatch: string }, service: FhirService): Promise<FhirResult> {
  const type = req.resourceType ?? '';
  const id = req.id ?? '';
  const stale = (): never => fail(preconditionFailed(`If-Match version ${req.ifMatch} is not the current version of ${type}/${id}`));
  const current = await service.read(type, id);
  if (current.versionId !== req.ifMatch) stale();
  const result = await handler(req, service);
  const [deletion] = (await service.history(type, id, { count: 1, offset: 0 })).versions;
  if (Number(deletion?.versionId) !== Number(req.ifMatch) + 1) stale();
  return result;
}
