import { randomInt, randomUUID } from 'node:crypto';
import { isValidNpi } from '../../mappings/physicians';

/** A fresh NPI with a valid check digit. */
export function randomNpi(): string {
  const stem = `1${String(randomInt(1e8)).padStart(8, '0')}`;
  return stem + [...'0123456789'].find((d) => isValidNpi(stem + d));
}

/** A valid POST /v1/physicians body with a fresh NPI and email; `overrides` may unset fields with undefined. */
export function physicianBody(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Dr Sarah Johnson',
    email: `sarah.${randomUUID()}@example.com`,
    npi: randomNpi(),
    license_state: 'CA',
    state_license: 'A123456',
    ...overrides,
  };
}
