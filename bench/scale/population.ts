import type { Resource } from '@medplum/fhirtypes';
import { locationAt, organizationAt, practitionerAt, practitionerRoleAt } from './clinicians';
import { LOCATIONS_PER_ORGANIZATION, organizationsAt, practitionersAt } from './keys';
import { ordersOf } from './orders';
import { patientAt } from './patients';

/** One NDJSON file's worth of the population: how many entities a population of `patients` has, and entity `index`'s resources. */
export interface Kind {
  type: Resource['resourceType'];
  countAt(patients: number): number;
  resourcesOf(index: number): Resource[];
}

/** In load order: what a resource refers to is loaded before it. */
export const KINDS: readonly Kind[] = [
  { type: 'Organization', countAt: organizationsAt, resourcesOf: (k) => [organizationAt(k)] },
  { type: 'Location', countAt: (n) => organizationsAt(n) * LOCATIONS_PER_ORGANIZATION, resourcesOf: (n) => [locationAt(n)] },
  { type: 'Practitioner', countAt: practitionersAt, resourcesOf: (j) => [practitionerAt(j)] },
  { type: 'PractitionerRole', countAt: practitionersAt, resourcesOf: (j) => [practitionerRoleAt(j)] },
  { type: 'Patient', countAt: (n) => n, resourcesOf: (i) => [patientAt(i)] },
  { type: 'ServiceRequest', countAt: (n) => n, resourcesOf: ordersOf },
];
