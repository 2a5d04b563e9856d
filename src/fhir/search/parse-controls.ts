import type { IncludeSpec, SortKey } from '../../store/search/query';
import { isSupportedType } from '../validation/definitions';
import { badRequest, fail } from '../../problems/outcomes';
import { referenceParamsOf, searchParamOf } from './params';
import { clip } from './parse-values';
import { unsupported } from './unsupported';

export type TotalMode = 'accurate' | 'estimate' | 'none';
export type SummaryMode = 'true' | 'text' | 'data' | 'count' | 'false';

/** `_sort=a,-b`: keys in order, `-` for descending. https://hl7.org/fhir/R4/search.html#sort */
export function parseSort(resourceType: string, raw: string): SortKey[] {
  return raw
    .split(',')
    .filter((key) => key !== '')
    .map((key) => {
      const descending = key.startsWith('-');
      const code = descending ? key.slice(1) : key;
      const def = searchParamOf(resourceType, code) ?? unsupported('_sort', `_sort: unknown search parameter "${clip(code)}" for ${resourceType}`);
      return { on: def.column ?? def.type, codes: def.rowCodes, descending };
    });
}

/**
 * `_include=Source:param[:Target]` / `_revinclude=…`, `*` for every reference parameter,
 * `:iterate` (or R3's `:recurse`) on the parameter name. https://hl7.org/fhir/R4/search.html#include
 */
export function parseInclude(resourceType: string, name: string, raw: string): IncludeSpec[] {
  const [base, modifier] = name.split(':');
  if (modifier !== undefined && modifier !== 'iterate' && modifier !== 'recurse') unsupported(name, `${clip(name)}: unknown modifier`);
  const reverse = base === '_revinclude';
  const iterate = modifier !== undefined;
  if (raw === '*') return referenceParamsOf(resourceType).map((p) => ({ reverse, sourceType: resourceType, codes: p.rowCodes, iterate }));
  const [sourceType = '', code = '', targetType, ...extra] = raw.split(':');
  if (extra.length > 0 || !isSupportedType(sourceType))
    unsupported(name, `${name}: "${clip(raw)}" is not Type:parameter[:Target] for a type this server stores`);
  if (targetType !== undefined && !isSupportedType(targetType)) unsupported(name, `${name}: "${clip(targetType)}" is not a type this server stores`);
  if (code === '*') return [{ reverse, sourceType, targetType, iterate }];
  const def = searchParamOf(sourceType, code);
  if (!def || def.type !== 'reference') unsupported(name, `${name}: "${clip(code)}" is not a reference parameter of ${sourceType}`);
  if (targetType !== undefined && !def.targets.includes(targetType)) unsupported(name, `${name}: ${sourceType}.${code} cannot refer to ${targetType}`);
  return [{ reverse, sourceType, codes: def.rowCodes, targetType, iterate }];
}

export function parseTotal(raw: string): TotalMode {
  if (raw === 'accurate' || raw === 'estimate' || raw === 'none') return raw;
  return fail(badRequest('_total must be accurate, estimate or none', '_total'));
}

export function parseSummary(raw: string): SummaryMode {
  if (['true', 'text', 'data', 'count', 'false'].includes(raw)) return raw as SummaryMode;
  return fail(badRequest('_summary must be true, text, data, count or false', '_summary'));
}

/** `_elements=name,birthDate`: top-level element names. https://hl7.org/fhir/R4/search.html#elements */
export function parseElements(raw: string): string[] {
  const names = raw
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const bad = names.find((n) => !/^[A-Za-z][A-Za-z0-9]*$/.test(n));
  if (bad !== undefined) fail(badRequest(`_elements: "${clip(bad)}" is not an element name`, '_elements'));
  return names;
}
