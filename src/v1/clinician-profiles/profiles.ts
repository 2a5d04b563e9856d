import type { Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { fromFhir } from '../../../mappings/clinician-profiles';
import type { ClinicianProfile } from '../../../mappings/types';
import type { Repository } from '../../store/repository';
import { activeRolesOf, listDirectoryPractitioners } from '../../store/clinician-profiles';
import type { StoredVersion } from '../../store/rows';
import { ProblemError } from '../../http/problem';
import type { ProfileListRequest } from './query';

export interface ProfilePage {
  profiles: ClinicianProfile[];
  hasMore: boolean;
}

/** GET /clinician-profiles: one page of the directory, each profile with its active roles. */
export async function listClinicianProfiles(repo: Repository, request: ProfileListRequest): Promise<ProfilePage> {
  const page = await listDirectoryPractitioners(repo, request.filters, request.limit, request.offset);
  return { profiles: await profilesOf(repo, page.practitioners), hasMore: page.hasMore };
}

/** GET /clinician-profiles/{id}: 404 for an unknown, deleted or other tenant's practitioner. */
export async function readClinicianProfile(repo: Repository, id: string): Promise<ClinicianProfile> {
  const [profile] = await profilesOf(repo, await repo.readMany('Practitioner', [id]));
  if (!profile) throw new ProblemError({ status: 404, code: 'not_found', message: 'clinician profile not found' });
  return profile;
}

async function profilesOf(repo: Repository, practitioners: StoredVersion[]): Promise<ClinicianProfile[]> {
  const idOf = (p: StoredVersion): string => p.resource.id ?? '';
  const roles = await activeRolesOf(repo, practitioners.map(idOf));
  return practitioners.map((p) => {
    const active = (roles.get(idOf(p)) ?? []).map((r) => r.resource as PractitionerRole);
    return fromFhir(p.resource as Practitioner, active, p);
  });
}
