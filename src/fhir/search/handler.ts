import { typeOf } from '../interactions';
import type { FhirHandler } from '../request';
import { searchsetResult } from './bundle';
import { parseSearch } from './parse';

/** https://hl7.org/fhir/R4/http.html#search — GET `/{type}?…` and POST `/{type}/_search` alike. */
export const searchType: FhirHandler = async (req, service) => {
  const resourceType = typeOf(req);
  const search = parseSearch(resourceType, req.query, { lenient: req.lenient, baseUrl: req.baseUrl });
  const result = await service.search(resourceType, search, Object.keys(req.query));
  return searchsetResult(req, resourceType, search, result);
};
