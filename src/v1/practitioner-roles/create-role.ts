import type { PractitionerRole } from '@medplum/fhirtypes';
import { fromFhir, toFhir } from '../../../mappings/practitioner-roles';
import type { V1PractitionerRole, V1PractitionerRoleRequest } from '../../../mappings/types';
import type { FhirService } from '../../fhir/service';
import { findOrCreateNamed } from './named-resources';
import { requirePractitioner } from './practitioner';

/**
 * POST /v1/practitioner-roles: one transaction checks the practitioner, finds or creates the
 * named organization and location, and stores the PractitionerRole.
 */
export function createPractitionerRole(service: FhirService, request: V1PractitionerRoleRequest): Promise<V1PractitionerRole> {
  return service.transaction(async (tx) => {
    await requirePractitioner(tx, request.practitionerId);
    const organizationId = request.organizationName === undefined ? undefined : await findOrCreateNamed(tx, 'Organization', request.organizationName);
    const locationId = request.locationName === undefined ? undefined : await findOrCreateNamed(tx, 'Location', request.locationName);
    const stored = await tx.create(toFhir(request, { practitionerId: request.practitionerId, organizationId, locationId }));
    return fromFhir(stored.resource as PractitionerRole, request, stored.createdAt);
  });
}
