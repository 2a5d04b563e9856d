import type { Practitioner, PractitionerQualification } from '@medplum/fhirtypes';
import { EXT, PROFILE, SYSTEM } from './fhir-urls';
import { contactPoint, identifierValue, resourceId, telecomValue, withoutEmptyArrays } from './elements';
import { codeExtension, extensionString } from './extensions';
import { nameText, parseHumanName, preferredName } from './human-name';
import type { Created, V1Physician, V1PhysicianRequest } from './types';

/**
 * Jurisdictions that license physicians: the 50 states, DC and the five inhabited territories.
 * The military postal codes AA/AE/AP are mailing regions with no licensing board, so they are
 * not accepted as a license_state.
 */
export const US_STATE_CODES: readonly string[] = [
  'AL',
  'AK',
  'AZ',
  'AR',
  'CA',
  'CO',
  'CT',
  'DE',
  'FL',
  'GA',
  'HI',
  'ID',
  'IL',
  'IN',
  'IA',
  'KS',
  'KY',
  'LA',
  'ME',
  'MD',
  'MA',
  'MI',
  'MN',
  'MS',
  'MO',
  'MT',
  'NE',
  'NV',
  'NH',
  'NJ',
  'NM',
  'NY',
  'NC',
  'ND',
  'OH',
  'OK',
  'OR',
  'PA',
  'RI',
  'SC',
  'SD',
  'TN',
  'TX',
  'UT',
  'VT',
  'VA',
  'WA',
  'WV',
  'WI',
  'WY',
  'DC',
  'AS',
  'GU',
  'MP',
  'PR',
  'VI',
];

/** NY is the state whose reference labs need a CLEP permit before the physician may order. */
const CLEP_STATE = 'NY';

/**
 * The NPI check digit: Luhn over "80840" (the US health-industry prefix) + the first nine digits.
 * https://www.cms.gov/Regulations-and-Guidance/Administrative-Simplification/NationalProvIdentStand/Downloads/NPIcheckdigit.pdf
 */
export function isValidNpi(npi: string): boolean {
  if (!/^\d{10}$/.test(npi)) return false;
  const payload = `80840${npi.slice(0, 9)}`;
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    // Every second digit, starting with the rightmost of the payload, is doubled.
    const digit = Number(payload[payload.length - 1 - i]);
    const doubled = i % 2 === 0 ? digit * 2 : digit;
    sum += doubled > 9 ? doubled - 9 : doubled;
  }
  return (10 - (sum % 10)) % 10 === Number(npi[9]);
}

type QualificationType = 'state-license' | 'clep-permit';

const qualificationCode = (code: QualificationType) => ({ coding: [{ system: SYSTEM.qualificationType, code }] });

function findQualification(practitioner: Practitioner, code: QualificationType): PractitionerQualification | undefined {
  return practitioner.qualification?.find((q) => q.code.coding?.some((c) => c.system === SYSTEM.qualificationType && c.code === code));
}

/** What the Junction registration adds after the request: the id Junction gave the physician. */
export interface PhysicianRegistration {
  junctionPhysicianId?: string;
}

/** One Practitioner per (NPI, license_state) registration. */
export function toFhir(body: V1PhysicianRequest, registration: PhysicianRegistration = {}): Practitioner {
  const clep: PractitionerQualification[] =
    body.clep_permit_number === undefined
      ? []
      : [{ identifier: [{ system: SYSTEM.clepPermit, value: body.clep_permit_number }], code: qualificationCode('clep-permit') }];
  return withoutEmptyArrays<Practitioner>({
    resourceType: 'Practitioner',
    meta: { profile: [PROFILE.v1Physician] },
    identifier: [
      { system: SYSTEM.npi, value: body.npi },
      ...(registration.junctionPhysicianId === undefined ? [] : [{ system: SYSTEM.junctionPhysicianId, value: registration.junctionPhysicianId }]),
    ],
    active: true,
    name: [parseHumanName(body.name)],
    telecom: contactPoint('email', body.email),
    qualification: [
      {
        extension: codeExtension(EXT.licenseState, body.license_state),
        identifier: [{ system: SYSTEM.stateLicense, value: body.state_license }],
        code: qualificationCode('state-license'),
      },
      ...clep,
    ],
  });
}

/** A copy with the Junction physician id set (replacing any earlier one). */
export function withJunctionPhysicianId(practitioner: Practitioner, junctionPhysicianId: string): Practitioner {
  const others = (practitioner.identifier ?? []).filter((i) => i.system !== SYSTEM.junctionPhysicianId);
  return { ...practitioner, identifier: [...others, { system: SYSTEM.junctionPhysicianId, value: junctionPhysicianId }] };
}

export function fromFhir(practitioner: Practitioner, created: Created): V1Physician {
  const license = findQualification(practitioner, 'state-license');
  const licenseState = extensionString(license, EXT.licenseState) ?? '';
  const clepPermit = identifierValue(findQualification(practitioner, 'clep-permit')?.identifier, SYSTEM.clepPermit);
  return {
    id: resourceId(practitioner),
    name: nameText(preferredName(practitioner.name)),
    email: telecomValue(practitioner.telecom, 'email') ?? '',
    npi: identifierValue(practitioner.identifier, SYSTEM.npi) ?? '',
    license_state: licenseState,
    state_license: identifierValue(license?.identifier, SYSTEM.stateLicense) ?? '',
    clep_permit_number: clepPermit,
    junction_physician_id: identifierValue(practitioner.identifier, SYSTEM.junctionPhysicianId),
    status: physicianStatus(practitioner.active, licenseState, clepPermit),
    created_at: created.createdAt,
  };
}

/** A deactivated registration is inactive whatever its permits; NY without CLEP waits. */
function physicianStatus(active: boolean | undefined, licenseState: string, clepPermit: string | null): V1Physician['status'] {
  if (active === false) return 'inactive';
  if (licenseState === CLEP_STATE && clepPermit === null) return 'pending';
  return 'active';
}
