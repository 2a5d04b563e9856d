import type { Practitioner } from '@medplum/fhirtypes';
import { PROFILE } from '../../../mappings/fhir-urls';
import { fromFhir, toFhir, withJunctionPhysicianId } from '../../../mappings/physicians';
import type { V1Physician, V1PhysicianRequest } from '../../../mappings/types';
import type { V1Api } from '../api';
import { projectionApi, type ProjectionFamily } from '../projection-family';
import { checkPhysicianRequest } from './request';

/**
 * Seed 000 (clinical): a /v1 physician is a Practitioner claiming the v1-physician profile.
 * Registration looks the NPI up in the team's Junction physicians (`junction_physician_id`
 * when found, null otherwise); when Junction cannot be asked, a 502 and nothing stored.
 */
export const PHYSICIANS: ProjectionFamily<V1PhysicianRequest, V1Physician, Practitioner> = {
  path: '/v1/physicians',
  noun: 'physician',
  resourceType: 'Practitioner',
  profile: PROFILE.v1Physician,
  duplicateCode: 'duplicate_physician',
  check: checkPhysicianRequest,
  toFhir,
  prepare: async (practitioner, body, req) => {
    const junctionId = await req.ports.junctionPhysicianId(body.npi);
    return junctionId === null ? practitioner : withJunctionPhysicianId(practitioner, junctionId);
  },
  fromFhir,
  doc: {
    tag: 'Physicians',
    description: 'Physicians (seed 000, clinical), stored as FHIR Practitioner resources and registered with Junction. Errors are `{ error, message }`.',
    errors: { default: 'physicians.400', conflict: 'physicians.409', badGateway: 'physicians.502' },
    request: 'physicians.request',
    reply: 'physicians.201',
    createFailures: {
      badRequest: {
        description:
          'validation_error: the body breaks the schema, the NPI check digit is wrong, or license_state is not an uppercase US state, DC or territory code; the message names the field',
      },
      conflict: { description: 'duplicate_physician: a physician with this npi and license_state exists in the tenant' },
      badGateway: { description: 'junction_error: Junction could not be asked for the physician; nothing was stored' },
    },
  },
};

/** POST /v1/physicians, GET /v1/physicians/{id}. */
export const physiciansApi: V1Api = projectionApi(PHYSICIANS);
