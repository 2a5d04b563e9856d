import type { Patient } from '@medplum/fhirtypes';
import { MRN_SYSTEM } from '../fixtures';
import { addressIn, phone } from './elements';
import { entity, organizationOfPractitioner, practitionerOfPatient, reference } from './keys';
import { between, dateBetween, digits, pick } from './random';
import { FEMALE_GIVEN, MALE_GIVEN, RACES, SURNAMES, TOWNS } from './vocabulary';

const US_CORE = 'http://hl7.org/fhir/us/core/StructureDefinition';
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';

/** A medical record number unique per Patient, scattered as assigned numbers are (48271 is prime to 10⁹). */
export const mrnOf = (patient: number): string => String((patient * 48271 + 1_000_003) % 1e9).padStart(9, '0');

/**
 * Patient `i`, shaped like Synthea's and trimmed to ~1.3 KB: US Core race and birth sex, MRN and
 * SSN, names with Synthea's three-digit suffix (150 surnames × 900
 * suffixes, so a family prefix such as `Kuhn12` is selective), a birth date over 1930–2020,
 * an address, and the Practitioner and Organization who look after them.
 */
export function patientAt(i: number): Patient & { id: string } {
  const { id, random } = entity('Patient', i);
  const female = random() < 0.5;
  const family = `${pick(random, SURNAMES)}${between(random, 100, 999)}`;
  const given = `${pick(random, female ? FEMALE_GIVEN : MALE_GIVEN)}${between(random, 100, 999)}`;
  const birthDate = dateBetween(random, 1930, 2020);
  const adult = birthDate < '2006';
  const married = adult && random() < 0.55;
  const race = pick(random, RACES);
  const practitioner = practitionerOfPatient(i);
  return {
    resourceType: 'Patient',
    id,
    extension: [ombExtension(`${US_CORE}/us-core-race`, race), { url: `${US_CORE}/us-core-birthsex`, valueCode: female ? 'F' : 'M' }],
    identifier: [
      { type: v2Type('MR', 'Medical Record Number'), system: MRN_SYSTEM, value: mrnOf(i) },
      { system: 'http://hl7.org/fhir/sid/us-ssn', value: `999-${digits(random, 2)}-${digits(random, 4)}` },
    ],
    name: [{ use: 'official', family, given: [given], ...(adult ? { prefix: [female ? (married ? 'Mrs.' : 'Ms.') : 'Mr.'] } : {}) }],
    telecom: [phone(random, 'home')],
    gender: female ? 'female' : 'male',
    birthDate,
    address: [addressIn(random, pick(random, TOWNS))],
    maritalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', code: married ? 'M' : 'S', display: married ? 'Married' : 'Never Married' }],
      text: married ? 'Married' : 'Never Married',
    },
    communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'en-US', display: 'English (United States)' }], text: 'English' } }],
    generalPractitioner: [reference('Practitioner', practitioner)],
    managingOrganization: reference('Organization', organizationOfPractitioner(practitioner)),
  };
}

function ombExtension(url: string, category: { code: string; display: string }): NonNullable<Patient['extension']>[number] {
  return {
    url,
    extension: [
      { url: 'ombCategory', valueCoding: { system: 'urn:oid:2.16.840.1.113883.6.238', code: category.code, display: category.display } },
      { url: 'text', valueString: category.display },
    ],
  };
}

const v2Type = (code: string, display: string): { coding: Array<{ system: string; code: string; display: string }> } => ({
  coding: [{ system: V2_0203, code, display }],
});
