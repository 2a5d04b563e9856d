import { getSearchParameters } from '@medplum/core';
import type { CapabilityStatementRestResource, SearchParameter } from '@medplum/fhirtypes';
import type { IndexedParamType } from '../../store/index-rows';
import { rowCodesOf, rowCodesTo } from '../indexing/index-codes';
import { isSupportedType, loadR4Definitions, SUPPORTED_TYPES } from '../validation/definitions';

export interface SearchParamSummary {
  name: string;
  type: NonNullable<CapabilityStatementRestResource['searchParam']>[number]['type'];
  definition?: string;
  /** The modifiers served, in words (R4's CapabilityStatement has no element for them). */
  documentation?: string;
}

/** A search parameter this server serves: an index table, or a column of `resources`. */
export interface SearchParamDef {
  code: string;
  /**
   * Every code whose rows hold its values (index-codes.ts): its own, or that of a parameter of the
   * same path; then those of parameters keeping some of its values (`telecom`: `phone`, `email`)
   * and of parts indexed by parameters of their own (`name`: `family`, `given`).
   */
  rowCodes: readonly string[];
  type: IndexedParamType;
  /** `_id` and `_lastUpdated` read columns of `resources`, not an index table. */
  column?: 'id' | 'lastUpdated';
  /** Reference parameters: the resource types they may point at. */
  targets: string[];
  definition?: string;
}

const INDEXED = new Set<string>(['string', 'token', 'reference', 'date', 'number', 'uri']);
/** Medplum's own parameters, not part of R4. */
const NOT_R4 = new Set(['_compartment']);
const COLUMNS: Record<string, 'id' | 'lastUpdated'> = { _id: 'id', _lastUpdated: 'lastUpdated' };

const MODIFIERS: Record<SearchParamDef['type'], readonly string[]> = {
  string: ['exact', 'contains'],
  token: ['not', 'text'],
  reference: ['identifier'],
  date: [],
  number: [],
  uri: ['below', 'above'],
};

/** The modifiers a parameter takes: `:missing` always, a reference's target types as `:Type`. */
export function modifiersOf(def: SearchParamDef): string[] {
  if (def.column) return ['missing'];
  return ['missing', ...MODIFIERS[def.type], ...(def.type === 'reference' ? def.targets : [])];
}

/** The served search parameter `code` of `resourceType`, if there is one. */
export function searchParamOf(resourceType: string, code: string): SearchParamDef | undefined {
  loadR4Definitions();
  const param = getSearchParameters(resourceType)?.[code];
  return param && isServed(param) ? toDef(param, resourceType) : undefined;
}

/** The row codes of a served reference parameter whose rows may point at `targetType` (`subject` to a Patient: `patient`'s), for a chain. */
export function rowCodesPointingAt(resourceType: string, def: SearchParamDef, targetType: string): readonly string[] {
  const param = getSearchParameters(resourceType)?.[def.code];
  return param ? rowCodesTo(resourceType, param, targetType) : def.rowCodes;
}

/** Every served search parameter of a type, for the CapabilityStatement. */
export function supportedSearchParams(resourceType: string): SearchParamSummary[] {
  loadR4Definitions();
  if (!isSupportedType(resourceType)) return [];
  return Object.values(getSearchParameters(resourceType) ?? {})
    .filter(isServed)
    .map((param) => ({
      name: param.code as string,
      type: param.type as SearchParamSummary['type'],
      definition: param.url,
      documentation: `Modifiers: ${modifiersOf(toDef(param, resourceType))
        .map((m) => `:${m}`)
        .join(', ')}`,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** `_include` values a search of this type serves: each reference parameter, and `*`. */
export function includesOf(resourceType: string): string[] {
  return [...referenceParamsOf(resourceType).map((p) => `${resourceType}:${p.code}`), `${resourceType}:*`];
}

/** `_revinclude` values a search of this type serves: every reference parameter, of any stored type, that may point at it. */
export function revIncludesOf(resourceType: string): string[] {
  return SUPPORTED_TYPES.flatMap((source) =>
    referenceParamsOf(source)
      .filter((p) => p.targets.includes(resourceType))
      .map((p) => `${source}:${p.code}`),
  );
}

/** The reference parameters of a type (for `_include=Type:*`). */
export function referenceParamsOf(resourceType: string): SearchParamDef[] {
  loadR4Definitions();
  return Object.values(getSearchParameters(resourceType) ?? {})
    .filter(isServed)
    .map((param) => toDef(param, resourceType))
    .filter((p) => p.type === 'reference');
}

function isServed(param: SearchParameter): boolean {
  return !!param.code && !!param.expression && !NOT_R4.has(param.code) && INDEXED.has(param.type ?? '');
}

function toDef(param: SearchParameter, resourceType: string): SearchParamDef {
  const code = param.code as string;
  return {
    code,
    rowCodes: rowCodesOf(resourceType, param),
    type: param.type as IndexedParamType,
    column: COLUMNS[code],
    targets: param.target ?? [],
    definition: param.url,
  };
}
