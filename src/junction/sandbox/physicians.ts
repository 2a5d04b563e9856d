import type { JunctionPhysician } from '../gateway';

/**
 * The sandbox team's physician network at start. The NPIs pass the NPI check digit (Luhn over
 * 80840 + the first nine digits) and belong to no real physician as far as we know.
 */
export const SEED_PHYSICIANS: readonly JunctionPhysician[] = [
  { first_name: 'Jane', last_name: 'Smith', npi: '1234567893' },
  { first_name: 'Robert', last_name: 'Chen', npi: '1987654328' },
  { first_name: 'Maria', last_name: 'Lopez', npi: '1543210987' },
];
