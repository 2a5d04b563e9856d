import type { Address, ContactPoint } from '@medplum/fhirtypes';
import { between, digits, pick, type Random } from './random';
import { STREETS, TOWNS } from './vocabulary';

export type Town = (typeof TOWNS)[number];

/** A street address in a town. */
export function addressIn(random: Random, town: Town): Address {
  return { line: [`${between(random, 1, 999)} ${pick(random, STREETS)}`], city: town.city, state: 'MA', postalCode: town.postalCode, country: 'US' };
}

export const phone = (random: Random, use: ContactPoint['use']): ContactPoint => ({
  system: 'phone',
  value: `555-${digits(random, 3)}-${digits(random, 4)}`,
  use,
});
