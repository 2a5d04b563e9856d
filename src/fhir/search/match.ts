import type { StoredVersion } from '../../store/rows';
import { badRequest, fail } from '../../problems/outcomes';
import type { FhirService } from '../service';
import { parseSearch } from './parse';

/**
 * The current resources of `resourceType` that meet search `criteria` (a query string such
 * as `identifier=http://x|123&name=bob`; a leading `?` or `Type?` is allowed), for
 * conditional create, update and references. Strict: an unknown parameter is a 400, and
 * criteria without any search parameter are a 400 rather than matching everything.
 * Returns at most `limit` matches (default 2: enough to tell none, one and several apart).
 * https://hl7.org/fhir/R4/http.html#ccreate
 */
export async function findMatches(service: FhirService, resourceType: string, criteria: string, limit = 2): Promise<StoredVersion[]> {
  return findMatchesOf(service, resourceType, criteriaQuery(resourceType, criteria), limit);
}

/** A criteria query string as names with their values. */
export function criteriaQuery(resourceType: string, criteria: string): Record<string, string[]> {
  const typed = /^([A-Za-z]*)\?/.exec(criteria);
  if (typed?.[1] && typed[1] !== resourceType) fail(badRequest(`Criteria for ${typed[1].slice(0, 64)} cannot select a ${resourceType}`));
  // Without a prototype, a parameter named `constructor` is a parameter like any other.
  const query: Record<string, string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(criteria.slice(typed?.[0].length ?? 0))) (query[name] ??= []).push(value);
  return query;
}

/** findMatches over an already parsed query (the URL of a conditional update). */
export async function findMatchesOf(service: FhirService, resourceType: string, query: Record<string, unknown>, limit = 2): Promise<StoredVersion[]> {
  const parsed = parseSearch(resourceType, query);
  if (parsed.criteria.length === 0) {
    // Parameters without a value are ignored (https://hl7.org/fhir/R4/search.html), so name those that were sent.
    const sent = Object.keys(query).map((name) => name.slice(0, 64));
    fail(badRequest(`Conditional criteria for ${resourceType} must name at least one search parameter with a value`, sent.length > 0 ? sent : undefined));
  }
  const result = await service.search(
    resourceType,
    { criteria: parsed.criteria, sort: [], count: limit, offset: 0, countTotal: false, include: [] },
    Object.keys(query),
  );
  return result.versions;
}
