import type { PractitionerRole } from '@medplum/fhirtypes';
import { anyOf, byId, criterionOf, escapeSearchValue, oldestFirst, referencedBy, tokenContaining } from '../../fhir/search/compose';
import type { FhirService } from '../../fhir/service';
import type { StoredVersion } from '../../store/rows';
import { byCodeUnits } from '../../code-unit-order';

export interface ClinicianFilters {
  isActive?: boolean;
  isBookableOnline?: boolean;
  /** Only practitioners with an active PractitionerRole at this Location. */
  locationId?: string;
  /** Words that must each occur in a name, the display name or the email (case-insensitive). */
  searchWords?: string[];
}

export interface PractitionerPage {
  practitioners: StoredVersion[];
  hasMore: boolean;
}

/** How many roles one search reads at a time. */
const ROLE_PAGE = 1000;

/**
 * One page of the tenant's Practitioners for the clinician directory, oldest first, filtered
 * through the FHIR search engine. `active` absent counts as active (FHIR's default reading),
 * so "active" means "not active=false".
 */
export async function listDirectoryPractitioners(service: FhirService, filters: ClinicianFilters, limit: number, offset: number): Promise<PractitionerPage> {
  const practitioner = (name: string, value: string) => criterionOf('Practitioner', name, value);
  const criteria = [];
  if (filters.isActive !== undefined) criteria.push(filters.isActive ? practitioner('active:not', 'false') : practitioner('active', 'false'));
  if (filters.isBookableOnline !== undefined) criteria.push(practitioner(filters.isBookableOnline ? 'bookable-online' : 'bookable-online:not', 'true'));
  if (filters.locationId !== undefined) {
    const role = (name: string, value: string) => criterionOf('PractitionerRole', name, value);
    criteria.push(referencedBy('PractitionerRole', 'practitioner', [role('location', filters.locationId), role('active:not', 'false')]));
  }
  for (const word of filters.searchWords ?? []) {
    const literal = escapeSearchValue(word);
    criteria.push(anyOf(practitioner('name:contains', literal), practitioner('display-name:contains', literal), tokenContaining('email', word)));
  }
  const page = await service.search('Practitioner', oldestFirst(criteria, limit, offset));
  return { practitioners: page.versions, hasMore: page.more };
}

/**
 * The active (not `active: false`) PractitionerRoles of each practitioner, oldest first (ties by
 * id). Searched by one criterion in id order, the search PostgreSQL keeps prepared; the roles of
 * a page are few, so they are told active and put in order here rather than planned for on
 * every request.
 */
export async function activeRolesOf(service: FhirService, practitionerIds: string[]): Promise<Map<string, StoredVersion[]>> {
  const byPractitioner = new Map<string, StoredVersion[]>(practitionerIds.map((id) => [id, []]));
  if (practitionerIds.length === 0) return byPractitioner;
  const criteria = [criterionOf('PractitionerRole', 'practitioner', practitionerIds.map(escapeSearchValue).join(','))];
  const roles: StoredVersion[] = [];
  for (let offset = 0, more = true; more; offset += ROLE_PAGE) {
    const page = await service.search('PractitionerRole', byId(criteria, ROLE_PAGE, offset));
    roles.push(...page.versions);
    more = page.more;
  }
  for (const role of roles.filter(isActive).sort(byCreation)) byPractitioner.get(practitionerOf(role, practitionerIds) ?? '')?.push(role);
  return byPractitioner;
}

/** FHIR's reading of `active`: absent counts as active. */
const isActive = (role: StoredVersion): boolean => (role.resource as PractitionerRole).active !== false;

/** Oldest first, ties by id: the order of `oldestFirst`. Instants are written alike (`toISOString`), so they compare as text. */
const byCreation = (a: StoredVersion, b: StoredVersion): number => byCodeUnits(a.createdAt, b.createdAt) || byCodeUnits(a.id, b.id);

/** Which of the ids the role's practitioner reference names (relative or absolute). */
function practitionerOf(role: StoredVersion, ids: string[]): string | undefined {
  const reference = (role.resource as { practitioner?: { reference?: string } }).practitioner?.reference ?? '';
  return ids.find((id) => reference === `Practitioner/${id}` || reference.endsWith(`/Practitioner/${id}`));
}
