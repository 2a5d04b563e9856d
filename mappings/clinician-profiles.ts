import type { CodeableConcept, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { EXT, SYSTEM } from './fhir-urls';
import { lastUpdated, resourceId, telecomValue } from './elements';
import { extensionBoolean, extensionString } from './extensions';
import { nameText, preferredName } from './human-name';
import type { ClinicianProfile, Created } from './types';

/**
 * A clinician profile is read-only: a projection of a Practitioner and its PractitionerRoles
 * (pass them in a stable order, e.g. oldest first; the first active one names the role).
 */
export function fromFhir(practitioner: Practitioner, roles: PractitionerRole[], created: Created): ClinicianProfile {
  const name = preferredName(practitioner.name);
  const registration = practitioner.identifier?.find((i) => i.system === SYSTEM.registrationNumber);
  return {
    id: resourceId(practitioner),
    name: nameText(name),
    display_name: extensionString(practitioner, EXT.displayName),
    first_name: name?.given?.[0] ?? null,
    last_name: name?.family ?? null,
    title: name?.prefix?.length ? name.prefix.join(' ') : null,
    role: roleLabel(roles),
    email: telecomValue(practitioner.telecom, 'email'),
    bio: extensionString(practitioner, EXT.bio),
    photo_url: practitioner.photo?.find((p) => p.url !== undefined)?.url ?? null,
    qualifications: joinOrNull((practitioner.qualification ?? []).map((q) => conceptLabel(q.code, false))),
    registration_number: registration?.value ?? null,
    professional_registration_body: registration?.assigner?.display ?? null,
    is_active: practitioner.active !== false,
    // No flag means the clinician never opted in to online booking.
    is_bookable_online: extensionBoolean(practitioner, EXT.bookableOnline) ?? false,
    created_at: created.createdAt,
    updated_at: lastUpdated(practitioner.meta),
  };
}

/** The label of the first active role that has one. */
function roleLabel(roles: PractitionerRole[]): string | null {
  for (const role of roles) {
    if (role.active === false) continue;
    const label = (role.code ?? []).map((c) => conceptLabel(c, true)).find((l) => l !== undefined);
    if (label !== undefined) return label;
  }
  return null;
}

/**
 * text, else the first coding display, else (when `codeAsLast`) the first code. Qualifications
 * without a human label (our own state-license/clep-permit codings) are not shown as degrees.
 */
function conceptLabel(concept: CodeableConcept, codeAsLast: boolean): string | undefined {
  const codings = concept.coding ?? [];
  return concept.text ?? codings.find((c) => c.display)?.display ?? (codeAsLast ? codings.find((c) => c.code)?.code : undefined);
}

function joinOrNull(labels: (string | undefined)[]): string | null {
  const present = labels.filter((l): l is string => Boolean(l));
  return present.length ? present.join(', ') : null;
}
