import type { Location, Organization, PractitionerRole } from '@medplum/fhirtypes';
import { referenceId } from '../../../mappings/elements';
import { PROFILE } from '../../../mappings/fhir-urls';
import { fromFhir } from '../../../mappings/practitioner-roles';
import type { V1PractitionerRole } from '../../../mappings/types';
import type { FhirService } from '../../fhir/service';
import { notFoundProblem } from '../../problems/problem';
import { findProjected } from '../projected';

/**
 * GET /v1/practitioner-roles/{id}: the POST's shape, with the organization and location
 * names read from the resources the role points at (the reference display when they are gone).
 * Like the other /v1 families, only resources claiming the family's profile are projected.
 */
export async function readPractitionerRole(service: FhirService, id: string): Promise<V1PractitionerRole> {
  const stored = await findProjected(service, 'PractitionerRole', PROFILE.v1PractitionerRole, id);
  if (!stored) throw notFoundProblem('practitioner role not found');
  const role = stored.resource as PractitionerRole;
  const [organization, location] = await Promise.all([
    nameOf(service, 'Organization', referenceId(role.organization, 'Organization')),
    nameOf(service, 'Location', referenceId(role.location?.[0], 'Location')),
  ]);
  return fromFhir(role, { organizationName: organization, locationName: location }, stored.createdAt);
}

async function nameOf(service: FhirService, resourceType: 'Organization' | 'Location', id: string | null): Promise<string | undefined> {
  if (id === null) return undefined;
  const [stored] = await service.readMany(resourceType, [id]);
  return (stored?.resource as Organization | Location | undefined)?.name;
}
