import type { SearchQuery } from '../../store/search/query';
import { badRequest, fail } from '../../problems/outcomes';
import { pageOf } from '../paging';
import { parseCriterion } from './parse-criteria';
import { parseElements, parseInclude, parseSort, parseSummary, parseTotal, type SummaryMode, type TotalMode } from './parse-controls';
import { clip } from './parse-values';
import { joinOneRowRanges } from './single-row-ranges';
import { UnsupportedParam } from './unsupported';

export type { SummaryMode, TotalMode };

/** A search request, checked and typed: what the store runs plus how to shape the Bundle. */
export interface ParsedSearch extends SearchQuery {
  /** `_total` as sent; absent = count up to COUNT_BOUND. */
  total?: TotalMode;
  summary?: SummaryMode;
  elements?: string[];
  /** Parameters left out under `Prefer: handling=lenient`, with the reason. */
  ignored: { param: string; reason: string }[];
}

export interface ParseOptions {
  /** `Prefer: handling=lenient`: unknown or unsupported parameters are ignored, not a 400. */
  lenient?: boolean;
  /** This server's FHIR base URL: absolute references on it are local. */
  baseUrl?: string;
}

/** Bounds on one search's size: each becomes bound SQL parameters, which PostgreSQL caps. */
export const MAX_PARAMS = 100;
export const MAX_VALUES = 100;

/**
 * Without `_total=accurate`, counting stops here: past it the total is left out (no `_total`)
 * or estimated by the planner (`_total=estimate`), so a broad search costs one page, not a count of every match.
 */
export const COUNT_BOUND = 1000;

/** Understood here or by the HTTP layer, never criteria. */
const IGNORED_CONTROLS = new Set(['_count', '_offset', '_format', '_pretty']);

/**
 * The query of a search (each name with its values: repeating a name ANDs, commas OR) as
 * a ParsedSearch; 400 naming the parameter when it is malformed or not served.
 * https://hl7.org/fhir/R4/search.html
 */
export function parseSearch(resourceType: string, query: Record<string, unknown>, options: ParseOptions = {}): ParsedSearch {
  const pairs = queryPairs(query);
  const last = (name: string): string | undefined => pairs.filter(([n]) => n === name).at(-1)?.[1];
  const page = pageOf({ query: { _count: last('_count'), _offset: last('_offset') }, body: undefined, baseUrl: '' });
  const parsed: ParsedSearch = { criteria: [], sort: [], include: [], ...page, countTotal: true, ignored: [] };
  for (const [name, raw] of pairs) {
    if (raw === '' || IGNORED_CONTROLS.has(name)) continue;
    try {
      applyParam(parsed, resourceType, name, raw, options.baseUrl ?? '');
    } catch (err) {
      if (!(err instanceof UnsupportedParam)) throw err;
      if (!options.lenient) fail(badRequest(err.message, err.param));
      parsed.ignored.push({ param: err.param, reason: err.message });
    }
  }
  parsed.criteria = joinOneRowRanges(resourceType, parsed.criteria);
  parsed.countTotal = parsed.total !== 'none' || parsed.summary === 'count';
  if (parsed.total !== 'accurate' && parsed.summary !== 'count')
    parsed.countUpTo = { limit: COUNT_BOUND, beyond: parsed.total === 'estimate' ? 'estimate' : 'omit' };
  if (parsed.summary === 'count') parsed.count = 0;
  return parsed;
}

function applyParam(parsed: ParsedSearch, resourceType: string, name: string, raw: string, baseUrl: string): void {
  if (name === '_sort') parsed.sort.push(...parseSort(resourceType, raw));
  else if (name === '_total') parsed.total = parseTotal(raw);
  else if (name === '_summary') parsed.summary = parseSummary(raw);
  else if (name === '_elements') parsed.elements = [...(parsed.elements ?? []), ...parseElements(raw)];
  else if (/^_(rev)?include(:|$)/.test(name)) parsed.include.push(...raw.split(',').flatMap((v) => parseInclude(resourceType, name, v)));
  else parsed.criteria.push(parseCriterion(resourceType, name, raw, baseUrl));
}

/**
 * Name/value pairs from a query object. Only strings (and lists of them, for repeated
 * names) are parameters; nested objects from `a[b]=c` are a client error.
 */
function queryPairs(query: Record<string, unknown>): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (v === undefined) continue;
      if (typeof v !== 'string')
        fail(badRequest(`Search parameter "${clip(name)}" is malformed (bracketed or nested values are not FHIR search syntax)`, clip(name)));
      if (`${name}${v}`.includes('\u0000')) fail(badRequest(`Search parameter "${clip(name)}" contains a NUL character`, clip(name)));
      if (v.split(',').length > MAX_VALUES) fail(badRequest(`Search parameter "${clip(name)}" has more than ${MAX_VALUES} values`, clip(name)));
      pairs.push([name, v]);
    }
  }
  if (pairs.length > MAX_PARAMS) fail(badRequest(`A search may have at most ${MAX_PARAMS} parameters`));
  return pairs;
}
