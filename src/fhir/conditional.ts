import type { Resource } from '@medplum/fhirtypes';
import type { StoredVersion } from '../store/rows';
import { badRequest, fail, preconditionFailed } from '../problems/outcomes';
import { writeResult } from './write-result';
import type { FhirResult } from './request';
import { criteriaQuery, findMatchesOf } from './search/match';
import type { FhirService } from './service';

/**
 * https://hl7.org/fhir/R4/http.html#ccreate — none matches: create (201); one: answer it
 * (200, nothing written); several: 412.
 */
export function conditionalCreate(service: FhirService, body: Resource, criteria: string): Promise<FhirResult> {
  const query = criteriaQuery(body.resourceType, criteria);
  return serialized(service, body.resourceType, query, async (tx) => {
    const match = single(await findMatchesOf(tx, body.resourceType, query), body.resourceType);
    if (match) return writeResult(match, false);
    return writeResult(await tx.create(body), true);
  });
}

/**
 * https://hl7.org/fhir/R4/http.html#cond-update — `PUT /{type}?criteria`: none matches:
 * create (under the body's id when it has one); one: update it (the body's id, if any,
 * must be its id); several: 412.
 */
export function conditionalUpdate(service: FhirService, body: Resource, query: Record<string, unknown>, ifMatch?: string): Promise<FhirResult> {
  const { resourceType } = body;
  return serialized(service, resourceType, query, async (tx) => {
    const match = single(await findMatchesOf(tx, resourceType, query), resourceType);
    const id = match?.resource.id ?? body.id;
    if (match && body.id !== undefined && body.id !== id)
      fail(badRequest(`The resource id must be absent or ${id}, the id of the match`, `${resourceType}.id`));
    if (id === undefined) return writeResult(await tx.create(body), true);
    const updated = await tx.update(resourceType, id, { ...body, id }, ifMatch);
    return writeResult(updated.version, updated.created);
  });
}

/**
 * Search and write in one transaction holding a lock on (tenant, type, criteria): concurrent
 * requests with the same criteria run one after the other, each seeing the previous one's write.
 */
function serialized(
  service: FhirService,
  resourceType: string,
  query: Record<string, unknown>,
  fn: (tx: FhirService) => Promise<FhirResult>,
): Promise<FhirResult> {
  const criteria = Object.entries(query)
    .map(([name, value]) => [name, ([] as unknown[]).concat(value)] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  return service.transaction(async (tx) => {
    await tx.lock(`conditional:${resourceType}?${JSON.stringify(criteria)}`);
    return fn(tx);
  });
}

function single(matches: StoredVersion[], resourceType: string): StoredVersion | undefined {
  if (matches.length > 1) fail(preconditionFailed(`More than one ${resourceType} matches the conditional criteria`));
  return matches[0];
}
