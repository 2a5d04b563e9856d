import type { Parameters } from '@medplum/fhirtypes';
import { badRequest, fail } from '../../problems/outcomes';
import type { QueryValue } from '../request';
import { dateRange } from '../search/date-range';
import { isSupportedType } from '../validation/definitions';

/** What a kick-off request asks for, checked. */
export interface KickOffParameters {
  /** The `_type` list as given (deduplicated), or undefined for "every type the caller may read". */
  types?: string[];
  /** `_since`, as an ISO instant. */
  since?: string;
}

export interface KickOffInput {
  query: Record<string, QueryValue>;
  /** A `Parameters` resource (POST kick-off), or nothing. */
  body: unknown;
  prefer?: string;
}

/** The NDJSON names the IG says a server must accept. */
const OUTPUT_FORMATS = ['application/fhir+ndjson', 'application/ndjson', 'ndjson'];
const SERVED = ['_type', '_since', '_outputFormat'];
/** Checked by the media-type layer before the operation runs. */
const IGNORED = ['_format'];
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

const clip = (text: string): string => text.slice(0, 64);

/**
 * Reads the kick-off parameters of `$export` from the query and, for POST, a Parameters body
 * (https://hl7.org/fhir/uv/bulkdata/export.html#query-parameters). `Prefer: respond-async` is
 * required; a parameter this server does not serve is a 400 naming it, or ignored under
 * `Prefer: handling=lenient`.
 */
export function parseKickOff(input: KickOffInput): KickOffParameters {
  const prefer = preferTokens(input.prefer);
  if (!prefer.includes('respond-async')) fail(badRequest('$export runs asynchronously: send the header Prefer: respond-async', 'Prefer'));
  const lenient = prefer.includes('handling=lenient');
  const values = collect(input);
  for (const name of values.keys()) {
    if (SERVED.includes(name) || IGNORED.includes(name) || lenient) continue;
    fail(badRequest(`${clip(name)} is not a $export parameter this server supports (send Prefer: handling=lenient to have it ignored)`, clip(name)));
  }
  for (const format of values.get('_outputFormat') ?? []) {
    if (!OUTPUT_FORMATS.includes(format)) fail(badRequest(`_outputFormat "${clip(format)}" is not supported: use application/fhir+ndjson`, '_outputFormat'));
  }
  return { types: typesOf(values.get('_type')), since: sinceOf(values.get('_since')) };
}

function preferTokens(header: string | undefined): string[] {
  return (header ?? '')
    .split(/[,;]/)
    .map((t) => t.trim().toLowerCase().replace(/\s+/g, ''))
    .filter(Boolean);
}

/** Every parameter by name, query and body together; repeated values are kept in order. */
function collect({ query, body }: KickOffInput): Map<string, string[]> {
  const values = new Map<string, string[]>();
  const add = (name: string, value: string): void => {
    values.set(name, [...(values.get(name) ?? []), value]);
  };
  for (const [name, value] of Object.entries(query)) for (const v of ([] as string[]).concat(value ?? [])) add(name, v);
  for (const [name, value] of bodyParameters(body)) add(name, value);
  return values;
}

/** A POST body is a Parameters resource whose parameters carry primitive values. */
function bodyParameters(body: unknown): [string, string][] {
  if (body === undefined || body === null || (typeof body === 'object' && Object.keys(body).length === 0)) return [];
  const parameters = body as Parameters;
  if (typeof body !== 'object' || Array.isArray(body) || parameters.resourceType !== 'Parameters') {
    fail(badRequest('A $export POST body must be a Parameters resource', 'resourceType'));
  }
  if (parameters.parameter !== undefined && !Array.isArray(parameters.parameter))
    fail(badRequest('Parameters.parameter must be an array', 'Parameters.parameter'));
  return (parameters.parameter ?? []).map((p, i) => {
    const name = typeof p?.name === 'string' ? p.name : fail(badRequest('Every parameter needs a name', `Parameters.parameter[${i}].name`));
    const value = Object.entries(p).find(([key, v]) => key.startsWith('value') && typeof v === 'string')?.[1] as string | undefined;
    if (value === undefined) fail(badRequest(`Parameter ${clip(name)} needs a string, code or instant value`, `Parameters.parameter[${i}]`));
    return [name, value];
  });
}

/** `_type=A,B` (also repeated): each a type this server stores. */
function typesOf(values: string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const types = values.flatMap((v) => v.split(',')).map((t) => t.trim());
  for (const type of types) {
    if (type === '') fail(badRequest('_type lists resource types separated by commas, none of them empty', '_type'));
    if (!isSupportedType(type)) fail(badRequest(`_type: ${clip(type)} is not a resource type this server stores`, '_type'));
  }
  return [...new Set(types)];
}

/** `_since`: once, a FHIR instant (date, time to the second, and zone). */
function sinceOf(values: string[] | undefined): string | undefined {
  if (values === undefined) return undefined;
  if (values.length > 1) fail(badRequest('_since may be given once', '_since'));
  const [text] = values as [string];
  const range = INSTANT.test(text) ? dateRange(text) : undefined;
  if (!range) fail(badRequest(`_since "${clip(text)}" is not a FHIR instant such as 2024-01-31T12:00:00Z`, '_since'));
  return range.low.toISOString();
}
