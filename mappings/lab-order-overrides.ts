import type { Patient, ServiceRequest } from '@medplum/fhirtypes';

/** The demographics a lab order request may send in place of the stored Patient's (seed 001). */
export interface LabOrderOverrides {
  patient?: { first_name: string; last_name: string; dob: string; email: string };
  address?: { line1: string; line2?: string; city: string; state: string; zip: string; country: string };
}

const CONTAINED_ID = 'order-demographics';

/**
 * Keeps the overrides on the ServiceRequest as a contained Patient (referenced from
 * `supportingInfo`, as FHIR requires of contained resources), so the order can be sent — and
 * sent again after a failure — with exactly what the client asked for.
 */
export function withOverrides(sr: ServiceRequest, overrides: LabOrderOverrides): ServiceRequest {
  const { patient, address } = overrides;
  if (!patient && !address) return sr;
  const contained: Patient = { resourceType: 'Patient', id: CONTAINED_ID };
  if (patient) {
    contained.name = [{ given: [patient.first_name], family: patient.last_name }];
    contained.birthDate = patient.dob;
    contained.telecom = [{ system: 'email', value: patient.email }];
  }
  if (address) {
    contained.address = [
      {
        line: [address.line1, ...(address.line2 ? [address.line2] : [])],
        city: address.city,
        state: address.state,
        postalCode: address.zip,
        country: address.country,
      },
    ];
  }
  return { ...sr, contained: [contained], supportingInfo: [...(sr.supportingInfo ?? []), { reference: `#${CONTAINED_ID}` }] };
}

/** The overrides a ServiceRequest carries, in the request's own shape. */
export function overridesOf(sr: ServiceRequest): LabOrderOverrides {
  const contained = sr.contained?.find((r): r is Patient => r.resourceType === 'Patient' && r.id === CONTAINED_ID);
  if (!contained) return {};
  const name = contained.name?.[0];
  const email = contained.telecom?.find((t) => t.system === 'email')?.value;
  const address = contained.address?.[0];
  const overrides: LabOrderOverrides = {};
  if (name) overrides.patient = { first_name: name.given?.[0] ?? '', last_name: name.family ?? '', dob: contained.birthDate ?? '', email: email ?? '' };
  if (address) {
    const [line1 = '', line2] = address.line ?? [];
    overrides.address = {
      line1,
      ...(line2 ? { line2 } : {}),
      city: address.city ?? '',
      state: address.state ?? '',
      zip: address.postalCode ?? '',
      country: address.country ?? '',
    };
  }
  return overrides;
}
