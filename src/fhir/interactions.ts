import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { StoredVersion } from '../store/rows';
import { storedJsonOf } from '../store/stored-json';
import { assertValidId } from './ids';
import { badRequest, fail, outcome } from '../problems/outcomes';
import { pageLinks, pageOf, queryWithoutPaging } from './paging';
import { singleParam, type FhirHandler, type FhirRequest, type FhirResult } from './request';
import { dateRange } from './search/date-range';
import { conditionalCreate, conditionalUpdate } from './conditional';
import { writeResult } from './write-result';
import { bundleResult, entryJson } from './bundle-json';
import { LazyResult } from './lazy-result';

/** https://hl7.org/fhir/R4/http.html#create */
export const createResource: FhirHandler = async (req, service) => {
  if (req.ifNoneExist !== undefined) return conditionalCreate(service, resourceBody(req), req.ifNoneExist);
  return writeResult(await service.create(resourceBody(req)), true);
};

/** https://hl7.org/fhir/R4/http.html#read */
export const readResource: FhirHandler = async (req, service) => versionRead(await service.read(typeOf(req), idOf(req)));

/** https://hl7.org/fhir/R4/http.html#vread */
export const vreadResource: FhirHandler = async (req, service) => versionRead(await service.vread(typeOf(req), idOf(req), req.versionId ?? ''));

/** A read's answer: the stored JSON text goes out as is; the resource is parsed only for whoever asks (a Bundle entry). */
function versionRead(version: StoredVersion): FhirResult {
  return new LazyResult(storedJsonOf(version), () => version.resource, version);
}

/** https://hl7.org/fhir/R4/http.html#update */
export const updateResource: FhirHandler = async (req, service) => {
  const { version, created } = await service.update(typeOf(req), idOf(req), resourceBody(req), req.ifMatch);
  return writeResult(version, created);
};

/** https://hl7.org/fhir/R4/http.html#cond-update — `PUT /{type}?criteria`. */
export const conditionalUpdateResource: FhirHandler = (req, service) => conditionalUpdate(service, resourceBody(req), req.query, req.ifMatch);

/** https://hl7.org/fhir/R4/http.html#patch */
export const patchResource: FhirHandler = async (req, service) => {
  return writeResult(await service.patch(typeOf(req), idOf(req), req.body, req.ifMatch), false);
};

/** https://hl7.org/fhir/R4/http.html#delete */
export const deleteResource: FhirHandler = async (req, service) => {
  await service.delete(typeOf(req), idOf(req), req.ifMatch);
  return { outcome: outcome('ok', `Deleted ${typeOf(req)}/${idOf(req)}`) };
};

/** https://hl7.org/fhir/R4/http.html#history — instance level when the request names an id. */
export const resourceHistory: FhirHandler = async (req, service) => {
  const page = pageOf(req);
  const since = singleParam(req, '_since');
  if (since !== undefined && !dateRange(since)) fail(badRequest('_since must be a FHIR instant', '_since'));
  const history = await service.history(typeOf(req), req.id === undefined ? undefined : idOf(req), { ...page, since });
  const url = `${req.baseUrl}/${typeOf(req)}${req.id ? `/${req.id}` : ''}/_history`;
  const skeleton: Bundle = {
    resourceType: 'Bundle',
    type: 'history',
    total: history.total,
    link: pageLinks(url, queryWithoutPaging(req), page, history.versions.length, history.total),
  };
  // FHIR JSON has no empty arrays: a page without versions has no `entry`.
  const build = (): Bundle => (history.versions.length === 0 ? skeleton : { ...skeleton, entry: history.versions.map((v) => historyEntry(req.baseUrl, v)) });
  return bundleResult(
    skeleton,
    history.versions.map((v) => storedHistoryEntry(req.baseUrl, v)),
    build,
  );
};

/** A version as a history entry: how it was written (a deletion has no resource). */
function historyEntry(baseUrl: string, version: StoredVersion): BundleEntry {
  const { fullUrl, request, response } = historyEntryFields(baseUrl, version);
  return version.deleted ? { fullUrl, request, response } : { fullUrl, resource: version.resource, request, response };
}

/** The same entry as JSON text around the version's stored text; nothing when its resource was handed out. */
function storedHistoryEntry(baseUrl: string, version: StoredVersion): string | undefined {
  const { fullUrl, ...rest } = historyEntryFields(baseUrl, version);
  if (version.deleted) return JSON.stringify({ fullUrl, ...rest });
  const text = storedJsonOf(version);
  return text && entryJson({ fullUrl }, text, rest);
}

function historyEntryFields(baseUrl: string, version: StoredVersion): Required<Pick<BundleEntry, 'fullUrl' | 'request' | 'response'>> {
  const { resourceType, id } = version;
  const response = {
    status: version.deleted ? '204' : version.versionId === '1' ? '201' : '200',
    etag: `W/"${version.versionId}"`,
    lastModified: version.lastUpdated,
  };
  const method = version.deleted ? 'DELETE' : version.versionId === '1' ? 'POST' : 'PUT';
  return { fullUrl: `${baseUrl}/${resourceType}/${id}`, request: { method, url: method === 'POST' ? resourceType : `${resourceType}/${id}` }, response };
}

/** The request body as a resource of the URL's type (400 when it is not). */
export function resourceBody(req: FhirRequest): Resource {
  const body = req.body as Resource | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) fail(badRequest('The request body must be a FHIR resource (a JSON object)'));
  if (body.resourceType !== typeOf(req)) {
    fail(badRequest(`resourceType "${String(body.resourceType)}" does not match the URL (${typeOf(req)})`, 'resourceType'));
  }
  return body;
}

export function typeOf(req: FhirRequest): string {
  return req.resourceType ?? fail(badRequest('No resource type in the URL'));
}

export function idOf(req: FhirRequest): string {
  return assertValidId(req.id ?? fail(badRequest('No resource id in the URL')));
}
