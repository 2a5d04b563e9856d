import type { Patient, Practitioner } from '@medplum/fhirtypes';
import { telecomValue } from '../../mappings/elements';
import { EXT, SYSTEM } from '../../mappings/fhir-urls';
import { preferredName } from '../../mappings/human-name';
import type { LabOrderOverrides } from '../../mappings/lab-order-overrides';
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

const RULE = {
  name: "must be ASCII letters, digits and - . , ' with single spaces between words (Junction's rule)",
  dob: 'must be a date YYYY-MM-DD',
  email: 'must be an email address',
  state: 'must be a US state code, e.g. AZ',
  zip: 'must be a US ZIP code: 5 digits, or 5+4',
  country: 'must be the United States: Junction orders are for US addresses',
};

/**
 * One demographic: the /v1 field that sends it (`patient.first_name`), what it is called in a
 * message, and whether this value came from the request or from the stored Patient.
 */
interface Slot {
  field: `${'patient' | 'address'}.${string}`;
  label: string;
  sent: boolean;
}

/**
 * Junction's `patient_details` and `patient_address` for an order: the request's `patient` and
 * `address` objects win (each as a whole), else the stored Patient's. Whatever Junction requires
 * and would refuse is a LabOrderInputError before any call to Junction.
 */
export function junctionPatientOf(overrides: LabOrderOverrides, patient: Patient): { details: JunctionPatientDetails; address: JunctionPatientAddress } {
  const sentPatient = overrides.patient;
  const sentAddress = overrides.address;
  const name = preferredName(patient.name);
  const stored = patient.address?.[0];
  const p = (key: string, label: string): Slot => ({ field: `patient.${key}`, label, sent: sentPatient !== undefined });
  const a = (key: string, label: string): Slot => ({ field: `address.${key}`, label, sent: sentAddress !== undefined });

  const details: JunctionPatientDetails = {
    first_name: valid(p('first_name', 'first name'), sentPatient ? sentPatient.first_name : name?.given?.join(' '), NAME, RULE.name),
    last_name: valid(p('last_name', 'last name'), sentPatient ? sentPatient.last_name : name?.family, NAME, RULE.name),
    dob: validDate(p('dob', 'birth date'), sentPatient ? sentPatient.dob : patient.birthDate),
    gender: isGender(patient.gender) ? patient.gender : 'unknown',
    phone_number: storedPhone(patient),
    email: valid(p('email', 'email'), sentPatient ? sentPatient.email : (telecomValue(patient.telecom, 'email') ?? undefined), EMAIL, RULE.email),
  };
  const line2 = sentAddress ? sentAddress.line2 : stored?.line?.[1];
  const address: JunctionPatientAddress = {
    first_line: present(a('line1', 'address'), sentAddress ? sentAddress.line1 : stored?.line?.[0]),
    ...(line2?.trim() ? { second_line: line2.trim() } : {}),
    city: present(a('city', 'address city'), sentAddress ? sentAddress.city : stored?.city),
    state: valid(a('state', 'address state'), (sentAddress ? sentAddress.state : stored?.state)?.toUpperCase(), (s) => US_STATE_CODES.includes(s), RULE.state),
    zip: valid(a('zip', 'postal code'), sentAddress ? sentAddress.zip : stored?.postalCode, ZIP, RULE.zip),
    country: usCountry(a('country', 'address country'), sentAddress ? sentAddress.country : (stored?.country ?? 'US')),
  };
  return { details, address };
}

const isGender = (value: string | undefined): value is Gender => GENDERS.some((g) => g === value);

/**
 * Junction takes `US` only. A stored US address often leaves the country out, so none reads as
 * US; a sent address always has one (the request schema requires it).
 */
function usCountry(slot: Slot, value: string): 'US' {
  valid(slot, value, (c) => US.has(c.toUpperCase()), RULE.country);
  return 'US';
}

/** The seed's `patient` object has no phone, so only the stored Patient can give Junction one. */
function storedPhone(patient: Patient): string {
  const phone = telecomValue(patient.telecom, 'phone')?.trim();
  if (!phone) {
    throw new LabOrderInputError(
      'patient_id',
      'the patient record (patient_id) has no phone number, which Junction requires; add one to the Patient (a lab order request cannot carry one)',
    );
  }
  return phone;
}

function present(slot: Slot, value: string | undefined): string {
  const trimmed = value?.trim();
  if (trimmed) return trimmed;
  if (slot.sent) throw new LabOrderInputError(slot.field, `${slot.field} is required`);
  throw new LabOrderInputError(
    'patient_id',
    `the patient record (patient_id) has no ${slot.label}, which Junction requires; send ${slot.field} or add it to the Patient`,
  );
}

function valid(slot: Slot, value: string | undefined, rule: RegExp | ((value: string) => boolean), ruleText: string): string {
  const trimmed = present(slot, value);
  if (typeof rule === 'function' ? rule(trimmed) : rule.test(trimmed)) return trimmed;
  if (slot.sent) throw new LabOrderInputError(slot.field, `${slot.field} ${ruleText}`);
  throw new LabOrderInputError('patient_id', `the patient record (patient_id): its ${slot.label} ${ruleText}; send ${slot.field} or correct the Patient`);
}

/** YYYY-MM-DD and a real calendar day: `Date.parse` alone takes 1990-02-30 as 2 March. */
function validDate(slot: Slot, value: string | undefined): string {
  const isDay = (v: string) => DATE.test(v) && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString().startsWith(v);
  return valid(slot, value, isDay, RULE.dob);
}

/** A /v1 physician as Junction's inline `physician`; undefined when it lacks what Junction needs. */
export function physicianOf(practitioner: Practitioner): JunctionPhysicianRequest | undefined {
  const name = preferredName(practitioner.name);
  const npi = practitioner.identifier?.find((i) => i.system === SYSTEM.npi)?.value;
  const states = (practitioner.qualification ?? [])
    .flatMap((q) => q.extension?.filter((e) => e.url === EXT.licenseState).map((e) => e.valueCode ?? '') ?? [])
    .filter(Boolean);
  const first = name?.given?.[0];
  if (!first || !name?.family || !npi || !NAME.test(first) || !NAME.test(name.family)) return undefined;
  return { first_name: first, last_name: name.family, npi, licensed_states: [...new Set(states)] };
}
