import profileError from '../../../mappings/fixtures/clinician-profiles/error.response.json';
import profileList from '../../../mappings/fixtures/clinician-profiles/list.response.json';
import profileSingle from '../../../mappings/fixtures/clinician-profiles/single.response.json';
import labCompleted from '../../../mappings/fixtures/lab-orders/completed.response.json';
import lab400 from '../../../mappings/fixtures/lab-orders/error.400.json';
import lab409 from '../../../mappings/fixtures/lab-orders/error.409.json';
import lab502 from '../../../mappings/fixtures/lab-orders/error.502.json';
import labMinimal from '../../../mappings/fixtures/lab-orders/minimal.request.json';
import labOverrides from '../../../mappings/fixtures/lab-orders/overrides.request.json';
import labReceived from '../../../mappings/fixtures/lab-orders/received.response.json';
import patient400 from '../../../mappings/fixtures/patients/error.400.json';
import patient409 from '../../../mappings/fixtures/patients/error.409.json';
import patient500 from '../../../mappings/fixtures/patients/error.500.json';
import patientFull from '../../../mappings/fixtures/patients/full.request.json';
import patientFullReply from '../../../mappings/fixtures/patients/full.response.json';
import patientMinimal from '../../../mappings/fixtures/patients/minimal.request.json';
import patientMinimalReply from '../../../mappings/fixtures/patients/minimal.response.json';
import physician400 from '../../../mappings/fixtures/physicians/error.400.json';
import physician409 from '../../../mappings/fixtures/physicians/error.409.json';
import physician502 from '../../../mappings/fixtures/physicians/error.502.json';
import physicianMinimal from '../../../mappings/fixtures/physicians/minimal.request.json';
import physicianMinimalReply from '../../../mappings/fixtures/physicians/minimal.response.json';
import physicianNy from '../../../mappings/fixtures/physicians/ny-with-clep.request.json';
import physicianNyReply from '../../../mappings/fixtures/physicians/ny-with-clep.response.json';
import role400 from '../../../mappings/fixtures/practitioner-roles/error.json';
import roleFull from '../../../mappings/fixtures/practitioner-roles/full.request.json';
import roleFullReply from '../../../mappings/fixtures/practitioner-roles/full.response.json';
import roleMinimal from '../../../mappings/fixtures/practitioner-roles/minimal.request.json';
import roleMinimalReply from '../../../mappings/fixtures/practitioner-roles/minimal.response.json';
import type { V1SchemaName } from '../../v1/schemas';
import type { Examples } from './operations';

/**
 * Examples of the /v1 bodies: the golden fixtures of the mapping layer (mappings/fixtures),
 * which are the seed pages' own examples where a page has them and are tested against the
 * mappings. test/http/openapi.test.ts checks each against its schema.
 */
export const V1_EXAMPLES: Partial<Record<V1SchemaName, Examples>> = {
  'patients.request': { full: { summary: 'Every field', value: patientFull }, minimal: { summary: 'Only the required fields', value: patientMinimal } },
  'patients.201': { full: { summary: 'Every field', value: patientFullReply }, minimal: { summary: 'Only the required fields', value: patientMinimalReply } },
  'patients.400': { invalid: { summary: 'A field breaks the schema', value: patient400, kind: 'badRequest' } },
  'patients.409': { duplicate: { summary: 'A duplicate', value: patient409, kind: 'conflict' } },
  'patients.500': { internal: { summary: 'An unexpected fault', value: patient500, kind: 'serverError' } },
  'physicians.request': {
    ny: { summary: 'New York, with a CLEP permit', value: physicianNy },
    minimal: { summary: 'Only the required fields', value: physicianMinimal },
  },
  'physicians.201': {
    ny: { summary: 'New York, with a CLEP permit', value: physicianNyReply },
    minimal: { summary: 'Only the required fields', value: physicianMinimalReply },
  },
  'physicians.400': { invalid: { summary: 'A field breaks the schema', value: physician400, kind: 'badRequest' } },
  'physicians.409': { duplicate: { summary: 'A duplicate', value: physician409, kind: 'conflict' } },
  'physicians.502': { junction: { summary: 'Junction unavailable', value: physician502, kind: 'badGateway' } },
  'lab-orders.request': {
    minimal: { summary: 'The patient on file', value: labMinimal },
    overrides: { summary: 'With patient and address overrides', value: labOverrides },
  },
  'lab-orders.201': { received: { summary: 'Just placed', value: labReceived }, completed: { summary: 'Results are in', value: labCompleted } },
  'lab-orders.400': { invalid: { summary: 'A field breaks a rule', value: lab400, kind: 'badRequest' } },
  'lab-orders.409': { conflict: { summary: 'The key was used with another body', value: lab409, kind: 'conflict' } },
  'lab-orders.502': { junction: { summary: 'Junction did not take the order yet', value: lab502, kind: 'badGateway' } },
  'practitioner-roles.request': {
    full: { summary: 'The seed page’s example', value: roleFull },
    minimal: { summary: 'Only the required fields', value: roleMinimal },
  },
  'practitioner-roles.201': {
    full: { summary: 'The seed page’s example', value: roleFullReply },
    minimal: { summary: 'Only the required fields', value: roleMinimalReply },
  },
  'practitioner-roles.error': { invalid: { summary: 'A field breaks the schema', value: role400, kind: 'badRequest' } },
  'clinician-profiles.list': { page: { summary: 'The seed page’s example', value: profileList } },
  'clinician-profiles.single': { profile: { summary: 'The seed page’s profile', value: profileSingle } },
  'clinician-profiles.error': { missing: { summary: 'Unknown or another organisation’s', value: profileError, kind: 'notFound' } },
};
