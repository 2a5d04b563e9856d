import { getParsedExpressionForResourceType, type FhirPathAtom, type TypedValue } from '@medplum/core';
import { evalFhirPathTyped, getSearchParameters, toTypedValue } from '../medplum-core';
import type { Resource } from '@medplum/fhirtypes';
import { dateRange } from '../search/date-range';
import { normalizeString } from '../search/normalize';
import { INDEXED_TYPES, type IndexedParamType, type IndexRows } from '../../store/index-rows';
import { indexCodeOf, isTargetNarrowing, narrowingsOf, ownStringParts } from './index-codes';
import { memoByParamAndType } from './memo-by-param';
import { followPlainPaths, keptBy, walkPathsOf, type WalkPath, type WhereStep } from './plain-paths';
import { searchParametersGeneration } from '../search-parameter-generation';

/** Parameters served from columns of the resources table rather than index rows. */
const COLUMN_PARAMS = new Set(['_id', '_lastUpdated']);

/** One indexed SearchParameter with its FHIRPath expression parsed. */
interface CompiledParam {
  code: string;
  type: IndexedParamType;
  targets: readonly string[];
  expression: FhirPathAtom;
  /** The expression's branches for this type when they are plain paths (with filters): followed without FHIRPath. */
  paths: WalkPath[] | undefined;
  /** The parts of a HumanName or Address whose text this parameter's rows hold (the rest have parameters of their own, index-codes.ts). */
  ownParts: Readonly<Record<string, readonly string[]>>;
  /** Filters of the parameters that keep some of its values as rows of their own (index-codes.ts): those values it does not write. */
  keptElsewhere: readonly WhereStep[];
  /** The code a reference row is stored under by the type it points at, where a narrower parameter keeps those rows. */
  codeByTarget: ReadonlyMap<string, string>;
}

/**
 * Parsed expressions by SearchParameter and resource type, so that an expression is parsed
 * once, not on every write, and keeps only its branches for that type (`Patient.name` of
 * `Patient.name | Practitioner.name`): a branch of another type costs a schema-less lookup
 * per step. Keyed by the definition object: a package loaded later registers new objects.
 */
const compile = memoByParamAndType((resourceType, param): CompiledParam | null => {
  const type = param.type as IndexedParamType;
  // A parameter whose rows another of the same path keeps, or another's that point at one type (index-codes.ts), writes none of its own.
  const indexed =
    param.code &&
    param.expression &&
    !COLUMN_PARAMS.has(param.code) &&
    INDEXED_TYPES.includes(type) &&
    indexCodeOf(resourceType, param) === param.code &&
    !isTargetNarrowing(resourceType, param);
  if (!indexed) return null;
  const narrowings = narrowingsOf(resourceType, param);
  return {
    code: param.code as string,
    type,
    targets: param.target ?? [],
    expression: getParsedExpressionForResourceType(resourceType, param.expression as string),
    paths: walkPathsOf(param.expression as string, resourceType),
    ownParts: ownStringParts(resourceType, param),
    keptElsewhere: narrowings.flatMap((narrowing) => ('keeps' in narrowing ? [narrowing.keeps] : [])),
    codeByTarget: new Map(narrowings.flatMap((narrowing) => ('pointsAt' in narrowing ? [[narrowing.pointsAt, narrowing.code] as const] : []))),
  };
});

/** The indexed parameters of each resource type, compiled: a resource's walk visits these only, without a lookup per parameter. */
const compiledByType = new Map<string, { generation: number; params: CompiledParam[] }>();

function compiledParamsOf(resourceType: string): CompiledParam[] {
  const known = compiledByType.get(resourceType);
  if (known?.generation === searchParametersGeneration()) return known.params;
  const params = Object.values(getSearchParameters(resourceType) ?? {}).flatMap((param) => compile(resourceType, param) ?? []);
  compiledByType.set(resourceType, { generation: searchParametersGeneration(), params });
  return params;
}

/** Evaluates every indexed SearchParameter of the resource's type into index rows. */
export function extractIndexRows(resource: Resource): IndexRows {
  const rows: IndexRows = { string: [], token: [], reference: [], date: [], number: [], uri: [] };
  const typed = [toTypedValue(resource)];
  for (const entry of compiledParamsOf(resource.resourceType)) {
    const values = (entry.paths && followPlainPaths(typed[0]!, entry.paths)) ?? evalFhirPathTyped(entry.expression, typed);
    for (const value of values) if (!entry.keptElsewhere.some((filter) => keptBy(value, filter))) addRows(rows, entry, value);
  }
  return dedupe(rows);
}

function addRows(rows: IndexRows, { type, code, targets, ownParts, codeByTarget }: CompiledParam, tv: TypedValue): void {
  switch (type) {
    case 'string':
      for (const text of stringsOf(tv, ownParts)) rows.string.push({ code, value: normalizeString(text), exact: text });
      return;
    case 'token':
      for (const token of tokensOf(tv)) rows.token.push({ code, ...token, text: token.text === null ? null : normalizeString(token.text) });
      return;
    case 'reference': {
      const ref = referenceOf(tv, targets);
      if (ref) rows.reference.push({ code: (ref.target_type !== null && codeByTarget.get(ref.target_type)) || code, ...ref });
      return;
    }
    case 'date':
      for (const range of datesOf(tv)) rows.date.push({ code, ...range });
      return;
    case 'number':
      if (typeof tv.value === 'number') rows.number.push({ code, value: String(tv.value) });
      return;
    case 'uri':
      if (typeof tv.value === 'string') rows.uri.push({ code, value: tv.value });
      return;
  }
}

function stringsOf({ type, value }: TypedValue, ownParts: Readonly<Record<string, readonly string[]>>): string[] {
  if (typeof value === 'string') return [value];
  const parts = ownParts[type];
  if (!parts || !value || typeof value !== 'object') return [];
  return compact(parts.flatMap((part) => value[part] as string | string[] | undefined));
}

type Token = Omit<IndexRows['token'][number], 'code'>;

function tokensOf({ type, value }: TypedValue): Token[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [{ system: null, value, text: null }];
  if (typeof value === 'boolean') return [{ system: null, value: String(value), text: null }];
  switch (type) {
    case 'Coding':
      return [{ system: value.system ?? null, value: value.code ?? null, text: value.display ?? null }];
    case 'CodeableConcept': {
      const codings: Token[] = (value.coding ?? []).map((c: { system?: string; code?: string; display?: string }) => ({
        system: c.system ?? null,
        value: c.code ?? null,
        text: c.display ?? null,
      }));
      return value.text ? [...codings, { system: null, value: null, text: value.text }] : codings;
    }
    case 'Identifier':
      return [{ system: value.system ?? null, value: value.value ?? null, text: value.type?.text ?? null }];
    case 'ContactPoint':
      return [{ system: value.system ?? null, value: value.value ?? null, text: null }];
    default:
      return [];
  }
}

/** `Patient/123`, `https://host/fhir/Patient/123/_history/2` → type and id; other references keep only the text. */
export function parseReference(reference: string): { target_type: string | null; target_id: string | null } {
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
  return m ? { target_type: m[1] ?? null, target_id: m[2] ?? null } : { target_type: null, target_id: null };
}

type ReferenceRow = Omit<IndexRows['reference'][number], 'code'>;

/**
 * A literal reference (`reference`), a logical one (`identifier`), or both. A logical reference
 * keeps the target type when `Reference.type` or the parameter (one target only) says it, so the
 * store can resolve it to the resource holding that identifier (docs/search.md).
 */
function referenceOf({ value }: TypedValue, targets: readonly string[]): ReferenceRow | undefined {
  const reference = typeof value === 'string' ? value : value?.reference;
  const identifier = typeof value === 'object' && value !== null ? (value.identifier as { system?: string; value?: string } | undefined) : undefined;
  const logical = { identifier_system: identifier?.system ?? null, identifier_value: identifier?.value ?? null };
  if (typeof reference === 'string') return { reference, ...parseReference(reference), ...logical };
  if (!logical.identifier_value) return undefined;
  // Reference.type is a type name or its StructureDefinition URL.
  const targetType = typeof value.type === 'string' ? (value.type.split('/').pop() ?? null) : targets.length === 1 ? (targets[0] ?? null) : null;
  return { reference: null, target_type: targetType, target_id: null, ...logical };
}

const FAR_PAST = new Date('0001-01-01T00:00:00Z');
const FAR_FUTURE = new Date('9999-12-31T23:59:59.999Z');

function datesOf({ type, value }: TypedValue): { low: Date; high: Date }[] {
  if (typeof value === 'string') return compact([dateRange(value)]);
  if (type === 'Period') {
    const low = value.start ? dateRange(value.start)?.low : FAR_PAST;
    const high = value.end ? dateRange(value.end)?.high : FAR_FUTURE;
    return low && high ? [{ low, high }] : [];
  }
  if (type === 'Timing') return compact((value.event ?? []).map((e: string) => dateRange(e)));
  return [];
}

function compact<T>(values: (T | undefined | null)[]): T[] {
  return values.filter((v): v is T => v !== undefined && v !== null && v !== '');
}

/**
 * A row's identity: each value tagged with its kind, text with its length, so that no two rows
 * share one whatever their text holds. A quarter of the cost of `JSON.stringify` of the row,
 * which was ~3% of a transaction Bundle's CPU.
 */
function rowKey(row: object): string {
  let key = '';
  for (const value of Object.values(row) as (string | Date | null)[]) {
    key += value === null ? 'n' : value instanceof Date ? `d${value.getTime()};` : `s${value.length}:${value}`;
  }
  return key;
}

/** Up to this many rows a table's duplicates are found row against row: cheaper than a key string per row and its hash. */
const COMPARED_ROW_BY_ROW = 16;

/** Rows of one table (which have the same fields) holding the same values; dates by their time. */
function sameRow(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  for (const field in a) {
    const value = a[field];
    const twin = b[field];
    if (value !== twin && !(value instanceof Date && twin instanceof Date && value.getTime() === twin.getTime())) return false;
  }
  return true;
}

function unique<T extends Record<string, unknown>>(list: T[]): T[] {
  if (list.length < 2) return list;
  if (list.length <= COMPARED_ROW_BY_ROW) {
    const kept: T[] = [];
    for (const row of list) if (!kept.some((earlier) => sameRow(row, earlier))) kept.push(row);
    return kept;
  }
  const seen = new Set<string>();
  return list.filter((row) => {
    const key = rowKey(row);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function dedupe(rows: IndexRows): IndexRows {
  return {
    string: unique(rows.string),
    token: unique(rows.token),
    reference: unique(rows.reference),
    date: unique(rows.date),
    number: unique(rows.number),
    uri: unique(rows.uri),
  };
}
