import type { Practitioner } from '@medplum/fhirtypes';
import { PROFILE } from '../../../mappings/fhir-urls';
import { fromFhir, toFhir } from '../../../mappings/physicians';
import type { V1Physician, V1PhysicianRequest } from '../../../mappings/types';
import type { V1Deps, V1Family } from '..';
import { loopFamilyRoutes, type LoopFamily } from '../loop-family';
import { checkPhysicianRequest } from './request';

/**
 * Seed 000 (clinical): a /v1 physician is a Practitioner claiming the v1-physician profile.
 * Junction registration (and with it `junction_physician_id`) is not wired yet: it stays null.
 */
export const PHYSICIANS: LoopFamily<V1PhysicianRequest, V1Physician, Practitioner> = {
  path: '/v1/physicians',
  noun: 'physician',
  resourceType: 'Practitioner',
  profile: PROFILE.v1Physician,
  duplicateCode: 'duplicate_physician',
  check: checkPhysicianRequest,
  toFhir,
  fromFhir,
};

/** POST /v1/physicians, GET /v1/physicians/{id}. */
export function physiciansFamily(deps: V1Deps): V1Family {
  return loopFamilyRoutes(PHYSICIANS, deps);
}
