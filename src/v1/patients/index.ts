import type { Patient } from '@medplum/fhirtypes';
import { PROFILE } from '../../../mappings/fhir-urls';
import { fromFhir, toFhir } from '../../../mappings/patients';
import type { V1Patient, V1PatientRequest } from '../../../mappings/types';
import type { V1Api } from '../api';
import { projectionApi, type ProjectionFamily } from '../projection-family';
import { checkPatientRequest } from './request';

/** Seed 002 (patient-graph): a /v1 patient is a Patient claiming the v1-patient profile. */
export const PATIENTS: ProjectionFamily<V1PatientRequest, V1Patient, Patient> = {
  path: '/v1/patients',
  noun: 'patient',
  resourceType: 'Patient',
  profile: PROFILE.v1Patient,
  duplicateCode: 'duplicate_patient',
  check: checkPatientRequest,
  toFhir,
  fromFhir,
  doc: {
    tag: 'Patients',
    description: 'Patients (seed 002, patient-graph), stored as FHIR Patient resources. Errors are `{ error, message }`.',
    errors: { default: 'patients.400', conflict: 'patients.409', serverError: 'patients.500' },
    request: 'patients.request',
    reply: 'patients.201',
    createFailures: {
      badRequest: {
        description: 'validation_error: the body breaks the schema, has a field it does not define, or holds a value FHIR refuses; the message names the field',
      },
      conflict: { description: 'duplicate_patient: the same brand_id and email (case-insensitive), or a shared external_ids entry, exists in the tenant' },
    },
  },
};

/** POST /v1/patients, GET /v1/patients/{id}. */
export const patientsApi: V1Api = projectionApi(PATIENTS);
