import type { Location, Organization, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { addressIn, phone, type Town } from './elements';
import { entity, locationOfPractitioner, organizationOfLocation, organizationOfPractitioner, reference } from './keys';
import { between, pick, type Random } from './random';
import { FEMALE_GIVEN, MALE_GIVEN, SURNAMES, TOWNS } from './vocabulary';

const NPI = 'http://hl7.org/fhir/sid/us-npi';
const CLINIC_KINDS = ['Family Medicine', 'Community Health Center', 'Medical Group', 'Primary Care Associates', 'Health Partners'];

export function organizationAt(k: number): Organization & { id: string } {
  const { id, random } = entity('Organization', k);
  const town = townOf(k);
  return {
    resourceType: 'Organization',
    id,
    identifier: [
      { system: 'https://github.com/synthetichealth/synthea', value: id },
      { system: NPI, value: npi('2', k) },
    ],
    active: true,
    type: [
      {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov', display: 'Healthcare Provider' }],
        text: 'Healthcare Provider',
      },
    ],
    name: `${town.city} ${pick(random, CLINIC_KINDS)} ${k + 1}`,
    telecom: [phone(random, 'work')],
    address: [addressIn(random, town)],
  };
}

/** Each Organization has two sites in its town. */
export function locationAt(n: number): Location & { id: string } {
  const { id, random } = entity('Location', n);
  const organization = organizationOfLocation(n);
  const town = townOf(organization);
  return {
    resourceType: 'Location',
    id,
    status: 'active',
    name: `${town.city} site ${n + 1}`,
    telecom: [phone(random, 'work')],
    address: addressIn(random, town),
    position: { latitude: jitter(random, town.latitude), longitude: jitter(random, town.longitude) },
    managingOrganization: reference('Organization', organization),
  };
}

export function practitionerAt(j: number): Practitioner & { id: string } {
  const { id, random } = entity('Practitioner', j);
  const female = random() < 0.5;
  const family = `${pick(random, SURNAMES)}${between(random, 100, 999)}`;
  const given = `${pick(random, female ? FEMALE_GIVEN : MALE_GIVEN)}${between(random, 100, 999)}`;
  return {
    resourceType: 'Practitioner',
    id,
    identifier: [{ system: NPI, value: npi('1', j) }],
    active: true,
    name: [{ family, given: [given], prefix: ['Dr.'] }],
    telecom: [{ system: 'email', value: `${given}.${family}@example.com`.replace(/[^A-Za-z0-9.@]/g, ''), use: 'work' }],
    address: [addressIn(random, townOf(organizationOfPractitioner(j)))],
    gender: female ? 'female' : 'male',
    qualification: [{ code: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0360', code: 'MD', display: 'Doctor of Medicine' }] } }],
  };
}

/** Practitioner `j` works in general practice at one site of its Organization. */
export function practitionerRoleAt(j: number): PractitionerRole & { id: string } {
  const { id, random } = entity('PractitionerRole', j);
  return {
    resourceType: 'PractitionerRole',
    id,
    active: true,
    practitioner: reference('Practitioner', j),
    organization: reference('Organization', organizationOfPractitioner(j)),
    location: [reference('Location', locationOfPractitioner(j))],
    code: [{ coding: [{ system: 'http://nucc.org/provider-taxonomy', code: '208D00000X', display: 'General Practice' }] }],
    specialty: [{ coding: [{ system: 'http://snomed.info/sct', code: '394814009', display: 'General practice' }] }],
    telecom: [phone(random, 'work')],
  };
}

/** A position within a few kilometres of `centre`. */
const jitter = (random: Random, centre: number): number => Math.round((centre + (random() - 0.5) / 20) * 1e6) / 1e6;
const townOf = (organization: number): Town => pick(entity('Town', organization).random, TOWNS);

/**
 * A National Provider Identifier: a leading 1 or 2, eight digits scattered by index (7919 is
 * prime to 10⁸, so unique), and the Luhn check digit over the prefix 80840 as CMS computes it.
 */
export function npi(first: '1' | '2', index: number): string {
  const body = `${first}${String((index * 7919 + 4093) % 1e8).padStart(8, '0')}`;
  const payload = `80840${body}`;
  let sum = 0;
  for (let k = 0; k < payload.length; k++) {
    const digit = Number(payload[payload.length - 1 - k]) * (k % 2 === 0 ? 2 : 1);
    sum += digit > 9 ? digit - 9 : digit;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}
