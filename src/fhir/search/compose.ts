import { isDeepStrictEqual } from 'node:util';
import type { Criterion, SearchQuery } from '../../store/search/query';
import { searchParamOf } from './params';
import { parseCriterion } from './parse-criteria';

/**
 * Searches that code composes rather than a client's query string (the /v1 clinician
 * directory): built from the same criteria the FHIR search engine runs, plus the two shapes
 * a query string cannot say — "any of" and "referenced by a resource meeting several criteria".
 */

/** The criterion of one search parameter, e.g. `criterionOf('Practitioner', 'active:not', 'false')`. */
export function criterionOf(resourceType: string, name: string, value: string): Criterion {
  return parseCriterion(resourceType, name, value, '');
}

/**
 * At least one of the criteria holds. Index criteria of one table asking the same of a row (a
 * word in a name or in a display name) are one criterion over all their codes: a row of either
 * code matching is what each asks, and PostgreSQL plans and runs one probe instead of several.
 */
export function anyOf(...criteria: Criterion[]): Criterion {
  const merged: Criterion[] = [];
  for (const criterion of criteria) {
    const same = merged.findIndex((other) => askSameOfRow(other, criterion));
    const other = merged[same];
    if (other?.kind === 'index' && criterion.kind === 'index') merged[same] = { ...other, codes: [...new Set([...other.codes, ...criterion.codes])] };
    else merged.push(criterion);
  }
  return { kind: 'any', criteria: merged };
}

/** Whether two criteria are positive index criteria of one table with the same values: they differ only in their codes. */
function askSameOfRow(a: Criterion, b: Criterion): boolean {
  return a.kind === 'index' && b.kind === 'index' && !a.negate && !b.negate && a.table === b.table && isDeepStrictEqual(a.values, b.values);
}

/** A live `resourceType` resource meeting every criterion references the subject through its reference parameter `code`. */
export function referencedBy(resourceType: string, code: string, criteria: Criterion[]): Criterion {
  return { kind: 'has', type: resourceType, codes: searchParamOf(resourceType, code)?.rowCodes ?? [code], criteria };
}

/** A token parameter whose value contains `text`, case-insensitively (no FHIR modifier says this). */
export function tokenContaining(code: string, text: string): Criterion {
  return { kind: 'index', table: 'token', codes: [code], values: [{ type: 'tokenSubstring', text: text.toLowerCase() }] };
}

/**
 * A page of matches oldest first (ties by id, so pages never overlap), without a total. Creation
 * order is indexed for Practitioner only (migration 032): of another type the matches would be
 * sorted.
 */
export function oldestFirst(criteria: Criterion[], count: number, offset = 0): SearchQuery {
  return { criteria, sort: [{ on: 'created', codes: [], descending: false }], count, offset, countTotal: false, include: [] };
}

/** A page of matches in id order, without a total: by one index criterion, the search PostgreSQL keeps prepared. */
export function byId(criteria: Criterion[], count: number, offset = 0): SearchQuery {
  return { criteria, sort: [], count, offset, countTotal: false, include: [] };
}

/** A value taken literally by search syntax (commas, pipes and dollars escaped). https://hl7.org/fhir/R4/search.html#escaping */
export function escapeSearchValue(value: string): string {
  return value.replace(/[\\,|$]/g, (c) => `\\${c}`);
}
