import schema from '../../../mappings/schemas/patients.request.json';
import type { V1PatientRequest } from '../../../mappings/types';
import { compileCheck } from '../schema';

/** The seed's JSON Schema (fields it does not define are rejected, naming the field). */
export const checkPatientRequest = compileCheck<V1PatientRequest>(schema);
