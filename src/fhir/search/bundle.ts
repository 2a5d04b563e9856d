import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import type { StoredVersion } from '../../store/rows';
import type { SearchResult } from '../../store/search/search';
import { pageLinks, queryWithoutPaging } from '../paging';
import type { FhirRequest } from '../request';
import type { ParsedSearch } from './parse';
import { subsetResource } from './subset';

/**
 * The searchset Bundle of one page: matches, then included resources, then (when
 * parameters were ignored under lenient handling) an OperationOutcome saying which.
 * https://hl7.org/fhir/R4/bundle.html#searchset
 */
export function searchsetBundle(req: FhirRequest, resourceType: string, search: ParsedSearch, result: SearchResult): Bundle {
  const entry: BundleEntry[] = [
    ...result.versions.map((v) => entryOf(req.baseUrl, v, search, 'match')),
    ...result.included.map((v) => entryOf(req.baseUrl, v, search, 'include')),
  ];
  if (search.ignored.length > 0) entry.push({ resource: ignoredOutcome(search), search: { mode: 'outcome' } });
  const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset' };
  if (result.total !== undefined) bundle.total = result.total;
  bundle.link = links(req, resourceType, search, result);
  if (entry.length > 0) bundle.entry = entry;
  return bundle;
}

function entryOf(baseUrl: string, version: StoredVersion, search: ParsedSearch, mode: 'match' | 'include'): BundleEntry {
  const { resourceType, id } = version.resource;
  return { fullUrl: `${baseUrl}/${resourceType}/${id}`, resource: subsetResource(version.resource, search.summary, search.elements), search: { mode } };
}

/**
 * Paging links that repeat every criterion; without a count, `next` is offered only while
 * more matches are known to follow. `_count=0` pages nothing: only `self`.
 */
function links(req: FhirRequest, resourceType: string, search: ParsedSearch, result: SearchResult): BundleLink[] {
  const page = { count: search.count, offset: search.offset };
  const known = result.total ?? (result.more ? undefined : search.offset + result.versions.length);
  const all = pageLinks(`${req.baseUrl}/${resourceType}`, queryWithoutPaging(req), page, result.versions.length, known);
  return search.count === 0 ? all.filter((l) => l.relation === 'self') : all;
}

function ignoredOutcome(search: ParsedSearch): Resource {
  return {
    resourceType: 'OperationOutcome',
    issue: search.ignored.map(({ param, reason }) => ({
      severity: 'warning',
      code: 'not-supported',
      details: { text: `Ignored: ${reason}` },
      expression: [param],
    })),
  };
}
