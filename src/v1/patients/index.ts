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
};

/** POST /v1/patients, GET /v1/patients/{id}. */
export const patientsApi: V1Api = projectionApi(PATIENTS);
