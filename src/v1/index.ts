import type { V1Api } from './api';
import { clinicianProfilesApi } from './clinician-profiles';
import { labOrdersApi } from './lab-orders';
import { patientsApi } from './patients';
import { physiciansApi } from './physicians';
import { practitionerRolesApi } from './practitioner-roles';

/** Every /v1 API the server serves. */
export function v1Apis(): V1Api[] {
  return [patientsApi, physiciansApi, labOrdersApi, practitionerRolesApi, clinicianProfilesApi];
}
