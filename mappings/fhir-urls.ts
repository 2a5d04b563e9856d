/**
 * Canonical URLs of the extensions, identifier systems and code systems that the /v1
 * projections use. The definitions behind them live in `fhir-profiles/`.
 */
export const FACADE_BASE = 'https://fhir-facade.dev/fhir';

const sd = (name: string): string => `${FACADE_BASE}/StructureDefinition/${name}`;
const cs = (name: string): string => `${FACADE_BASE}/CodeSystem/${name}`;
const vs = (name: string): string => `${FACADE_BASE}/ValueSet/${name}`;
const sid = (name: string): string => `${FACADE_BASE}/sid/${name}`;

export const EXT = {
  brandId: sd('brand-id'),
  metadata: sd('v1-metadata'),
  ageVerifiedAt: sd('age-verified-at'),
  ruoPathwayAcknowledgedAt: sd('ruo-pathway-acknowledged-at'),
  researcherAcknowledgementId: sd('researcher-acknowledgement-id'),
  prescriptionStatus: sd('prescription-status'),
  prescriptionConsultCompletedAt: sd('prescription-consult-completed-at'),
  licenseState: sd('license-state'),
  displayName: sd('display-name'),
  bio: sd('bio'),
  bookableOnline: sd('bookable-online'),
  labOrderStatus: sd('lab-order-status'),
  labOrderCompletedAt: sd('lab-order-completed-at'),
} as const;

export const PROFILE = {
  v1Patient: sd('v1-patient'),
  v1Physician: sd('v1-physician'),
  v1PractitionerRole: sd('v1-practitioner-role'),
  labOrder: sd('lab-order'),
} as const;

export const SYSTEM = {
  npi: 'http://hl7.org/fhir/sid/us-npi',
  hl7PractitionerRole: 'http://terminology.hl7.org/CodeSystem/practitioner-role',
  facadePractitionerRole: cs('practitioner-role'),
  qualificationType: cs('qualification-type'),
  labPanel: cs('lab-panel'),
  /** external_ids entries: the key becomes the last path segment (URI-encoded). */
  externalIdPrefix: sid('external-id/'),
  stateLicense: sid('state-license'),
  clepPermit: sid('clep-permit'),
  junctionPhysicianId: sid('junction-physician-id'),
  junctionOrderId: sid('junction-order-id'),
  registrationNumber: sid('registration-number'),
} as const;

export const VALUE_SET = {
  practitionerRole: vs('practitioner-role'),
  labPanel: vs('lab-panel'),
} as const;
