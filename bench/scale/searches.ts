import { MRN_SYSTEM } from '../fixtures';
import { birthMonthQuery } from '../scenarios';
import { entity, practitionerOfPatient } from './keys';
import { practitionerAt } from './clinicians';
import { mrnOf, patientAt } from './patients';

/** A search measured at every size: its path (under /fhir/R4, or from the server's root for a /v1 one) for a Patient drawn at random from those loaded. */
export interface ScaleSearch {
  name: string;
  path(patient: number): string;
  /** A /v1 API's list: its path is from the server's root, its matches the `data` it lists. */
  v1?: boolean;
}

const mrnQuery = (patient: number): string => encodeURIComponent(`${MRN_SYSTEM}|${mrnOf(patient)}`);
const familyOf = (patient: number): string => patientAt(patient).name?.[0]?.family ?? '';
const birthDateOf = (patient: number): string => patientAt(patient).birthDate ?? '';
/** The family of the drawn Patient's Practitioner (`King473`): letters and digits, as a URL takes them. */
const clinicianFamilyOf = (patient: number): string => practitionerAt(practitionerOfPatient(patient)).name?.[0]?.family ?? '';

/**
 * Every search finds at least the drawn Patient (or its orders). How many more grows with the
 * size where the criterion is shared: a family prefix (`Kuhn12`: 10 families, ~0.75 Patients
 * per 10,000), an exact family, a birth month (~9 per 10,000) or day, the orders of a family's
 * Patients or of every family with the same first two letters (~2%, 0.6–4.7%); `gender=female` matches half.
 */
export const SCALE_SEARCHES: readonly ScaleSearch[] = [
  { name: 'token (Patient?identifier)', path: (i) => `/Patient?identifier=${mrnQuery(i)}` },
  { name: 'string prefix (Patient?family)', path: (i) => `/Patient?family=${encodeURIComponent(familyOf(i).slice(0, -1))}&_count=20` },
  { name: 'date range (Patient?birthdate, one month)', path: (i) => `/Patient?${birthMonthQuery(birthDateOf(i))}&_count=20` },
  { name: 'date equality (Patient?birthdate)', path: (i) => `/Patient?birthdate=${birthDateOf(i)}&_count=20` },
  { name: 'reference (ServiceRequest?subject)', path: (i) => `/ServiceRequest?subject=Patient/${entity('Patient', i).id}` },
  { name: 'chained (ServiceRequest?subject:Patient.identifier)', path: (i) => `/ServiceRequest?subject:Patient.identifier=${mrnQuery(i)}` },
  {
    name: 'chained by family (ServiceRequest?subject:Patient.family)',
    path: (i) => `/ServiceRequest?subject:Patient.family=${encodeURIComponent(familyOf(i))}&_count=20`,
  },
  {
    // Tens of thousands of Patients at a million, and their orders: a page found by walking the orders in id order.
    name: 'broad chain (ServiceRequest?subject:Patient.family, two letters)',
    path: (i) => `/ServiceRequest?subject:Patient.family=${encodeURIComponent(familyOf(i).slice(0, 2))}&_count=20`,
  },
  {
    name: '_include (ServiceRequest?requester, its subjects)',
    path: (i) => `/ServiceRequest?requester=Practitioner/${entity('Practitioner', practitionerOfPatient(i)).id}&_include=ServiceRequest:subject&_count=20`,
  },
  { name: 'broad token (Patient?gender=female)', path: () => '/Patient?gender=female&_count=20' },
  { name: ':exact (Patient?family:exact)', path: (i) => `/Patient?family:exact=${encodeURIComponent(familyOf(i))}&_count=20` },
  // The directory's search words are contained anywhere in a name or an email: a Practitioner's
  // family (rare), its first three letters (~1%), its first two (no trigram index finds them).
  { name: 'directory word (/v1/clinician-profiles?search=)', v1: true, path: (i) => `/v1/clinician-profiles?search=${clinicianFamilyOf(i)}` },
  ...[3, 2].map((letters) => ({
    name: `directory ${letters === 3 ? 'three' : 'two'} letters (/v1/clinician-profiles?search=)`,
    v1: true,
    path: (i: number) => `/v1/clinician-profiles?search=${clinicianFamilyOf(i).slice(0, letters).toLowerCase()}`,
  })),
];
