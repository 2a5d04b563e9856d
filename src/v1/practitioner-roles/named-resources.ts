import type { Location, Organization } from '@medplum/fhirtypes';
import type { FhirService } from '../../fhir/service';
import { escapeSearchValue } from '../../fhir/search/compose';
import { findMatches } from '../../fhir/search/match';

type Named = 'Organization' | 'Location';

/**
 * The id of the tenant's Organization or Location with exactly this name, created when there
 * is none. Call it inside a transaction: the advisory lock on the name, held until commit,
 * makes a concurrent request for the same name wait and then find this one's resource.
 */
export async function findOrCreateNamed(service: FhirService, resourceType: Named, name: string): Promise<string> {
  await service.lock(`${resourceType}?name=${name}`);
  const criteria = new URLSearchParams({ 'name:exact': escapeSearchValue(name) }).toString();
  // `name` also searches aliases; only a resource named exactly so is the one we mean.
  const found = (await findMatches(service, resourceType, criteria, 20))
    .filter((match) => (match.resource as Organization | Location).name === name)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
  const stored = found ?? (await service.create(newNamed(resourceType, name)));
  return idOf(stored.resource);
}

function newNamed(resourceType: Named, name: string): Organization | Location {
  return resourceType === 'Organization' ? { resourceType, active: true, name } : { resourceType, status: 'active', name };
}

function idOf(resource: { id?: string }): string {
  if (resource.id === undefined) throw new Error('a stored resource has no id');
  return resource.id;
}
