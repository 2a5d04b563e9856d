import type { Patient, Practitioner, Resource } from '@medplum/fhirtypes';
import { EXT, SYSTEM } from '../../../mappings/fhir-urls';
import type { UniqueKey } from '../../store/index-rows';

/** What a client is told when a key is taken; no values, they may be PHI. */
export const UNIQUE_KEY_MESSAGES: Record<string, string> = {
  'patient-brand-email': 'a patient with this email already exists for this brand',
  'patient-brand-external-id': 'a patient with one of these external_ids already exists for this brand',
  'practitioner-npi-state': 'a physician with this NPI is already registered for this license_state',
};

/**
 * The uniqueness rules of the /v1 contract, derived from the stored FHIR resource so that
 * writes through FHIR and through /v1 are held to the same rule by one primary key.
 */
export function uniqueKeysOf(resource: Resource): UniqueKey[] {
  switch (resource.resourceType) {
    case 'Patient':
      return patientKeys(resource);
    case 'Practitioner':
      return practitionerKeys(resource);
    default:
      return [];
  }
}

/** Same brand and the same email (case-insensitive) or a shared external id. */
function patientKeys(patient: Patient): UniqueKey[] {
  const brand = patient.extension?.find((e) => e.url === EXT.brandId)?.valueString;
  if (!brand) return [];
  const emails = (patient.telecom ?? [])
    .filter((t) => t.system === 'email' && t.value)
    .map((t) => ({ kind: 'patient-brand-email', value: JSON.stringify([brand, t.value?.toLowerCase()]) }));
  const externalIds = (patient.identifier ?? [])
    .filter((i) => i.system?.startsWith(SYSTEM.externalIdPrefix) && i.value)
    .map((i) => ({ kind: 'patient-brand-external-id', value: JSON.stringify([brand, i.system, i.value]) }));
  return [...emails, ...externalIds];
}

/** Same NPI registered for the same licence state. */
function practitionerKeys(practitioner: Practitioner): UniqueKey[] {
  const npi = practitioner.identifier?.find((i) => i.system === SYSTEM.npi)?.value;
  if (!npi) return [];
  return (practitioner.qualification ?? [])
    .map((q) => q.extension?.find((e) => e.url === EXT.licenseState)?.valueCode)
    .filter((state): state is string => Boolean(state))
    .map((state) => ({ kind: 'practitioner-npi-state', value: JSON.stringify([npi, state]) }));
}
