import type { V1PatientRequest } from '../../../mappings/types';
import { compileCheck } from '../schema';
import { V1_SCHEMAS } from '../schemas';

/** The seed's JSON Schema (fields it does not define are rejected, naming the field). */
export const checkPatientRequest = compileCheck<V1PatientRequest>(V1_SCHEMAS['patients.request']);
