import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import { allOk } from '../../problems/outcomes';
import type { StoredVersion } from '../../store/rows';
import type { SearchResult } from '../../store/search/search';
import { storedJsonOf } from '../../store/stored-json';
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
 * it was stored as, the answer is written from those texts: parsing each resource only to
 * serialise it again was most of what a page of 20 cost the server beyond its first entry.
 * The Bundle itself is built only for whoever asks for it (a batch entry).
 */
export function searchsetResult(req: FhirRequest, resourceType: string, search: ParsedSearch, result: SearchResult): FhirResult {
  const entries = subsets(search.summary, search.elements) ? undefined : storedEntries(req.baseUrl, result);
  if (!entries) return { outcome: allOk(), resource: searchsetBundle(req, resourceType, search, result) };
  if (search.ignored.length > 0) entries.push(JSON.stringify(ignoredEntry(search)));
  const head = JSON.stringify(skeleton(req, resourceType, search, result));
  let bundle: Bundle | undefined;
  return {
    outcome: allOk(),
    json: entries.length === 0 ? head : `${head.slice(0, -1)},"entry":[${entries.join(',')}]}`,
    get resource() {
      return (bundle ??= searchsetBundle(req, resourceType, search, result));
    },
  };
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

/** The JSON text of each entry, around the stored text of its resource; nothing when a resource was handed out (and may have changed). */
function storedEntries(baseUrl: string, result: SearchResult): string[] | undefined {
  const entries = [...result.versions.map((v) => storedEntry(baseUrl, v, 'match')), ...result.included.map((v) => storedEntry(baseUrl, v, 'include'))];
  return entries.every((entry) => entry !== undefined) ? (entries as string[]) : undefined;
}

function storedEntry(baseUrl: string, version: StoredVersion, mode: 'match' | 'include'): string | undefined {
  const text = storedJsonOf(version);
  return text && `{"fullUrl":${JSON.stringify(fullUrlOf(baseUrl, version))},"resource":${text},"search":{"mode":"${mode}"}}`;
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
