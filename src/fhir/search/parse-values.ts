import { dateRange } from './date-range';
import { parseReference } from '../indexing/extract';
import { normalizeString } from './normalize';
import type { IndexValue, Prefix } from '../../store/search/query';
import { badRequest, fail } from '../../problems/outcomes';

type Of<T extends IndexValue['type']> = Extract<IndexValue, { type: T }>;

const PREFIXES = new Set<string>(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);

/**
 * Splits on the commas that are not escaped as `\,`; the parts keep their escapes until
 * their type is known (a token still splits on `|`). https://hl7.org/fhir/R4/search.html#escaping
 */
export function splitValues(raw: string): string[] {
  return splitEscaped(raw, ',');
}

/** `value` with `\,`, `\|`, `\$` and `\\` taken literally. */
export function unescape(value: string): string {
  return value.replace(/\\([\\,|$])/g, '$1');
}

function splitEscaped(raw: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\\' && i + 1 < raw.length) {
      current += c + (raw[i + 1] as string);
      i++;
    } else if (c === separator) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

export function stringValue(text: string, modifier: 'exact' | 'contains' | undefined): Of<'string'> {
  return modifier === 'exact'
    ? { type: 'string', match: 'exact', text, folded: normalizeString(text) }
    : { type: 'string', match: modifier === 'contains' ? 'contains' : 'start', text: normalizeString(text) };
}

/** `code`, `system|code`, `|code` (no system) or `system|` (any code). */
export function tokenValue(raw: string): Of<'token'> {
  const parts = splitEscaped(raw, '|').map(unescape);
  if (parts.length === 1) return { type: 'token', code: parts[0] };
  const [system = '', code = ''] = parts;
  return { type: 'token', system: system === '' ? null : system, code: code === '' ? undefined : code };
}

/** `:identifier` on a reference parameter: `[system|]value`, compared with `Reference.identifier`. */
export function referenceIdentifierValue(raw: string): Of<'referenceIdentifier'> {
  const { system, code } = tokenValue(raw);
  return { type: 'referenceIdentifier', system, value: code };
}

const TYPED_REFERENCE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

/**
 * `Type/id`, a bare `id` (of `targetType` when the `:Type` modifier names one), or an
 * absolute URL: on this server's base it is the same as `Type/id`, elsewhere it is compared as text.
 */
export function referenceValue(raw: string, baseUrl: string, targetType?: string): Of<'reference'> {
  const local = raw.startsWith(`${baseUrl}/`) ? raw.slice(baseUrl.length + 1) : raw;
  const typed = TYPED_REFERENCE.exec(local);
  if (typed && (!targetType || typed[1] === targetType)) return { type: 'reference', targetType: typed[1], id: typed[2] };
  if (!typed && /^[A-Za-z0-9\-.]{1,64}$/.test(local)) return { type: 'reference', targetType, id: local };
  return asWritten(raw, targetType);
}

/**
 * A reference compared as written. A stored row's target columns are parsed from its text
 * (`parseReference`), so the same parse of the value names the rows that can hold it: the
 * search reads them by the index on their target, not every reference row of the tenant.
 */
function asWritten(raw: string, targetType: string | undefined): Of<'reference'> {
  const parsed = parseReference(raw);
  return { type: 'reference', reference: raw, targetType: targetType ?? parsed.target_type ?? undefined, id: parsed.target_id };
}

/** `[prefix]date` with the value's precision as its range; no zone = UTC. https://hl7.org/fhir/R4/search.html#date */
export function dateValue(raw: string, param: string): Of<'date'> {
  const { prefix, rest } = splitPrefix(raw, param);
  const range = dateRange(rest);
  if (!range) fail(badRequest(`${param}: "${clip(rest)}" is not a FHIR date, dateTime or instant`, param));
  return { type: 'date', prefix, low: range.low.toISOString(), high: range.high.toISOString() };
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** `[prefix]number`; `half` is half a unit of its last significant digit. https://hl7.org/fhir/R4/search.html#number */
export function numberValue(raw: string, param: string): Of<'number'> {
  const { prefix, rest } = splitPrefix(raw, param);
  const m = DECIMAL.exec(rest);
  if (!m) fail(badRequest(`${param}: "${clip(rest)}" is not a number`, param));
  const decimals = m[3]?.length ?? 0;
  const exponent = Number(m[4] ?? 0);
  if (Math.abs(exponent) > 1000) fail(badRequest(`${param}: "${clip(rest)}" is out of range`, param));
  return { type: 'number', prefix, value: rest, half: `5e${exponent - decimals - 1}` };
}

export function uriValue(uri: string, modifier: 'below' | 'above' | undefined): Of<'uri'> {
  return { type: 'uri', match: modifier ?? 'exact', uri };
}

function splitPrefix(raw: string, param: string): { prefix: Prefix; rest: string } {
  const m = /^([a-z]{2})(.*)$/.exec(raw);
  if (!m) return { prefix: 'eq', rest: raw };
  const [, prefix = '', rest = ''] = m;
  if (!PREFIXES.has(prefix)) fail(badRequest(`${param}: unknown prefix "${prefix}" (use eq, ne, gt, lt, ge, le, sa, eb or ap)`, param));
  return { prefix: prefix as Prefix, rest };
}

/** Echoes client text in a message without letting it grow the response. */
export function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
