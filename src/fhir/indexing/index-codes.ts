import { getSearchParameters } from '@medplum/core';
import type { SearchParameter } from '@medplum/fhirtypes';
import { plainPathsOf } from './plain-paths';

const R4_DEFINITIONS = 'http://hl7.org/fhir/SearchParameter/';

/**
 * Search parameters of one type that are the same plain path with the same type would write
 * the same index rows: R4's `phonetic` is `name` on Patient and Practitioner (this server
 * matches it as a string, not by sound), four string rows of a Patient's eighteen. One of them
 * keeps the rows, and a search on another reads them: an R4 definition before one of ours (so
 * that a package loaded later never moves rows already written), then the first code.
 */
export function indexCodeOf(resourceType: string, param: SearchParameter): string {
  let byType = indexCodes.get(param);
  if (!byType) indexCodes.set(param, (byType = new Map()));
  let code = byType.get(resourceType);
  if (code === undefined) byType.set(resourceType, (code = firstOfItsKind(resourceType, param)));
  return code;
}

/** Keyed by the definition object, as the indexer's compiled expressions are. */
const indexCodes = new WeakMap<SearchParameter, Map<string, string>>();

function firstOfItsKind(resourceType: string, param: SearchParameter): string {
  const own = param.code ?? '';
  const key = kindOf(resourceType, param);
  if (key === undefined) return own;
  const alike = Object.values(getSearchParameters(resourceType) ?? {}).filter((other) => kindOf(resourceType, other) === key);
  return alike.map((other) => [isR4(other) ? 0 : 1, other.code ?? ''] as const).sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]))[0]?.[1] ?? own;
}

/** The parameter's type and plain paths for this resource type; undefined when it is not only plain paths. */
function kindOf(resourceType: string, param: SearchParameter): string | undefined {
  const paths = param.expression ? plainPathsOf(param.expression, resourceType) : undefined;
  return paths && paths.length > 0 ? `${param.type} ${JSON.stringify(paths)}` : undefined;
}

const isR4 = (param: SearchParameter): boolean => param.url?.startsWith(R4_DEFINITIONS) ?? false;
