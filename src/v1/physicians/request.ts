import { isValidNpi, US_STATE_CODES } from '../../../mappings/physicians';
import type { V1PhysicianRequest } from '../../../mappings/types';
import { invalidField } from '../../problems/problem';
import { compileCheck } from '../schema';
import { V1_SCHEMAS } from '../schemas';

const checkShape = compileCheck<V1PhysicianRequest>(V1_SCHEMAS['physicians.request']);

/** The seed's JSON Schema, then its prose rules: a real NPI check digit and a US licensing jurisdiction. */
export function checkPhysicianRequest(body: unknown): V1PhysicianRequest {
  const request = checkShape(body);
  if (!isValidNpi(request.npi)) throw invalidField('npi', 'npi must be 10 digits with a valid check digit');
  if (!US_STATE_CODES.includes(request.license_state)) {
    throw invalidField('license_state', 'license_state must be the uppercase code of a US state, DC or territory, e.g. NY');
  }
  return request;
}
