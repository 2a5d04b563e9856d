import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import { allOk } from '../../problems/outcomes';
import type { StoredVersion } from '../../store/rows';
import type { SearchResult } from '../../store/search/search';
import { storedJsonOf } from '../../store/stored-json';
import { bundleResult, entryJson } from '../bundle-json';
import { pageLinks, queryWithoutPaging } from '../paging';
import type { FhirRequest, FhirResult } from '../request';
import type { ParsedSearch } from './parse';
import { subsetResource, subsets } from './subset';

/**
 * The searchset Bundle of one page: matches, then included resources, then (when
 * parameters were ignored under lenient handling) an OperationOutcome saying which.
 * https://hl7.org/fhir/R4/bundle.html#searchset
 *
 * When every resource of the page is whole (no `_summary`, no `_elements`) and still the text
 * it was stored as, the answer is written from those texts (bundle-json.ts); the Bundle itself
 * is built only for whoever asks for it (a batch entry).
 */
export function searchsetResult(req: FhirRequest, resourceType: string, search: ParsedSearch, result: SearchResult): FhirResult {
  const build = (): Bundle => searchsetBundle(req, resourceType, search, result);
  if (subsets(search.summary, search.elements)) return { outcome: allOk(), resource: build() };
  const entries = [...result.versions.map((v) => storedEntry(req.baseUrl, v, 'match')), ...result.included.map((v) => storedEntry(req.baseUrl, v, 'include'))];
  if (search.ignored.length > 0) entries.push(JSON.stringify(ignoredEntry(search)));
  return bundleResult(skeleton(req, resourceType, search, result), entries, build);
}

function searchsetBundle(req: FhirRequest, resourceType: string, search: ParsedSearch, result: SearchResult): Bundle {
  const entry: BundleEntry[] = [
    ...result.versions.map((v) => entryOf(req.baseUrl, v, search, 'match')),
    ...result.included.map((v) => entryOf(req.baseUrl, v, search, 'include')),
  ];
  if (search.ignored.length > 0) entry.push(ignoredEntry(search));
  const bundle = skeleton(req, resourceType, search, result);
  if (entry.length > 0) bundle.entry = entry;
  return bundle;
}

/** The Bundle but for its entries. */
function skeleton(req: FhirRequest, resourceType: string, search: ParsedSearch, result: SearchResult): Bundle {
  const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset' };
  if (result.total !== undefined) bundle.total = result.total;
  bundle.link = links(req, resourceType, search, result);
  return bundle;
}

function entryOf(baseUrl: string, version: StoredVersion, search: ParsedSearch, mode: 'match' | 'include'): BundleEntry {
  return { fullUrl: fullUrlOf(baseUrl, version), resource: subsetResource(version.resource, search.summary, search.elements), search: { mode } };
}

/** An entry's JSON text around its resource's stored text; nothing when the resource was handed out (and may have changed). */
function storedEntry(baseUrl: string, version: StoredVersion, mode: 'match' | 'include'): string | undefined {
  const text = storedJsonOf(version);
  return text && entryJson({ fullUrl: fullUrlOf(baseUrl, version) }, text, { search: { mode } });
}

const fullUrlOf = (baseUrl: string, version: StoredVersion): string => `${baseUrl}/${version.resourceType}/${version.id}`;

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

function ignoredEntry(search: ParsedSearch): BundleEntry {
  return { resource: ignoredOutcome(search), search: { mode: 'outcome' } };
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
