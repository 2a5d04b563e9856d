import type { BundleLink } from '@medplum/fhirtypes';
import { badRequest, fail } from '../problems/outcomes';
import { singleParam, type FhirRequest } from './request';

export const DEFAULT_COUNT = 20;
/** Largest accepted `_count`; bigger values are clamped (documented in docs/search.md). */
export const MAX_COUNT = 1000;
/** Largest accepted `_offset`; deeper pages are a 400 (use narrower criteria). */
export const MAX_OFFSET = 10000;

export interface Page {
  count: number;
  offset: number;
}

/** `_count` and `_offset` from the query, validated and clamped. */
export function pageOf(req: FhirRequest): Page {
  const count = nonNegativeInt(req, '_count', DEFAULT_COUNT);
  const offset = nonNegativeInt(req, '_offset', 0);
  if (offset > MAX_OFFSET) fail(badRequest(`_offset may not exceed ${MAX_OFFSET}`, '_offset'));
  return { count: Math.min(count, MAX_COUNT), offset };
}

function nonNegativeInt(req: FhirRequest, name: string, fallback: number): number {
  const raw = singleParam(req, name);
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) fail(badRequest(`${name} must be a non-negative integer`, name));
  return Number(raw);
}

/**
 * self / first / previous / next links that repeat the request with another `_offset`.
 * `total` may be undefined (not counted): then `next` is offered while a page comes back full.
 */
export function pageLinks(url: string, query: URLSearchParams, page: Page, returned: number, total?: number): BundleLink[] {
  const at = (offset: number): string => {
    const q = new URLSearchParams(query);
    q.set('_count', String(page.count));
    q.set('_offset', String(offset));
    return `${url}?${q.toString()}`;
  };
  const links: BundleLink[] = [
    { relation: 'self', url: at(page.offset) },
    { relation: 'first', url: at(0) },
  ];
  if (page.offset > 0) links.push({ relation: 'previous', url: at(Math.max(0, page.offset - page.count)) });
  const more = total !== undefined ? page.offset + returned < total : returned === page.count && page.count > 0;
  if (more && page.offset + page.count <= MAX_OFFSET) links.push({ relation: 'next', url: at(page.offset + page.count) });
  return links;
}

/** The request's query without paging parameters, as URLSearchParams. */
export function queryWithoutPaging(req: FhirRequest): URLSearchParams {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(req.query)) {
    if (key === '_count' || key === '_offset' || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) q.append(key, v);
  }
  return q;
}
