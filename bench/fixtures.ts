/**
 * Synthetic data shaped like Synthea's output (trimmed to ~1.2 KB per Patient): deterministic
 * from an index, so that searches know which values exist. `@SEQ@` in a template is replaced
 * by the load generator with a value unique in the run.
 */
export const FAMILIES = ['Kuhn', 'Schmitt', 'Ortiz', 'Nguyen', 'Okafor', 'Larsen', 'Haddad', 'Moreau', 'Tanaka', 'Kowalski', 'Ferreira', 'Brennan'];
const GIVEN = ['Ava', 'Liam', 'Maya', 'Noah', 'Zoe', 'Omar', 'Lena', 'Ivan', 'Rosa', 'Theo'];
const CITIES = ['Boston', 'Worcester', 'Springfield', 'Lowell', 'Cambridge'];
export const MRN_SYSTEM = 'http://hospital.example.org/mrn';

/** The family name of seeded Patient `i`: a surname and a number, as Synthea writes them (Kuhn123). */
export const familyOf = (i: number): string => `${FAMILIES[i % FAMILIES.length]}${100 + (i % 97)}`;
/** Birth dates spread over 1940–2009 so that a one-month range matches a handful of Patients. */
export const birthDateOf = (i: number): string =>
  `${1940 + (i % 70)}-${String(1 + ((i * 7) % 12)).padStart(2, '0')}-${String(1 + ((i * 13) % 28)).padStart(2, '0')}`;

export function syntheaLikePatient(mrn: string, i: number): Record<string, unknown> {
  const family = familyOf(i);
  const given = GIVEN[i % GIVEN.length] ?? 'Ava';
  return {
    resourceType: 'Patient',
    extension: [
      {
        url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race',
        extension: [
          { url: 'ombCategory', valueCoding: { system: 'urn:oid:2.16.840.1.113883.6.238', code: '2106-3', display: 'White' } },
          { url: 'text', valueString: 'White' },
        ],
      },
      { url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex', valueCode: i % 2 ? 'M' : 'F' },
    ],
    identifier: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', display: 'Medical Record Number' }] },
        system: MRN_SYSTEM,
        value: mrn,
      },
      { system: 'http://hl7.org/fhir/sid/us-ssn', value: `999-${String(10 + (i % 89))}-${String(1000 + (i % 8999))}` },
    ],
    name: [{ use: 'official', family, given: [given, 'J'], prefix: [i % 2 ? 'Mr.' : 'Ms.'] }],
    telecom: [{ system: 'phone', value: `555-${String(100 + (i % 899))}-${String(1000 + (i % 8999))}`, use: 'home' }],
    gender: i % 2 ? 'male' : 'female',
    birthDate: birthDateOf(i),
    address: [{ line: [`${1 + (i % 999)} Main Street`], city: CITIES[i % CITIES.length], state: 'MA', postalCode: '02130', country: 'US' }],
    maritalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', code: 'M', display: 'Married' }], text: 'Married' },
    communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'en-US', display: 'English (United States)' }], text: 'English' } }],
  };
}

/**
 * A Patient as the write scenarios send it: shaped and sized as seeded Patient `i`, under a
 * family name and a birth year no search scenario asks for (the searches ask for seeded
 * Patients' families, born 1940–2009). What one repetition writes then leaves what the next
 * one's searches match as it was: a create that reused a seeded family piled thousands of
 * Patients onto it within a run, and the search of that family slowed from pass to pass.
 */
export function writtenPatient(mrn: string, i: number): Record<string, unknown> {
  const patient = syntheaLikePatient(mrn, i);
  const [name] = patient.name as { family: string }[];
  const birthDate = birthDateOf(i);
  return {
    ...patient,
    name: [{ ...name, family: `Vance${100 + (i % 97)}` }],
    birthDate: `${2010 + (i % 10)}${birthDate.slice(4)}`,
  };
}

export function organization(i: number): Record<string, unknown> {
  return {
    resourceType: 'Organization',
    identifier: [{ system: 'http://example.org/org', value: `ORG-${i}` }],
    active: true,
    name: `Bench Clinic ${i}`,
    address: [{ city: CITIES[i % CITIES.length], state: 'MA', country: 'US' }],
  };
}

export function location(i: number, organizationRef: string): Record<string, unknown> {
  return { resourceType: 'Location', status: 'active', name: `Bench Site ${i}`, managingOrganization: { reference: organizationRef } };
}

export function practitioner(i: number, family: string): Record<string, unknown> {
  return {
    resourceType: 'Practitioner',
    identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: `9${String(i).padStart(9, '0')}` }],
    active: true,
    name: [{ family, given: [GIVEN[i % GIVEN.length] ?? 'Ava'], prefix: ['Dr.'] }],
    gender: i % 2 ? 'male' : 'female',
  };
}

export function practitionerRole(practitionerRef: string, organizationRef: string, locationRef: string): Record<string, unknown> {
  return {
    resourceType: 'PractitionerRole',
    active: true,
    practitioner: { reference: practitionerRef },
    organization: { reference: organizationRef },
    location: [{ reference: locationRef }],
    code: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/practitioner-role', code: 'doctor' }] }],
  };
}

/** An order that is not a lab panel (no Junction submission): a referral. */
export function serviceRequest(subjectRef: string, requesterRef: string): Record<string, unknown> {
  return {
    resourceType: 'ServiceRequest',
    status: 'active',
    intent: 'order',
    code: { coding: [{ system: 'http://snomed.info/sct', code: '183519002', display: 'Referral to cardiology service' }] },
    subject: { reference: subjectRef },
    requester: { reference: requesterRef },
    authoredOn: '2024-05-01',
  };
}

/**
 * A Patient a lab order can be placed for: Junction needs a name, a birth date, a phone, an
 * email and a US address. A family of its own, so that the searches' matches do not change.
 */
export function orderablePatient(i: number): Record<string, unknown> {
  return {
    resourceType: 'Patient',
    name: [{ family: 'Labford', given: [GIVEN[i % GIVEN.length] ?? 'Ava'] }],
    gender: i % 2 ? 'male' : 'female',
    birthDate: birthDateOf(i),
    telecom: [
      { system: 'phone', value: `+1602555${String(1000 + i).slice(-4)}` },
      { system: 'email', value: `lab.${i}@example.com` },
    ],
    address: [{ line: [`${1 + i} West Lincoln Street`], city: 'Phoenix', state: 'AZ', postalCode: '85004', country: 'US' }],
  };
}

/** A transaction Bundle entry that creates `resource` under a temporary `urn:uuid:` name. */
export function createEntry(resource: Record<string, unknown>, fullUrl?: string): Record<string, unknown> {
  return { ...(fullUrl ? { fullUrl } : {}), resource, request: { method: 'POST', url: String(resource.resourceType) } };
}
