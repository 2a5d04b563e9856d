import type { V1PractitionerRoleRequest } from '../../../mappings/types';
import { invalidField } from '../../problems/problem';
import { compileCheck } from '../schema';
import { V1_SCHEMAS } from '../schemas';

const checkShape = compileCheck<V1PractitionerRoleRequest>(V1_SCHEMAS['practitioner-roles.request']);

/**
 * The seed's JSON Schema, then the rules it cannot say: names that are not blank, each day
 * at most once, and a time window that starts before it ends (when both ends are given).
 */
export function checkRoleRequest(body: unknown): V1PractitionerRoleRequest {
  const request = checkShape(body);
  for (const field of ['organizationName', 'locationName'] as const) {
    if (request[field]?.trim() === '') invalid(field, `${field} must not be blank`);
  }
  const days = request.availableDays ?? [];
  if (new Set(days).size !== days.length) invalid('availableDays', 'availableDays must not repeat a day');
  const { availableStartTime: start, availableEndTime: end } = request;
  // HH:mm (24 h, zero-padded) compares correctly as text.
  if (start !== undefined && end !== undefined && start >= end) {
    invalid('availableEndTime', 'availableEndTime must be later than availableStartTime');
  }
  return request;
}

function invalid(field: string, message: string): never {
  throw invalidField(field, message);
}
