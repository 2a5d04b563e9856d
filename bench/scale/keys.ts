import { derive, type Derived } from './random';

/** Change it and every id and value changes; keep it and every run generates the same data. */
export const SEED = 'fhir-scale-1';

/** The shape of a clinic network: one Practitioner (with a role) per 50 Patients, one Organization per 50 Practitioners. */
export const PATIENTS_PER_PRACTITIONER = 50;
export const PRACTITIONERS_PER_ORGANIZATION = 50;
export const LOCATIONS_PER_ORGANIZATION = 2;

/** Entity `index` of a type: its id and its random stream. */
export const entity = (type: string, index: number | string): Derived => derive(SEED, `${type}/${index}`);
export const reference = (type: string, index: number): { reference: string } => ({ reference: `${type}/${entity(type, index).id}` });

export const practitionersAt = (patients: number): number => Math.ceil(patients / PATIENTS_PER_PRACTITIONER);
export const organizationsAt = (patients: number): number => Math.ceil(practitionersAt(patients) / PRACTITIONERS_PER_ORGANIZATION);
export const practitionerOfPatient = (patient: number): number => Math.floor(patient / PATIENTS_PER_PRACTITIONER);
export const organizationOfPractitioner = (practitioner: number): number => Math.floor(practitioner / PRACTITIONERS_PER_ORGANIZATION);
export const organizationOfLocation = (location: number): number => Math.floor(location / LOCATIONS_PER_ORGANIZATION);
export const locationOfPractitioner = (practitioner: number): number =>
  organizationOfPractitioner(practitioner) * LOCATIONS_PER_ORGANIZATION + (practitioner % LOCATIONS_PER_ORGANIZATION);
