import type { Bundle } from '@medplum/fhirtypes';
import { COUNTED_FIRST, type AuditPage, type AuditQuery } from '../../store/audit-log';
import { allOk, badRequest, fail } from '../../problems/outcomes';
import { pageLinks, pageOf, queryWithoutPaging } from '../paging';
import { singleParam, type FhirRequest, type FhirResult } from '../request';
import { dateRange } from '../search/date-range';
import { parseTotal, type TotalMode } from '../search/parse-controls';
import type { SearchParamSummary } from '../search/params';
import type { SearchOnlyType } from '../capability';
import { auditEventOf } from './audit-event';

/** Reads one tenant's audit trail, newest first. */
export type AuditReader = (query: AuditQuery) => Promise<AuditPage>;

/** The trail's search parameters (besides paging and `_total`). */
const AUDIT_SEARCH_PARAMS: SearchParamSummary[] = [
  {
    name: 'entity',
    type: 'reference',
    definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-entity',
    documentation: 'A literal Type/id; no modifiers',
  },
  {
    name: 'date',
    type: 'date',
    definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-date',
    documentation: 'The prefix ge only: events recorded at or after a date or instant',
  },
];
const PARAMS = new Set(['_count', '_offset', '_total', ...AUDIT_SEARCH_PARAMS.map((param) => param.name)]);
/** The trail as the CapabilityStatement lists it: a search alone. */
export const AUDIT_TRAIL_CAPABILITY: SearchOnlyType = {
  type: 'AuditEvent',
  documentation: `The tenant's audit trail, one event per access, newest first; needs system/AuditEvent.rs. total is exact up to ${COUNTED_FIRST} events unless _total=accurate`,
  searchParam: AUDIT_SEARCH_PARAMS,
};
/** What `_total` asks of the count: as for a search of resources, exact up to COUNTED_FIRST and left out beyond unless `accurate`. */
const TOTAL: Record<TotalMode, AuditQuery['total']> = { accurate: 'all', estimate: undefined, none: 'none' };

/**
 * `GET [base]/AuditEvent` — the caller's tenant's audit trail, newest first. Parameters:
 * `entity=Type/id` (events about that resource), `date=ge<instant>` (recorded since), paging,
 * and `_total` as for any search: without `accurate`, `total` is left out past 1,000 events.
 * https://hl7.org/fhir/R4/auditevent.html#search
 */
export async function searchAuditEvents(req: FhirRequest, read: AuditReader): Promise<FhirResult> {
  const unknown = Object.keys(req.query).find((name) => !PARAMS.has(name));
  if (unknown !== undefined)
    fail(badRequest(`AuditEvent search supports entity, date (ge), _count, _offset and _total; not ${unknown.slice(0, 64)}`, unknown.slice(0, 64)));
  const page = pageOf(req);
  const entity = singleParam(req, 'entity');
  if (entity !== undefined && !/^[A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(entity)) fail(badRequest('entity must be a reference Type/id', 'entity'));
  const totalParam = singleParam(req, '_total');
  const total = totalParam === undefined ? undefined : TOTAL[parseTotal(totalParam)];
  const result = await read({ ...page, entity, since: sinceOf(singleParam(req, 'date')), total });
  const events = result.entries.map(auditEventOf);
  const url = `${req.baseUrl}/AuditEvent`;
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(result.total === undefined ? {} : { total: result.total }),
    link: pageLinks(url, queryWithoutPaging(req), page, events.length, result.total),
    entry: events.map((event) => ({ fullUrl: `${url}/${event.id}`, resource: event, search: { mode: 'match' } })),
  };
  return { outcome: allOk(), resource: bundle };
}

function sinceOf(date: string | undefined): string | undefined {
  if (date === undefined) return undefined;
  const range = date.startsWith('ge') ? dateRange(date.slice(2)) : undefined;
  if (!range) fail(badRequest('date must be ge followed by a FHIR date or instant, e.g. date=ge2026-01-01', 'date'));
  return range.low.toISOString();
}
