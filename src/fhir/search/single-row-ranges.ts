import { getSearchParameterDetails, getSearchParameters } from '@medplum/core';
import type { Criterion } from '../../store/search/query';

/** Date element types that index as exactly one row (Timing, with its many events, is not one of them). */
const ONE_ROW_TYPES = new Set(['date', 'dateTime', 'instant', 'Period']);

/** Whether a date parameter indexes at most one row per resource (`Patient.birthDate`, not `ServiceRequest.occurrence`). */
function isOneRowDate(resourceType: string, code: string): boolean {
  const param = getSearchParameters(resourceType)?.[code];
  if (!param) return false;
  const details = getSearchParameterDetails(resourceType, param);
  const types = details.elementDefinitions?.flatMap((element) => element.type?.map((t) => t.code) ?? []) ?? [];
  return details.array === false && types.length > 0 && types.every((t) => ONE_ROW_TYPES.has(t));
}

/**
 * `birthdate=ge1990-01-01&birthdate=lt1990-02-01` as one condition on one index row instead of
 * two independent ones: the same matches when each resource has at most one row of the
 * parameter, and a bounded index range instead of intersecting two halves of the table.
 */
export function joinOneRowRanges(resourceType: string, criteria: Criterion[]): Criterion[] {
  const byCode = new Map<string, Extract<Criterion, { kind: 'index' }>[]>();
  for (const criterion of criteria) {
    if (criterion.kind !== 'index' || criterion.table !== 'date' || criterion.negate || !isOneRowDate(resourceType, criterion.code)) continue;
    byCode.set(criterion.code, [...(byCode.get(criterion.code) ?? []), criterion]);
  }
  const joined = [...byCode.values()].filter((ranges) => ranges.length > 1);
  if (joined.length === 0) return criteria;
  const absorbed = new Set<Criterion>(joined.flat());
  const rows: Criterion[] = joined.map((ranges) => ({ kind: 'indexRow', table: 'date', code: ranges[0]!.code, groups: ranges.map((r) => r.values) }));
  return [...criteria.filter((c) => !absorbed.has(c)), ...rows];
}
