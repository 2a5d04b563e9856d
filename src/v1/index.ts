import type { Request, Router } from 'express';
import type { ErrorWriter } from '../http/error-funnel';
import type { FhirService } from '../fhir/service';
import type { Logger } from '../logger';
import { clinicianProfilesFamily } from './clinician-profiles';
import { patientsFamily } from './patients';
import { physiciansFamily } from './physicians';
import { practitionerRolesFamily } from './practitioner-roles';

export interface V1Deps {
  /** The FHIR service acting for the request's tenant. */
  serviceFor(req: Request): FhirService;
  logger: Logger;
  bodyLimit?: string;
}

/** One /v1 API family: its routes and its documented error shape. */
export interface V1Family {
  /** Mount path(s), e.g. `/v1/patients`. */
  prefixes: string[];
  router: Router;
  writeError: ErrorWriter;
}

/** Every /v1 family the server serves. */
export function v1Families(deps: V1Deps): V1Family[] {
  return [patientsFamily(deps), physiciansFamily(deps), practitionerRolesFamily(deps), clinicianProfilesFamily(deps)];
}
