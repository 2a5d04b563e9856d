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

type IndexCriterion = Extract<Criterion, { kind: 'index' }>;

/** A date criterion on a one-row parameter, with its code: it may join the others of that code. */
function asOneRowRange(resourceType: string, criterion: Criterion): { code: string; range: IndexCriterion } | undefined {
  if (criterion.kind !== 'index' || criterion.table !== 'date' || criterion.negate || criterion.codes.length !== 1) return undefined;
  const [code] = criterion.codes;
  return code !== undefined && isOneRowDate(resourceType, code) ? { code, range: criterion } : undefined;
}

/**
 * `birthdate=ge1990-01-01&birthdate=lt1990-02-01` as one condition on one index row instead of
 * two independent ones: the same matches when each resource has at most one row of the
 * parameter, and a bounded index range instead of intersecting two halves of the table.
 */
export function joinOneRowRanges(resourceType: string, criteria: Criterion[]): Criterion[] {
  const byCode = new Map<string, IndexCriterion[]>();
  for (const criterion of criteria) {
    const one = asOneRowRange(resourceType, criterion);
    if (one) byCode.set(one.code, [...(byCode.get(one.code) ?? []), one.range]);
  }
  const joined = [...byCode.values()].filter((ranges) => ranges.length > 1);
  if (joined.length === 0) return criteria;
  const absorbed = new Set<Criterion>(joined.flat());
  const rows: Criterion[] = joined.map((ranges) => ({ kind: 'indexRow', table: 'date', codes: ranges[0]!.codes, groups: ranges.map((r) => r.values) }));
  return [...criteria.filter((c) => !absorbed.has(c)), ...rows];
}
