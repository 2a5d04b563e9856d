import { MAX_JSON_DEPTH } from '../../src/http/json-guard';
import { expectSchema } from '../helpers/schema-assert';
import { FHIR_BASE, type TestApp } from '../helpers/test-app';
import { check, type Exchange } from './exchange';
import { allText, canonical, nestingLevels } from './json-text';

/** BODY_LIMIT's default, `1mb` (src/config.ts), in bytes. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/** BUNDLE_BODY_LIMIT's default, `50mb`: Bundles posted to the base and `$import` bodies. */
const BUNDLE_LIMIT_BYTES = 50 * 1024 * 1024;

/** The body limit of a request: the Bundle one for POST to the FHIR base and `$import`. */
function limitOf(sent: Exchange['sent']): number {
  const path = sent.path.split('?')[0]!.replace(/\/$/, '');
  return sent.method === 'post' && (path === FHIR_BASE || path === `${FHIR_BASE}/$import`) ? BUNDLE_LIMIT_BYTES : BODY_LIMIT_BYTES;
}

/** 4xx statuses that are about the request as a whole, not an element of it: they need not name one. */
const UNNAMED_STATUSES = new Set([401, 403, 404, 405, 406, 409, 410, 412, 413, 415, 428, 429]);

/** Property 1: the server never answers 5xx. */
export function expectNo5xx(ex: Exchange): void {
  check(ex.status < 500, `answered ${ex.status}`, ex);
}

/**
 * Spellings under which an element may be named: itself, for a choice element
 * (`valueDecimal`, `multipleBirthInteger`) its `[x]` form, as FHIRPath expressions write it,
 * and for a primitive's extension twin (`_birthDate`) the primitive.
 */
function spellings(target: string): string[] {
  const prefix = target.length > 40 ? target.slice(0, 40) : target;
  const choices = [...target].flatMap((c, i) => (i > 0 && /[A-Z]/.test(c) ? [`${target.slice(0, i)}[x]`] : []));
  // `_birthDate` holds the extensions of `birthDate`, and is named as it.
  const primitive = /^_[A-Za-z]/.test(target) ? [target.slice(1)] : [];
  return [prefix, ...choices, ...primitive];
}

/** Whether the body mentions one of the targets (any string in it, object keys included). */
export function mentionsOne(body: unknown, targets: string[]): boolean {
  const texts = allText(body);
  return targets.some((t) => spellings(t).some((s) => texts.includes(s)));
}

/** Content types a JSON API must take: JSON in UTF-8 (FHIR also `fhir+json` and, for PATCH, `json-patch+json`). */
export const V1_JSON = /^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i;
export const FHIR_JSON = /^application\/(json|fhir\+json|json\+fhir|json-patch\+json)\s*(;\s*charset="?utf-8"?\s*)?$/i;

/**
 * Property 3 for the whole body: another content type is a 415 (and only then); over the
 * limit is a 413 (and only then); nested past MAX_JSON_DEPTH is a 400.
 */
export function expectBodyRules(ex: Exchange, sentValue: unknown, accepted: RegExp): void {
  const json = accepted.test(ex.sent.contentType ?? '');
  check(json === (ex.status !== 415), json ? 'a JSON body must not be a 415' : 'a body of another content type must be a 415', ex);
  if (!json) return;
  const bytes = Buffer.byteLength(ex.sent.body ?? '', 'utf8');
  const limit = limitOf(ex.sent);
  if (bytes > limit) {
    check(ex.status === 413, `a body of ${bytes} bytes (over ${limit}) must be a 413`, ex);
    return;
  }
  check(ex.status !== 413, `a body of ${bytes} bytes (within ${limit}) must not be a 413`, ex);
  // A 400 before any validation: for the depth, or for another string the guard refuses first.
  if (sentValue !== undefined && nestingLevels(sentValue) > MAX_JSON_DEPTH)
    check(ex.status === 400, `a body nested past ${MAX_JSON_DEPTH} levels must be a 400`, ex);
}

/** Node's own limit on the request line and headers (16 KiB): a 431 with no body, before the app sees the request. */
const MAX_HEADER_BYTES = 16 * 1024;

function isHeaderOverflow(ex: Exchange): boolean {
  if (ex.status !== 431) return false;
  const bytes = Buffer.byteLength(ex.sent.path) + Object.values(ex.sent.headers ?? {}).reduce((n, v) => n + Buffer.byteLength(v), 0);
  check(bytes > MAX_HEADER_BYTES / 2, `a 431 for only ${bytes} bytes of URL and headers`, ex);
  return true;
}

/**
 * Property 3, FHIR: a 4xx is an OperationOutcome whose issues all carry `details.text`, and
 * (unless its status is about the request as a whole) it mentions one of `targets`.
 */
export function expectFhirError(ex: Exchange, targets: string[]): void {
  check(ex.status >= 400 && ex.status < 500, `expected a 4xx`, ex);
  if (isHeaderOverflow(ex)) return;
  const body = ex.body as { resourceType?: unknown; issue?: { details?: { text?: unknown } }[] } | undefined;
  check(body?.resourceType === 'OperationOutcome', 'a FHIR 4xx must be an OperationOutcome', ex);
  const issues = Array.isArray(body?.issue) ? body.issue : [];
  check(issues.length > 0 && issues.every((i) => typeof i?.details?.text === 'string' && i.details.text !== ''), 'every issue must have details.text', ex);
  // A failed required binding names the coded element (`code[0]`), which holds the mutated `system` or `coding`.
  const binding = issues.every((i) => (i as { code?: unknown }).code === 'code-invalid' && Array.isArray((i as { expression?: unknown }).expression));
  if (targets.length > 0 && !UNNAMED_STATUSES.has(ex.status) && !binding) {
    check(mentionsOne(ex.body, targets), `the OperationOutcome must name one of ${JSON.stringify(targets)}`, ex);
  }
}

/**
 * What a 4xx about a query string must name: one of its parameters, by name or by the code
 * before a modifier or chain (`name:exact` → `name`). A query of more than a hundred pairs is
 * refused as a whole.
 */
export function queryTargets(q: { names: string[]; pairs: number }): string[] {
  if (q.pairs > 100) return [];
  return q.names.flatMap((name) => [name, name.split(/[:.]/)[0] ?? name]);
}

/** The /v1 families and the documented schema of their errors (mappings/schemas). */
export const V1_ERROR_SCHEMA = {
  patients: 'patients.400',
  physicians: 'physicians.400',
  'lab-orders': 'lab-orders.400',
  'practitioner-roles': 'practitioner-roles.error',
  'clinician-profiles': 'clinician-profiles.error',
} as const;
export type V1Family = keyof typeof V1_ERROR_SCHEMA;

/** Property 3, /v1: a 4xx has the family's documented error shape and mentions one of `targets`. */
export function expectV1Error(ex: Exchange, family: V1Family, targets: string[]): void {
  check(ex.status >= 400 && ex.status < 500, `expected a 4xx`, ex);
  if (isHeaderOverflow(ex)) return;
  try {
    expectSchema(ex.body, V1_ERROR_SCHEMA[family]);
  } catch (err) {
    check(false, (err as Error).message, ex);
  }
  if (targets.length > 0 && !UNNAMED_STATUSES.has(ex.status)) {
    check(mentionsOne(ex.body, targets), `the error must name one of ${JSON.stringify(targets)}`, ex);
  }
}

/** Property 2, FHIR: what a 2xx stored reads back, and equals what was sent (server-owned `id` and `meta` aside). */
export async function expectFhirReadBack(t: TestApp, ex: Exchange, type: string, sentValue: unknown): Promise<void> {
  const created = ex.body as { resourceType?: string; id?: string };
  check(created?.resourceType === type && typeof created.id === 'string', `a 2xx must return the ${type}`, ex);
  const read = await t.http.get(`${FHIR_BASE}/${type}/${created.id}`);
  check(read.status === 200, `reading it back answered ${read.status}`, ex);
  const stored = canonical(withoutIdAndMeta(read.body));
  check(sameJson(canonical(withoutIdAndMeta(created)), stored), 'the 2xx body differs from the resource read back', ex);
  check(sameJson(stored, canonical(withoutIdAndMeta(sentValue))), `what reads back differs from what was sent: ${JSON.stringify(stored).slice(0, 2000)}`, ex);
}

function withoutIdAndMeta(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const { id: _id, meta: _meta, ...rest } = value as Record<string, unknown>;
  return rest;
}

/** Deep equality of parsed JSON, key order aside. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
}

/** Property 4: the process still answers. */
export async function expectAlive(t: TestApp): Promise<void> {
  const health = await t.anonymous.get('/healthz');
  expect(health.status).toBe(200);
  const metadata = await t.anonymous.get(`${FHIR_BASE}/metadata`);
  expect(metadata.status).toBe(200);
}
