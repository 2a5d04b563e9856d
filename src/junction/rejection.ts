import { isRecord } from './json';

/**
 * Reads a Junction 4xx body down to what we may keep: field names and an error code. Junction
 * answers 422 as FastAPI does (`{detail: [{loc, msg, type}]}`) and 400 as `{detail: "<text>"}`,
 * `{detail: {error_type, ...}}` or `{error, message, status_code}` (see junction.md §3.6). Free
 * text is never kept: from it we only pick out names of fields we send.
 */
export interface Rejection {
  fields: string[];
  code?: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const LOCATION_ROOTS = new Set(['body', 'query', 'path', 'header']);

/** The fields of our requests that Junction's 400 messages are documented to name. */
const REQUEST_FIELDS = [
  'client_user_id',
  'user_id',
  'order_set',
  'lab_test_ids',
  'add_on',
  'marker_ids',
  'provider_ids',
  'collection_method',
  'patient_details',
  'patient_address',
  'physician',
  'npi',
  'licensed_states',
  'passthrough',
];

export function describeRejection(body: unknown): Rejection {
  const detail = isRecord(body) ? body.detail : undefined;
  if (Array.isArray(detail)) return { fields: unique(detail.map(locationOf).filter((f) => f !== undefined)) };
  if (isRecord(detail)) return { fields: [], code: codeOf(detail.error_type) };
  const text = typeof detail === 'string' ? detail : isRecord(body) && typeof body.message === 'string' ? body.message : '';
  return { fields: fieldsNamedIn(text) };
}

function locationOf(issue: unknown): string | undefined {
  if (!isRecord(issue) || !Array.isArray(issue.loc)) return undefined;
  const parts = issue.loc.filter((part, i) => !(i === 0 && typeof part === 'string' && LOCATION_ROOTS.has(part)));
  const safe = parts.every((part) => (typeof part === 'string' && IDENTIFIER.test(part)) || Number.isInteger(part));
  return safe && parts.length > 0 ? parts.join('.') : undefined;
}

function fieldsNamedIn(text: string): string[] {
  const words = new Set(text.split(/[^A-Za-z0-9_]+/));
  return REQUEST_FIELDS.filter((field) => words.has(field));
}

function codeOf(value: unknown): string | undefined {
  return typeof value === 'string' && IDENTIFIER.test(value) ? value : undefined;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
