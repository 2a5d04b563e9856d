import type { Criterion, IndexValue } from '../../store/search/query';
import { isSupportedType } from '../validation/definitions';
import { badRequest, fail } from '../../problems/outcomes';
import { modifiersOf, rowCodesPointingAt, searchParamOf, type SearchParamDef } from './params';
import {
  clip,
  dateValue,
  numberValue,
  referenceIdentifierValue,
  referenceValue,
  splitValues,
  stringValue,
  tokenValue,
  unescape,
  uriValue,
} from './parse-values';
import { unsupported } from './unsupported';

/**
 * One `name[:modifier][.chained[:modifier]]=value` pair as a criterion.
 * https://hl7.org/fhir/R4/search.html#chaining — one level of chaining.
 */
export function parseCriterion(resourceType: string, name: string, raw: string, baseUrl: string): Criterion {
  const [head = '', chained, ...deeper] = name.split('.');
  if (deeper.length > 0) unsupported(name, `${clip(name)}: chains of more than one level are not supported`);
  const [code = '', modifier, ...extra] = head.split(':');
  if (extra.length > 0) fail(badRequest(`${clip(name)}: more than one modifier`, name));
  const def = searchParamOf(resourceType, code) ?? unsupported(name, `Unknown search parameter "${clip(code)}" for ${resourceType}`);
  if (chained !== undefined) return chainCriterion(resourceType, def, modifier, chained, raw, name, baseUrl);
  return paramCriterion(def, modifier, raw, name, baseUrl);
}

function paramCriterion(def: SearchParamDef, modifier: string | undefined, raw: string, name: string, baseUrl: string): Criterion {
  if (modifier === 'missing') return missingCriterion(def, raw, name);
  if (modifier !== undefined && !allowsModifier(def, modifier)) unsupported(name, `Modifier :${clip(modifier)} is not supported on ${def.code}`);
  const parts = splitValues(raw).filter((part) => part !== '');
  if (parts.length === 0) fail(badRequest(`${clip(name)} has no value`, name));
  if (def.column === 'id') return { kind: 'id', ids: parts.map(unescape) };
  if (def.column === 'lastUpdated') return { kind: 'lastUpdated', values: parts.map((p) => dateValue(unescape(p), name)) };
  const values = parts.map((part) => indexValue(def, modifier, part, name, baseUrl));
  return { kind: 'index', table: def.type, codes: def.rowCodes, values, negate: modifier === 'not' || undefined };
}

function allowsModifier(def: SearchParamDef, modifier: string): boolean {
  return modifier !== 'missing' && modifiersOf(def).includes(modifier);
}

function indexValue(def: SearchParamDef, modifier: string | undefined, part: string, name: string, baseUrl: string): IndexValue {
  switch (def.type) {
    case 'string':
      return stringValue(unescape(part), modifier as 'exact' | 'contains' | undefined);
    case 'token':
      return modifier === 'text' ? { type: 'tokenText', text: stringValue(unescape(part), undefined).text } : tokenValue(part);
    case 'reference':
      if (modifier === 'identifier') return referenceIdentifierValue(part);
      return referenceValue(unescape(part), baseUrl, modifier);
    case 'date':
      return dateValue(unescape(part), name);
    case 'number':
      return numberValue(unescape(part), name);
    case 'uri':
      return uriValue(unescape(part), modifier as 'below' | 'above' | undefined);
  }
}

/** https://hl7.org/fhir/R4/search.html#missing — `_id` and `_lastUpdated` are never missing. */
function missingCriterion(def: SearchParamDef, raw: string, name: string): Criterion {
  if (raw !== 'true' && raw !== 'false') fail(badRequest(`${name} must be true or false`, name));
  const missing = raw === 'true';
  if (def.column) return { kind: 'constant', matches: !missing };
  return { kind: 'missing', table: def.type, codes: def.rowCodes, missing };
}

/**
 * `ref[:Type].param=value`: the targets are the `:Type` one, or every type the reference
 * parameter allows that this server stores and that has `param`.
 */
function chainCriterion(
  resourceType: string,
  def: SearchParamDef,
  modifier: string | undefined,
  chained: string,
  raw: string,
  name: string,
  baseUrl: string,
): Criterion {
  if (def.type !== 'reference') fail(badRequest(`${clip(name)}: only reference parameters can be chained`, name));
  if (modifier !== undefined && !def.targets.includes(modifier)) unsupported(name, `${clip(name)}: ${def.code} cannot refer to ${clip(modifier)}`);
  const [chainedCode = '', chainedModifier, ...extra] = chained.split(':');
  if (extra.length > 0) fail(badRequest(`${clip(name)}: more than one modifier`, name));
  const types = (modifier ? [modifier] : def.targets).filter(isSupportedType);
  const targets = types.flatMap((type) => {
    const target = searchParamOf(type, chainedCode);
    const codes = rowCodesPointingAt(resourceType, def, type);
    return target ? [{ type, codes, criterion: paramCriterion(target, chainedModifier, raw, name, baseUrl) }] : [];
  });
  if (targets.length === 0) unsupported(name, `${clip(name)}: no resource type ${def.code} refers to has a search parameter "${clip(chainedCode)}"`);
  return { kind: 'chain', codes: [...new Set(targets.flatMap((target) => target.codes))], targets };
}
