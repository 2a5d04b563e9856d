import type { Element, Identifier, Patient } from '@medplum/fhirtypes';
import { EXT, PROFILE, SYSTEM } from './fhir-urls';
import { contactPoint, lastUpdated, resourceId, telecomValue, withoutEmptyArrays } from './elements';
import { extensionString, stringExtension } from './extensions';
import { preferredName } from './human-name';
import type { Created, V1Patient, V1PatientRequest } from './types';

/** Core R4 extension for the text a coded value was derived from. */
export const ORIGINAL_TEXT = 'http://hl7.org/fhir/StructureDefinition/originalText';

const GENDERS = ['male', 'female', 'other', 'unknown'] as const;
type Gender = (typeof GENDERS)[number];

/** `_gender` is the JSON home of extensions on the `gender` primitive. */
type PatientJson = Patient & { _gender?: Element };

export function toFhir(body: V1PatientRequest): Patient {
  const metadata = body.metadata ?? {};
  const patient: PatientJson = {
    resourceType: 'Patient',
    meta: { profile: [PROFILE.v1Patient] },
    extension: [
      ...stringExtension(EXT.brandId, body.brand_id),
      ...(Object.keys(metadata).length ? stringExtension(EXT.metadata, JSON.stringify(metadata)) : []),
    ],
    identifier: Object.entries(body.external_ids ?? {}).map(([key, value]) => ({
      system: SYSTEM.externalIdPrefix + encodeURIComponent(key),
      value,
    })),
    active: true,
    name: [{ use: 'official', family: body.last_name, given: [body.first_name] }],
    telecom: [...contactPoint('email', body.email), ...contactPoint('phone', body.phone)],
    ...(body.gender === undefined ? {} : genderToFhir(body.gender)),
    ...(body.date_of_birth === undefined ? {} : { birthDate: body.date_of_birth }),
  };
  return withoutEmptyArrays(patient);
}

export function fromFhir(patient: Patient, created: Created): V1Patient {
  const name = preferredName(patient.name);
  return {
    id: resourceId(patient),
    brand_id: extensionString(patient, EXT.brandId) ?? '',
    first_name: name?.given?.join(' ') ?? '',
    last_name: name?.family ?? '',
    date_of_birth: patient.birthDate ?? null,
    gender: genderFromFhir(patient),
    email: telecomValue(patient.telecom, 'email'),
    phone: telecomValue(patient.telecom, 'phone'),
    external_ids: externalIdsFromFhir(patient.identifier),
    status: patient.active === false ? 'inactive' : 'active',
    metadata: metadataFromFhir(extensionString(patient, EXT.metadata)),
    age_verified_at: extensionString(patient, EXT.ageVerifiedAt),
    ruo_pathway_acknowledged_at: extensionString(patient, EXT.ruoPathwayAcknowledgedAt),
    researcher_acknowledgement_id: extensionString(patient, EXT.researcherAcknowledgementId),
    prescription_status: extensionString(patient, EXT.prescriptionStatus),
    prescription_consult_completed_at: extensionString(patient, EXT.prescriptionConsultCompletedAt),
    created_at: created.createdAt,
    updated_at: lastUpdated(patient.meta),
  };
}

/** "male"/"Male"/" FEMALE " → the code; any other text → no code. */
function genderCode(text: string): Gender | undefined {
  const normalized = text.trim().toLowerCase();
  return GENDERS.find((g) => g === normalized);
}

/**
 * v1 gender is free text. The code goes to `gender` when the text names one; the text itself
 * is kept in `_gender` (originalText) unless it is exactly the code, so nothing is lost and
 * nothing is guessed ("non-binary" gets no code rather than a made-up one).
 */
function genderToFhir(text: string): Pick<PatientJson, 'gender' | '_gender'> {
  const code = genderCode(text);
  if (code === text) return { gender: code };
  return {
    ...(code ? { gender: code } : {}),
    _gender: { extension: [{ url: ORIGINAL_TEXT, valueString: text }] },
  };
}

/** The original text, unless a FHIR client has since changed `gender` so that it no longer fits. */
function genderFromFhir(patient: PatientJson): string | null {
  const text = extensionString(patient._gender, ORIGINAL_TEXT);
  if (text !== null && genderCode(text) === patient.gender) return text;
  return patient.gender ?? null;
}

// Object.fromEntries, not assignment, so that a key such as "__proto__" survives.
function externalIdsFromFhir(identifiers: Identifier[] | undefined): Record<string, string> {
  const entries = (identifiers ?? []).flatMap(({ system, value }) =>
    system?.startsWith(SYSTEM.externalIdPrefix) && value !== undefined ? [[decodeKey(system.slice(SYSTEM.externalIdPrefix.length)), value] as const] : [],
  );
  return Object.fromEntries(entries);
}

function decodeKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded; // written through FHIR with a stray '%': show it as stored
  }
}

/** The JSON text we stored; anything else a FHIR client may have written there reads as `{}`. */
function metadataFromFhir(text: string | null): Record<string, unknown> {
  if (text === null) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
