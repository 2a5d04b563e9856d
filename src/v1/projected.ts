import type { FhirService } from '../fhir/service';
import type { StoredVersion } from '../store/rows';

/**
 * The current resource behind a /v1 id, if it is one the family projects: it exists in the
 * tenant, is not deleted, and claims the family's profile. Anything else is "not found".
 */
export async function findProjected(service: FhirService, resourceType: string, profile: string, id: string): Promise<StoredVersion | undefined> {
  const [stored] = await service.readMany(resourceType, [id]);
  return stored?.resource.meta?.profile?.includes(profile) ? stored : undefined;
}
