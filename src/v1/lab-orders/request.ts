import type { V1LabOrderRequest } from '../../../mappings/types';
import { compileCheck } from '../schema';
import { V1_SCHEMAS } from '../schemas';

/** The seed's JSON Schema (fields it does not define are rejected, naming the field). */
export const checkLabOrderRequest = compileCheck<V1LabOrderRequest>(V1_SCHEMAS['lab-orders.request']);
