import type { Patient, Practitioner } from '@medplum/fhirtypes';
import type { LabOrderOverrides } from '../../mappings/lab-order-overrides';
import { EXT, SYSTEM } from '../../mappings/fhir-urls';
import { US_STATE_CODES } from '../../mappings/physicians';
import type { Gender, JunctionPatientAddress, JunctionPatientDetails, JunctionPhysicianRequest } from './gateway';

/** What a lab order lacks for Junction, named as the /v1 client would fix it; never quotes a value. */
export class LabOrderInputError extends Error {
  override readonly name = 'LabOrderInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Junction's documented rule for names: ASCII, no leading, trailing or double spaces. */
const NAME = /^([a-zA-Z0-9]{1})([a-zA-Z0-9-.,']*(\s[a-zA-Z0-9-.,']+)*[a-zA-Z0-9-.,']?)$/;
const ZIP = /^\d{5}(-\d{4})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const GENDERS: readonly Gender[] = ['female', 'male', 'other', 'unknown'];
const US = new Set(['US', 'USA', 'UNITED STATES', 'UNITED STATES OF AMERICA']);

/**
 * Junction's `patient_details` and `patient_address` for an order: the request's `patient` and
 * `address` win, else the stored Patient's. Whatever Junction requires and would refuse is a
 * LabOrderInputError before any call to Junction.
 */
export function junctionPatientOf(overrides: LabOrderOverrides, patient: Patient): { details: JunctionPatientDetails; address: JunctionPatientAddress } {
  const name = patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0];
  const stored = patient.address?.[0];
  const fromRecord = (what: string) => `the patient record (patient_id) has no ${what}; send it in the request or add it to the Patient`;
  const details: JunctionPatientDetails = {
    first_name: required(overrides.patient?.first_name ?? name?.given?.[0], overrides.patient ? 'patient.first_name' : 'patient_id', fromRecord('first name')),
    last_name: required(overrides.patient?.last_name ?? name?.family, overrides.patient ? 'patient.last_name' : 'patient_id', fromRecord('last name')),
    dob: required(overrides.patient?.dob ?? patient.birthDate, overrides.patient ? 'patient.dob' : 'patient_id', fromRecord('birth date')),
    gender: GENDERS.includes(patient.gender as Gender) ? (patient.gender as Gender) : 'unknown',
    phone_number: required(
      patient.telecom?.find((t) => t.system === 'phone')?.value,
      'patient_id',
      'the patient record (patient_id) has no phone number, which Junction requires; add one to the Patient',
    ),
    email: required(
      overrides.patient?.email ?? patient.telecom?.find((t) => t.system === 'email')?.value,
      overrides.patient ? 'patient.email' : 'patient_id',
      fromRecord('email'),
    ),
  };
  const at = overrides.address ? 'address' : 'patient_id';
  const line1 = overrides.address?.line1 ?? stored?.line?.[0];
  const line2 = overrides.address ? overrides.address.line2 : stored?.line?.[1];
  const address: JunctionPatientAddress = {
    first_line: required(line1, overrides.address ? 'address.line1' : at, fromRecord('address')),
    ...(line2 ? { second_line: line2 } : {}),
    city: required(overrides.address?.city ?? stored?.city, overrides.address ? 'address.city' : at, fromRecord('address city')),
    state: required(overrides.address?.state ?? stored?.state, overrides.address ? 'address.state' : at, fromRecord('address state')).toUpperCase(),
    zip: required(overrides.address?.zip ?? stored?.postalCode, overrides.address ? 'address.zip' : at, fromRecord('postal code')),
    country: required(overrides.address?.country ?? stored?.country ?? 'US', overrides.address ? 'address.country' : at, fromRecord('country')),
  };
  check(details, address, Boolean(overrides.patient), Boolean(overrides.address));
  return { details: { ...details }, address: { ...address, country: 'US' } };
}

function check(details: JunctionPatientDetails, address: JunctionPatientAddress, patientSent: boolean, addressSent: boolean): void {
  const p = (field: string) => (patientSent ? `patient.${field}` : 'patient_id');
  const a = (field: string) => (addressSent ? `address.${field}` : 'patient_id');
  for (const [field, value] of [
    ['first_name', details.first_name],
    ['last_name', details.last_name],
  ] as const) {
    if (!NAME.test(value))
      throw new LabOrderInputError(p(field), `${p(field)}: Junction accepts names of ASCII letters, digits and - . , ' with single spaces between words`);
  }
  if (!DATE.test(details.dob) || Number.isNaN(Date.parse(details.dob))) throw new LabOrderInputError(p('dob'), `${p('dob')} must be a date YYYY-MM-DD`);
  if (!EMAIL.test(details.email)) throw new LabOrderInputError(p('email'), `${p('email')} must be an email address`);
  if (!US_STATE_CODES.includes(address.state)) throw new LabOrderInputError(a('state'), `${a('state')} must be a US state code, e.g. AZ`);
  if (!ZIP.test(address.zip)) throw new LabOrderInputError(a('zip'), `${a('zip')} must be a US ZIP code: 5 digits, or 5+4`);
  if (!US.has(address.country.trim().toUpperCase())) throw new LabOrderInputError(a('country'), `${a('country')}: Junction orders are for US addresses`);
}

function required(value: string | undefined, field: string, message: string): string {
  if (value === undefined || value.trim() === '') throw new LabOrderInputError(field, message);
  return value.trim();
}

/** A /v1 physician as Junction's inline `physician`; undefined when it lacks what Junction needs. */
export function physicianOf(practitioner: Practitioner): JunctionPhysicianRequest | undefined {
  const name = practitioner.name?.[0];
  const npi = practitioner.identifier?.find((i) => i.system === SYSTEM.npi)?.value;
  const states = (practitioner.qualification ?? [])
    .flatMap((q) => q.extension?.filter((e) => e.url === EXT.licenseState).map((e) => e.valueCode ?? '') ?? [])
    .filter(Boolean);
  const first = name?.given?.[0];
  if (!first || !name?.family || !npi || !NAME.test(first) || !NAME.test(name.family)) return undefined;
  return { first_name: first, last_name: name.family, npi, licensed_states: [...new Set(states)] };
}
