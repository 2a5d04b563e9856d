/** The /v1 request and response shapes, as documented in the seed pages. */

/** When a resource was first written: the `meta.lastUpdated` of its version 1. */
export interface Created {
  createdAt: string;
}

export interface V1PatientRequest {
  brand_id: string;
  first_name: string;
  last_name: string;
  date_of_birth?: string;
  gender?: string;
  email?: string;
  phone?: string;
  external_ids?: Record<string, string>;
  metadata?: Record<string, unknown>;
}

export interface V1Patient {
  id: string;
  brand_id: string;
  first_name: string;
  last_name: string;
  date_of_birth: string | null;
  gender: string | null;
  email: string | null;
  phone: string | null;
  external_ids: Record<string, string>;
  status: 'active' | 'inactive';
  metadata: Record<string, unknown>;
  age_verified_at: string | null;
  ruo_pathway_acknowledged_at: string | null;
  researcher_acknowledgement_id: string | null;
  prescription_status: string | null;
  prescription_consult_completed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface V1PhysicianRequest {
  name: string;
  email: string;
  npi: string;
  license_state: string;
  state_license: string;
  clep_permit_number?: string;
}

export interface V1Physician {
  id: string;
  name: string;
  email: string;
  npi: string;
  license_state: string;
  state_license: string;
  clep_permit_number: string | null;
  junction_physician_id: string | null;
  status: 'active' | 'inactive' | 'pending';
  created_at: string;
}

export const V1_ROLES = ['doctor', 'nurse', 'pharmacist', 'admin', 'consultant'] as const;
export type V1Role = (typeof V1_ROLES)[number];

export const WEEK_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type WeekDay = (typeof WEEK_DAYS)[number];

export interface V1PractitionerRoleRequest {
  practitionerId: string;
  role: V1Role;
  organizationName?: string;
  specialty?: string[];
  locationName?: string;
  phone?: string;
  email?: string;
  availableDays?: WeekDay[];
  availableStartTime?: string;
  availableEndTime?: string;
}

export interface V1PractitionerRole {
  id: string;
  practitionerId: string;
  role: string;
  organizationName: string | null;
  specialty: string[];
  locationName: string | null;
  phone: string | null;
  email: string | null;
  availableDays: WeekDay[];
  availableStartTime: string | null;
  availableEndTime: string | null;
  createdAt: string;
}

export interface ClinicianProfile {
  id: string;
  name: string;
  display_name: string | null;
  first_name: string | null;
  last_name: string | null;
  title: string | null;
  role: string | null;
  email: string | null;
  bio: string | null;
  photo_url: string | null;
  qualifications: string | null;
  registration_number: string | null;
  professional_registration_body: string | null;
  is_active: boolean;
  is_bookable_online: boolean;
  created_at: string;
  updated_at: string;
}

export const LAB_PANELS = ['hashimotos', 'pcos', 'fertility'] as const;
export type LabPanel = (typeof LAB_PANELS)[number];

export interface V1LabOrderRequest {
  brand_id: string;
  patient_id: string;
  panel_id: LabPanel;
  patient?: { first_name: string; last_name: string; dob: string; email: string };
  address?: { line1: string; line2?: string; city: string; state: string; zip: string; country: string };
}

export interface V1LabOrder {
  id: string;
  brand_id: string;
  patient_id: string;
  junction_order_id: string;
  panel_id: string;
  status: string;
  created_at: string;
  completed_at: string | null;
}
