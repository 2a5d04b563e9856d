import type { Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { fromFhir } from '../../../mappings/clinician-profiles';
import type { ClinicianProfile } from '../../../mappings/types';
import type { FhirService } from '../../fhir/service';
import { notFoundProblem } from '../../problems/problem';
import type { StoredVersion } from '../../store/rows';
import { activeRolesOf, listDirectoryPractitioners } from './directory';
import type { ProfileListRequest } from './query';

export interface ProfilePage {
  profiles: ClinicianProfile[];
  hasMore: boolean;
}

/** GET /clinician-profiles: one page of the directory, each profile with its active roles. */
export async function listClinicianProfiles(service: FhirService, request: ProfileListRequest): Promise<ProfilePage> {
  const page = await listDirectoryPractitioners(service, request.filters, request.limit, request.offset);
  return { profiles: await profilesOf(service, page.practitioners), hasMore: page.hasMore };
}

/** GET /clinician-profiles/{id}: 404 for an unknown, deleted or other tenant's practitioner. */
export async function readClinicianProfile(service: FhirService, id: string): Promise<ClinicianProfile> {
  const [profile] = await profilesOf(service, await service.readMany('Practitioner', [id]));
  if (!profile) throw notFoundProblem('clinician profile not found');
  return profile;
}

async function profilesOf(service: FhirService, practitioners: StoredVersion[]): Promise<ClinicianProfile[]> {
  const idOf = (p: StoredVersion): string => p.resource.id ?? '';
  const roles = await activeRolesOf(service, practitioners.map(idOf));
  return practitioners.map((p) => {
    const active = (roles.get(idOf(p)) ?? []).map((r) => r.resource as PractitionerRole);
    return fromFhir(p.resource as Practitioner, active, p);
  });
}
