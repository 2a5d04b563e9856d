import type { Coding, Location, Organization, PractitionerRole, PractitionerRoleAvailableTime, Reference } from '@medplum/fhirtypes';
import { PROFILE, SYSTEM } from './fhir-urls';
import { contactPoint, reference, referenceId, resourceId, telecomValue, withoutEmptyArrays } from './elements';
import { V1_ROLES, type V1PractitionerRole, type V1PractitionerRoleRequest, type V1Role } from './types';

/** doctor/nurse/pharmacist exist in HL7's CodeSystem; admin/consultant live in ours. */
const ROLE_CODINGS: Record<V1Role, Coding> = {
  doctor: { system: SYSTEM.hl7PractitionerRole, code: 'doctor', display: 'Doctor' },
  nurse: { system: SYSTEM.hl7PractitionerRole, code: 'nurse', display: 'Nurse' },
  pharmacist: { system: SYSTEM.hl7PractitionerRole, code: 'pharmacist', display: 'Pharmacist' },
  admin: { system: SYSTEM.facadePractitionerRole, code: 'admin' },
  consultant: { system: SYSTEM.facadePractitionerRole, code: 'consultant' },
};

/**
 * The resources a role points at, resolved before mapping: the organization and location are
 * found or created by the names in the body. The display of each reference keeps the name the
 * client sent, so the projection needs no lookup; without an id the name still survives as a
 * display-only reference.
 */
export interface RoleReferences {
  practitionerId: string;
  organizationId?: string;
  locationId?: string;
}

export interface RoleNames {
  organizationName?: string;
  locationName?: string;
}

/** "08:00" → "08:00:00" (FHIR `time`). */
export const toFhirTime = (hhmm: string): string => `${hhmm}:00`;
/** "08:00:00" → "08:00"; seconds, which /v1 cannot express, are dropped. */
export const fromFhirTime = (time: string): string => time.slice(0, 5);

export function toFhir(body: V1PractitionerRoleRequest, refs: RoleReferences): PractitionerRole {
  const organization = namedReference<Organization>('Organization', refs.organizationId, body.organizationName);
  const location = namedReference<Location>('Location', refs.locationId, body.locationName);
  return withoutEmptyArrays<PractitionerRole>({
    resourceType: 'PractitionerRole',
    meta: { profile: [PROFILE.v1PractitionerRole] },
    active: true,
    practitioner: reference('Practitioner', refs.practitionerId),
    ...(organization ? { organization } : {}),
    code: [{ coding: [{ ...ROLE_CODINGS[body.role] }] }],
    specialty: (body.specialty ?? []).map((text) => ({ text })),
    location: location ? [location] : [],
    telecom: [...contactPoint('phone', body.phone), ...contactPoint('email', body.email)],
    availableTime: availableTimeToFhir(body),
  });
}

export function fromFhir(role: PractitionerRole, names: RoleNames, createdAt: string): V1PractitionerRole {
  const time = role.availableTime?.[0];
  return {
    id: resourceId(role),
    practitionerId: referenceId(role.practitioner, 'Practitioner') ?? '',
    role: roleFromFhir(role),
    organizationName: names.organizationName ?? role.organization?.display ?? null,
    specialty: (role.specialty ?? []).flatMap((s) => (s.text === undefined ? [] : [s.text])),
    locationName: names.locationName ?? role.location?.[0]?.display ?? null,
    phone: telecomValue(role.telecom, 'phone'),
    email: telecomValue(role.telecom, 'email'),
    availableDays: time?.daysOfWeek ?? [],
    availableStartTime: time?.availableStartTime === undefined ? null : fromFhirTime(time.availableStartTime),
    availableEndTime: time?.availableEndTime === undefined ? null : fromFhirTime(time.availableEndTime),
    createdAt,
  };
}

/**
 * The display keeps the name the client sent, so the projection needs no lookup to show it;
 * without a resolved id the name still survives as a display-only reference.
 */
function namedReference<T extends Organization | Location>(
  resourceType: T['resourceType'],
  id: string | undefined,
  name: string | undefined,
): Reference<T> | undefined {
  if (id !== undefined) return reference<T>(resourceType, id, name);
  return name === undefined ? undefined : { display: name };
}

function availableTimeToFhir(body: V1PractitionerRoleRequest): PractitionerRoleAvailableTime[] {
  const time: PractitionerRoleAvailableTime = {
    ...(body.availableDays?.length ? { daysOfWeek: body.availableDays } : {}),
    ...(body.availableStartTime === undefined ? {} : { availableStartTime: toFhirTime(body.availableStartTime) }),
    ...(body.availableEndTime === undefined ? {} : { availableEndTime: toFhirTime(body.availableEndTime) }),
  };
  return Object.keys(time).length ? [time] : [];
}

/** The v1 code whose coding (in its own system) the role carries. */
function roleFromFhir(role: PractitionerRole): string {
  const codings = role.code?.flatMap((c) => c.coding ?? []) ?? [];
  const match = V1_ROLES.find((r) => codings.some((c) => c.system === ROLE_CODINGS[r].system && c.code === ROLE_CODINGS[r].code));
  return match ?? '';
}
