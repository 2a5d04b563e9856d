import schema from '../../../mappings/schemas/lab-orders.request.json';
import type { V1LabOrderRequest } from '../../../mappings/types';
import { compileCheck } from '../schema';

/** The seed's JSON Schema (fields it does not define are rejected, naming the field). */
export const checkLabOrderRequest = compileCheck<V1LabOrderRequest>(schema);
